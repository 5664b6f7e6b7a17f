"""Vectorised normalisation of raw-layer rows into typed columns and parse flags.

The raw layer keeps every value as text (ARCHITECTURE.md "Raw layer"). Before the row contract
(`schemas.row_contract`) can judge a row, each field is parsed once with pyarrow compute kernels
over the whole batch (no Python loop over rows; area names are normalised per DISTINCT value):
NIK trimmed and classified, birth date parsed from the accepted
formats, sex mapped to L/P, area names matched to Kemendagri codes, wage parsed to whole rupiah.
The outcome of each parse is a small status column (`nik_status`, `date_status`, ...) that the
contract checks; typed values (`birth_date`, `wage_idr`, codes) are what accepted rows carry on.

Cohort parameters (scheme, residence rule, minimum age) come from `berjasa.seeds`, never literals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from berjasa import seeds
from berjasa.ingest.columns import COHORT_COLUMNS, COHORT_RAW_SCHEMA
from berjasa.periods import parse_period

# Canonical raw-layer columns, as the ingest layer writes them (one definition: ingest's
# `COHORT_RAW_SCHEMA`). Absent optional columns are treated as empty.
RAW_TEXT_COLUMNS: tuple[str, ...] = tuple(COHORT_COLUMNS)
RAW_META_COLUMNS: tuple[str, ...] = tuple(
    name for name in COHORT_RAW_SCHEMA.names if name not in COHORT_COLUMNS
)

# Residence rule of cohorts whose members are covered wherever they live (cohorts.csv).
ANY_RESIDENCE_RULE = "city_employee_any_residence"
# Scheme whose contribution is a share of the wage, so `upah` is required (cohorts.csv).
WAGE_SCHEME = "PU"

# Characters trimmed around a NIK: spaces (incl. no-break), tabs and straight/curly quotes.
_NIK_TRIM = " \t\r\n\u00a0'\"`\u2018\u2019\u201c\u201d"
_TEXT_TRIM = " \t\r\n\u00a0"


@dataclass(frozen=True)
class CohortRules:
    """The row-local parameters of one cohort, read from cohorts.csv."""

    cohort_code: str
    scheme: str
    residence_rule: str
    min_age: int

    @property
    def requires_wage(self) -> bool:
        return self.scheme == WAGE_SCHEME

    @property
    def any_residence(self) -> bool:
        return self.residence_rule == ANY_RESIDENCE_RULE


def cohort_rules(cohort_code: str) -> CohortRules:
    frame = seeds.cohorts()
    match = frame[frame["cohort_code"] == cohort_code]
    if match.empty:
        raise ValueError(f"unknown cohort_code {cohort_code!r} (not in cohorts.csv)")
    row = match.iloc[0]
    return CohortRules(
        cohort_code=cohort_code,
        scheme=str(row["scheme"]),
        residence_rule=str(row["residence_rule"]),
        min_age=int(row["min_age"]),
    )


def youngest_birth_date(period: str, min_age: int) -> dt.date:
    """Latest birth date that is at least `min_age` years old on the period's first day.

    The period always starts on the 1st, so the threshold is exact (no 29 February edge case).
    """
    start = parse_period(period)
    return dt.date(start.year - min_age, start.month, 1)


def _normalised_area(column: pa.ChunkedArray) -> pa.Array:
    """`seeds.normalise_area_name` applied per DISTINCT value (dictionary), then broadcast."""
    encoded = pc.dictionary_encode(column.combine_chunks().cast(pa.string()))
    distinct = encoded.dictionary.to_pylist()
    mapped = pa.array(
        [None if v is None else seeds.normalise_area_name(v) for v in distinct], type=pa.string()
    )
    return pc.take(mapped, encoded.indices)


def complete_raw(raw: pa.Table) -> pa.Table:
    """Add missing canonical columns as nulls and cast every value column to text."""
    n = raw.num_rows
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    for name in (*RAW_TEXT_COLUMNS, *RAW_META_COLUMNS):
        if name in raw.column_names:
            col = raw.column(name).combine_chunks()
            columns[name] = col if name == "source_row" else col.cast(pa.string())
        else:
            columns[name] = pa.nulls(n, pa.string())
    return pa.table(columns)


def _clean(column: pa.Array, characters: str = _TEXT_TRIM) -> pa.Array:
    """Trimmed text; empty becomes null."""
    trimmed = pc.utf8_trim(column, characters)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _matches(column: pa.Array, pattern: str) -> pa.Array:
    """Full-match regex test; null input gives False."""
    return pc.fill_null(pc.match_substring_regex(column, pattern), False)


def _case(conditions: list[tuple[pa.Array, str]], default: str | None) -> pa.Array:
    """First matching label per row (conditions must be null-free booleans)."""
    names = [f"c{i}" for i in range(len(conditions))]
    struct = pc.make_struct(*[c for c, _ in conditions], field_names=names)
    labels = [pa.scalar(label, pa.string()) for _, label in conditions]
    return pc.case_when(struct, *labels, pa.scalar(default, pa.string()))


def _nik_status(
    nik: pa.Array, number_cell: pa.Array, from_xlsx: pa.Array
) -> tuple[pa.Array, pa.Array]:
    """Classify the trimmed NIK. A numeric cell (`nik_cell_type == 'number'`: an XLSX number
    cell, or a Parquet float column, which ingest marks the same way) may have lost its 16th
    digit already, whatever its text looks like now."""
    is16 = _matches(nik, r"^\d{16}$")
    status = _case(
        [
            (pc.is_null(nik), "missing"),
            (pc.and_(number_cell, from_xlsx), "number_cell"),
            (number_cell, "number_column"),
            (_matches(nik, r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$"), "scientific"),
            (pc.invert(is16), "not_16_digits"),
            (pc.fill_null(pc.ends_with(nik, "0000"), False), "serial_0000"),
        ],
        "ok",
    )
    return status, is16


def _mask(nik: pa.Array) -> pa.Array:
    """`berjasa.pii.mask_nik`, vectorised: first 6 and last 4 characters, the middle starred."""
    length = pc.utf8_length(nik)
    long = pc.greater_equal(length, 10)
    prefix = pc.if_else(long, pc.utf8_slice_codeunits(nik, 0, 6), "")
    suffix = pc.if_else(long, pc.utf8_slice_codeunits(nik, -4), "")
    stars = pc.binary_repeat(pa.scalar("*"), pc.if_else(long, pc.subtract(length, 10), length))
    return pc.binary_join_element_wise(prefix, stars, suffix, "")


def _ints(column: pa.Array) -> pa.Array:
    """Digits (possibly empty or null) to int32; anything else null."""
    digits = pc.if_else(_matches(column, r"^\d{1,4}$"), column, pa.scalar(None, pa.string()))
    return pc.cast(digits, pa.int32())


def _make_date(year: pa.Array, month: pa.Array, day: pa.Array) -> pa.Array:
    """Calendar-checked dates from int parts (null when the date does not exist, e.g. 31/02)."""
    known = pc.and_(pc.and_(pc.is_valid(year), pc.is_valid(month)), pc.is_valid(day))
    y = pc.fill_null(year, 1970).to_numpy().astype(np.int64)
    m = pc.fill_null(month, 1).to_numpy().astype(np.int64)
    d = pc.fill_null(day, 1).to_numpy().astype(np.int64)
    ok = known.to_numpy(zero_copy_only=False) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
    y, m, d = np.where(ok, y, 1970), np.where(ok, m, 1), np.where(ok, d, 1)
    first = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    dates = first.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    ok &= dates.astype("datetime64[M]") == first  # 31 February would roll into March
    days = dates.astype(np.int64).astype(np.int32)
    return pa.array(days, type=pa.int32(), mask=~ok).cast(pa.date32())


def _birth_date(text: pa.Array, cell_type: pa.Array) -> pa.Array:
    iso = pc.extract_regex(text, r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?: 00:00:00)?$")
    dmy = pc.extract_regex(
        text, r"^(?P<d>\d{1,2})(?P<s1>[-/])(?P<m>\d{1,2})(?P<s2>[-/])(?P<y>\d{4})$"
    )
    same_separator = pc.equal(pc.struct_field(dmy, "s1"), pc.struct_field(dmy, "s2"))
    use_dmy = pc.and_(pc.is_null(iso), pc.fill_null(same_separator, False))

    def part(name: str) -> pa.Array:
        iso_part = pc.struct_field(iso, name)
        dmy_part = pc.if_else(use_dmy, pc.struct_field(dmy, name), pa.scalar(None, pa.string()))
        return _ints(pc.coalesce(iso_part, dmy_part))

    dates = _make_date(part("y"), part("m"), part("d"))
    number_cell = pc.equal(cell_type, "number")  # a bare spreadsheet number is not a date
    return pc.if_else(number_cell, pa.scalar(None, pa.date32()), dates)


def _sex(jenis_kelamin: pa.Array) -> tuple[pa.Array, pa.Array]:
    upper = pc.utf8_upper(jenis_kelamin)
    male = pc.fill_null(pc.is_in(upper, pa.array(["L", "LAKI-LAKI", "LAKI LAKI"])), False)
    female = pc.fill_null(pc.is_in(upper, pa.array(["P", "PEREMPUAN"])), False)
    sex = _case([(male, "L"), (female, "P")], None)
    status = _case(
        [(pc.is_null(jenis_kelamin), "missing"), (pc.is_null(sex), "unrecognised")], "ok"
    )
    return sex, status


def _last_two_digits(year: pa.Array) -> pa.Array:
    """year % 100 (Arrow integer division truncates; birth years are positive)."""
    return pc.subtract(year, pc.multiply(pc.divide(year, 100), 100))


def _nik_dob_match(nik: pa.Array, is16: pa.Array, birth: pa.Array, sex: pa.Array) -> pa.Array:
    """NIK digits 7-12 = DDMMYY of birth, DD + 40 for women; null when not comparable."""
    safe = pc.if_else(is16, nik, "0000000000000000")
    dd = pc.cast(pc.utf8_slice_codeunits(safe, 6, 8), pa.int32())
    mm = pc.cast(pc.utf8_slice_codeunits(safe, 8, 10), pa.int32())
    yy = pc.cast(pc.utf8_slice_codeunits(safe, 10, 12), pa.int32())
    offset = pc.if_else(pc.equal(sex, "P"), 40, 0)
    expected_dd = pc.add(pc.cast(pc.day(birth), pa.int32()), offset)
    match = pc.and_(
        pc.and_(pc.equal(dd, expected_dd), pc.equal(mm, pc.cast(pc.month(birth), pa.int32()))),
        pc.equal(yy, _last_two_digits(pc.cast(pc.year(birth), pa.int32()))),
    )
    comparable = pc.and_(is16, pc.and_(pc.is_valid(birth), pc.is_valid(sex)))
    return pc.if_else(comparable, match, pa.scalar(None, pa.bool_()))


def _lookup(keys: pa.Array, mapping: dict[str, str]) -> pa.Array:
    """Map text through a dict per DISTINCT value (dictionary-encoded), then broadcast."""
    encoded = pc.dictionary_encode(keys)
    distinct = encoded.dictionary.to_pylist()
    mapped = pa.array([mapping.get(v) if v is not None else None for v in distinct], pa.string())
    return pc.take(mapped, encoded.indices)


def _area(
    kecamatan: pa.Array, kelurahan: pa.Array, any_residence: bool
) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """(kecamatan_code, kelurahan_code, area_status, is_outside_city) via the Kemendagri seed."""
    ref = seeds.wilayah()
    kec_norm = _normalised_area(kecamatan)
    kel_norm = _normalised_area(kelurahan)
    kec_code = _lookup(
        kec_norm, dict(zip(ref["kecamatan_norm"], ref["kecamatan_code"], strict=True))
    )
    pair = pc.binary_join_element_wise(kec_code, kel_norm, "|")
    pairs = {
        f"{kec}|{kel}": code
        for kec, kel, code in zip(
            ref["kecamatan_code"], ref["kelurahan_norm"], ref["kelurahan_code"], strict=True
        )
    }
    kel_code = _lookup(pair, pairs)
    kel_known = pc.fill_null(
        pc.is_in(kel_norm, pa.array(sorted(set(ref["kelurahan_norm"])))), False
    )
    kec_missing = pc.fill_null(pc.equal(kec_norm, ""), True)
    kel_missing = pc.fill_null(pc.equal(kel_norm, ""), True)
    kec_unknown = pc.is_null(kec_code)
    outside = pc.and_(kec_unknown, pa.scalar(any_residence))
    status = _case(
        [
            (kec_missing, "kecamatan_missing"),
            (kel_missing, "kelurahan_missing"),
            (outside, "outside_city"),
            (kec_unknown, "kecamatan_unknown"),
            (pc.is_valid(kel_code), "ok"),
            (kel_known, "kelurahan_not_in_kecamatan"),
        ],
        "kelurahan_unknown",
    )
    is_outside = pc.equal(status, "outside_city")
    return kec_code, kel_code, status, is_outside


# Optional Rp/Rp./IDR prefix and spaces, optional minus (so "zero or negative" can be told apart),
# digits plain or grouped by three with one separator kind, optional ,00 / .00 (or .0 of a cell).
_WAGE_PATTERN = (
    r"^(?i:rp\.?|idr)?\s*(?P<sign>-?)"
    r"(?P<amount>\d+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+)"
    r"(?:[.,]0{1,2})?$"
)


def _wage(upah: pa.Array, requires_wage: bool) -> tuple[pa.Array, pa.Array]:
    """(wage_idr, wage_status): whole rupiah, optional Rp/Rp./IDR prefix and group separators."""
    parts = pc.extract_regex(upah, _WAGE_PATTERN)  # one regex pass; null when no match
    digits = pc.struct_field(parts, "amount")
    for separator in (".", ",", " "):
        digits = pc.replace_substring(digits, separator, "")
    fits = pc.fill_null(pc.less_equal(pc.utf8_length(digits), 15), False)
    magnitude = pc.cast(pc.if_else(fits, digits, pa.scalar(None, pa.string())), pa.int64())
    negative = pc.fill_null(pc.equal(pc.struct_field(parts, "sign"), "-"), False)
    value = pc.if_else(negative, pc.negate(magnitude), magnitude)
    status = _case(
        [
            (pa.repeat(pa.scalar(not requires_wage), len(upah)), "not_required"),
            (pc.is_null(upah), "missing"),
            (pc.is_null(value), "unparseable"),
            (pc.fill_null(pc.less_equal(value, 0), False), "not_positive"),
        ],
        "ok",
    )
    positive = pc.fill_null(pc.greater(value, 0), False)
    return pc.if_else(positive, value, pa.scalar(None, pa.int64())), status


def _disabilitas(column: pa.Array) -> pa.Array:
    upper = pc.utf8_upper(column)
    yes = pc.fill_null(pc.is_in(upper, pa.array(["Y", "YA"])), False)
    no = pc.fill_null(pc.is_in(upper, pa.array(["N", "TIDAK"])), False)
    return _case([(yes, "Y"), (no, "N")], None)


def normalise(raw: pa.Table, cohort_code: str) -> pa.Table:
    """Parse one raw-layer batch into typed columns + parse flags (one output row per input row,
    same order). The result still holds the trimmed `nik` (for keying); callers drop it."""
    rules = cohort_rules(cohort_code)
    t = complete_raw(raw)
    col = t.column
    nik = _clean(col("nik").combine_chunks(), _NIK_TRIM)
    source_file = col("source_file").combine_chunks()
    from_xlsx = pc.fill_null(pc.ends_with(pc.utf8_lower(source_file), ".xlsx"), False)
    nik_cell = pc.fill_null(pc.equal(pc.utf8_lower(col("nik_cell_type")), "number"), False)
    nik_status, is16 = _nik_status(nik, nik_cell, from_xlsx)

    tgl = _clean(col("tanggal_lahir").combine_chunks())
    tgl_cell = pc.fill_null(pc.utf8_lower(col("tanggal_lahir_cell_type")), "text")
    birth = _birth_date(tgl, tgl_cell)
    date_status = _case([(pc.is_null(tgl), "missing"), (pc.is_null(birth), "unparseable")], "ok")

    sex, sex_status = _sex(_clean(col("jenis_kelamin").combine_chunks()))
    kec_code, kel_code, area_status, outside = _area(
        col("kecamatan"), col("kelurahan"), rules.any_residence
    )
    wage, wage_status = _wage(_clean(col("upah").combine_chunks()), rules.requires_wage)
    return pa.table(
        {
            "source_file": source_file,
            "source_row": pc.cast(col("source_row"), pa.int32()),
            "nik": nik,
            "nik_masked": _mask(nik),
            "nik_status": nik_status,
            "nama_present": pc.is_valid(_clean(col("nama").combine_chunks())),
            "date_status": date_status,
            "birth_date": birth,
            "sex_status": sex_status,
            "sex": sex,
            "nik_dob_match": _nik_dob_match(nik, is16, birth, sex),
            "area_status": area_status,
            "kecamatan_code": kec_code,
            "kelurahan_code": kel_code,
            "is_outside_city": outside,
            "wage_status": wage_status,
            "wage_idr": wage,
            "pekerjaan": _clean(col("pekerjaan").combine_chunks()),
            "disabilitas": _disabilitas(_clean(col("disabilitas").combine_chunks())),
        }
    )
