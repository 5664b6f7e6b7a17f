"""Vectorised normalisation of raw-layer rows into typed columns and parse flags.

The raw layer keeps every value as text (ARCHITECTURE.md "Raw layer"). Before the row contract
(`schemas.row_contract`) can judge a row, each field is parsed once with pyarrow compute kernels
(no Python loop over rows): NIK trimmed and classified, birth date parsed from the accepted
formats, sex mapped to L/P, area names matched to Kemendagri codes, wage parsed to whole rupiah.
The outcome of each parse is a small status column (`nik_status`, `date_status`, ...) that the
contract checks; typed values (`birth_date`, `wage_idr`, codes) are what accepted rows carry on.

Every parse except the NIK's is a function of one or two low-cardinality fields (a million rows
hold some 15 000 birth dates, 700 kelurahan, a handful of sexes), so it runs once per DISTINCT
value (`_per_distinct`) and is broadcast back by index: the parsers below stay the one definition
of each rule, they just see each value once. The NIK is unique per person, so its checks run per
row with the cheapest exact kernels (byte length + ASCII digits instead of a regex). Status
columns come out dictionary-encoded (a small index per row), which is also what the contract
groups on.

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


def _normalised_area(column: pa.Array) -> pa.Array:
    """`seeds.normalise_area_name` applied per DISTINCT value (dictionary), then broadcast."""
    encoded = pc.dictionary_encode(column.cast(pa.string()))
    distinct = encoded.dictionary.to_pylist()
    mapped = pa.array(
        [None if v is None else seeds.normalise_area_name(v) for v in distinct], type=pa.string()
    )
    return pc.take(mapped, encoded.indices)


def _single(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """One contiguous array (zero-copy when the column already is one chunk)."""
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The column as text: string, or dictionary-encoded string (left encoded)."""
    array = _single(column)
    kind = array.type
    if pa.types.is_dictionary(kind):
        if not pa.types.is_string(kind.value_type):
            array = pa.DictionaryArray.from_arrays(
                array.indices, array.dictionary.cast(pa.string())
            )
        return array
    return array if pa.types.is_string(kind) else array.cast(pa.string())


def _plain(array: pa.Array) -> pa.Array:
    """Dictionary-encoded text decoded to plain text (the per-row NIK / name kernels)."""
    return array.dictionary_decode() if pa.types.is_dictionary(array.type) else array


def complete_raw(raw: pa.Table) -> dict[str, pa.Array]:
    """Every canonical column as one text array (source_row as is); missing ones as nulls."""
    n = raw.num_rows
    columns: dict[str, pa.Array] = {}
    for name in (*RAW_TEXT_COLUMNS, *RAW_META_COLUMNS):
        if name not in raw.column_names:
            columns[name] = pa.nulls(n, pa.string())
        elif name == "source_row":
            columns[name] = _single(raw.column(name))
        else:
            columns[name] = _text(raw.column(name))
    return columns


# --- per distinct value ------------------------------------------------------------------------
def value_codes(column: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, np.ndarray]:
    """(distinct values, per-row index into them); a null is one of the values, so a parse sees
    it exactly as it would see a null row. Dictionary input is used as it is (no hashing)."""
    array = _single(column)
    if pa.types.is_dictionary(array.type):
        values, indices = array.dictionary, array.indices
        if indices.null_count:
            values = pa.concat_arrays([values, pa.nulls(1, values.type)])
            indices = pc.fill_null(indices, len(values) - 1)
    else:
        encoded = pc.dictionary_encode(array, null_encoding="encode")
        values, indices = encoded.dictionary, encoded.indices
    return values, indices.to_numpy(zero_copy_only=False)


# Up to this many value combinations, distinct combinations are found by counting into a table
# indexed by the combination (no hashing); beyond it, by hashing.
_COUNTING_LIMIT = 1 << 22


def _per_distinct(columns: list[pa.Array]) -> tuple[list[pa.Array], np.ndarray]:
    """The distinct combinations of `columns` (one array per column, one entry per combination)
    and, per row, the index of its combination: rows with the same index hold equal values
    (nulls equal) in every column."""
    coded = [value_codes(column) for column in columns]
    if len(coded) == 1:
        return [coded[0][0]], coded[0][1]
    sizes = [max(len(values), 1) for values, _ in coded]
    if np.prod(np.array(sizes, dtype=np.float64)) >= 2.0**62:  # pragma: no cover - 2 columns
        raise ValueError("too many value combinations for a mixed-radix key")
    key = np.zeros(len(coded[0][1]), dtype=np.int64)
    for (_, codes), size in zip(coded, sizes, strict=True):
        key = key * size + codes
    total = int(np.prod(np.array(sizes, dtype=np.int64)))
    if total <= _COUNTING_LIMIT:
        present = np.bincount(key, minlength=total) > 0
        combinations = np.flatnonzero(present)
        inverse = (np.cumsum(present) - 1)[key]
    else:
        encoded = pc.dictionary_encode(pa.array(key))
        combinations = encoded.dictionary.to_numpy()
        inverse = encoded.indices.to_numpy()
    distinct: list[pa.Array] = []
    for (values, _), size in reversed(list(zip(coded, sizes, strict=True))):
        distinct.append(values.take(pa.array(combinations % size)))
        combinations = combinations // size
    return distinct[::-1], inverse


def _broadcast(values: pa.Array, inverse: np.ndarray) -> pa.Array:
    """Per-distinct results back to one value per row."""
    return values.take(pa.array(inverse))


def _coded(values: pa.Array, inverse: np.ndarray) -> pa.DictionaryArray:
    """Per-distinct results back to rows as a dictionary array: an index per row, the values
    not copied (for columns the caller casts to their plain type anyway). Null stays null."""
    encoded = pc.dictionary_encode(values)
    codes = pc.fill_null(encoded.indices, -1).to_numpy()[inverse]
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), encoded.dictionary)


def _statuses(values: pa.Array, inverse: np.ndarray) -> pa.DictionaryArray:
    """Per-distinct status labels back to rows, dictionary-encoded (int8 index per row)."""
    encoded = pc.dictionary_encode(values, null_encoding="encode")
    codes = encoded.indices.to_numpy().astype(np.int8)[inverse]
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), encoded.dictionary)


def _bools(values: pa.Array, inverse: np.ndarray) -> np.ndarray:
    """A per-distinct boolean (null = False) as one numpy bool per row."""
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False)[inverse]


def _clean(column: pa.Array, characters: str = _TEXT_TRIM) -> pa.Array:
    """Trimmed text; empty becomes null."""
    trimmed = pc.utf8_trim(column, characters)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _clean_rows(column: pa.Array, characters: str = _TEXT_TRIM) -> pa.Array:
    """`_clean` for a long column of mostly distinct values (NIK): the empty results are nulled
    by a new validity bitmap instead of copying every string through `if_else`."""
    trimmed = pc.utf8_trim(_plain(column), characters)
    filled = pc.fill_null(pc.greater(pc.binary_length(trimmed), 0), False)
    return _only(trimmed, filled.to_numpy(zero_copy_only=False))


def _present(column: pa.Array) -> pa.Array:
    """`is_valid(_clean(column))` (a name is there), per distinct value when the column is
    dictionary-encoded, else per row without building the cleaned strings."""
    if pa.types.is_dictionary(column.type):
        values, codes = value_codes(column)
        return pa.array(_bools(pc.is_valid(_clean(values)), codes))
    trimmed = pc.utf8_trim(column, _TEXT_TRIM)
    return pc.fill_null(pc.greater(pc.binary_length(trimmed), 0), False)


def _matches(column: pa.Array, pattern: str) -> pa.Array:
    """Full-match regex test; null input gives False."""
    return pc.fill_null(pc.match_substring_regex(column, pattern), False)


def _case(conditions: list[tuple[pa.Array, str]], default: str | None) -> pa.Array:
    """First matching label per row (conditions must be null-free booleans)."""
    names = [f"c{i}" for i in range(len(conditions))]
    struct = pc.make_struct(*[c for c, _ in conditions], field_names=names)
    labels = [pa.scalar(label, pa.string()) for _, label in conditions]
    return pc.case_when(struct, *labels, pa.scalar(default, pa.string()))


def _first_label(
    conditions: list[tuple[np.ndarray, str]], default: str, n: int
) -> pa.DictionaryArray:
    """`_case` for per-row numpy conditions: the first matching label per row, dictionary-encoded
    (the index of the label, or of `default`, in conditions order)."""
    labels = [label for _, label in conditions] + [default]
    codes = np.full(n, len(conditions), dtype=np.int8)
    for index in range(len(conditions) - 1, -1, -1):  # earlier conditions overwrite later ones
        codes[conditions[index][0]] = index
    dictionary = pc.unique(pa.array(labels, pa.string()))
    positions = np.array([dictionary.index(label).as_py() for label in labels], dtype=np.int8)
    return pa.DictionaryArray.from_arrays(pa.array(positions[codes], pa.int8()), dictionary)


_SCIENTIFIC = r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$"


def _is16(nik: pa.Array) -> np.ndarray:
    """`^\\d{16}$` per row (null -> False) without a regex: 16 bytes, all ASCII digits (RE2's \\d
    is ASCII only, so a 16-byte string of ASCII digits is exactly a 16-character match)."""
    sixteen = pc.and_(pc.equal(pc.binary_length(nik), 16), pc.ascii_is_decimal(nik))
    return pc.fill_null(sixteen, False).to_numpy(zero_copy_only=False)


def _nik_status(
    nik: pa.Array, is16: np.ndarray, number_cell: np.ndarray, from_xlsx: np.ndarray
) -> pa.DictionaryArray:
    """Classify the trimmed NIK. A numeric cell (`nik_cell_type == 'number'`: an XLSX number
    cell, or a Parquet float column, which ingest marks the same way) may have lost its 16th
    digit already, whatever its text looks like now.

    The scientific-notation regex only runs where it can match: a 16-digit NIK has no 'e'."""
    present = nik.is_valid().to_numpy(zero_copy_only=False)
    scientific = np.zeros(len(nik), dtype=bool)
    others = np.flatnonzero(present & ~is16)
    if others.size:
        scientific[others] = _matches(nik.take(pa.array(others)), _SCIENTIFIC).to_numpy(
            zero_copy_only=False
        )
    serial = pc.fill_null(pc.ends_with(nik, "0000"), False).to_numpy(zero_copy_only=False)
    return _first_label(
        [
            (~present, "missing"),
            (number_cell & from_xlsx, "number_cell"),
            (number_cell, "number_column"),
            (scientific, "scientific"),
            (~is16, "not_16_digits"),
            (serial, "serial_0000"),
        ],
        "ok",
        len(nik),
    )


def _mask(nik: pa.Array) -> pa.Array:
    """`berjasa.pii.mask_nik`, vectorised: first 6 and last 4 characters, the middle starred."""
    length = pc.utf8_length(nik)
    long = pc.greater_equal(length, 10)
    prefix = pc.if_else(long, pc.utf8_slice_codeunits(nik, 0, 6), "")
    suffix = pc.if_else(long, pc.utf8_slice_codeunits(nik, -4), "")
    stars = pc.binary_repeat(pa.scalar("*"), pc.if_else(long, pc.subtract(length, 10), length))
    return pc.binary_join_element_wise(prefix, stars, suffix, "")


def _only(array: pa.Array, rows: np.ndarray) -> pa.Array:
    """`array` with every row outside `rows` (a numpy bool per row) set to null, zero-copy."""
    validity = pc.and_(array.is_valid(), pa.array(rows))
    if array.offset or validity.offset:  # pragma: no cover - kernels return fresh arrays
        return pc.if_else(validity, array, pa.scalar(None, array.type))
    buffers = [validity.buffers()[1], *array.buffers()[1:]]
    return pa.Array.from_buffers(array.type, len(array), buffers)


def _masked(nik: pa.Array, is16: np.ndarray) -> pa.Array:
    """`_mask` per row: a 16-digit NIK (nearly all) is 16 ASCII bytes, so starring characters
    7-12 is a byte-slice replace; `_mask` itself runs on the other rows only."""
    masked = pc.binary_replace_slice(nik.view(pa.binary()), 6, 12, "******")
    others = np.flatnonzero(~is16 & nik.is_valid().to_numpy(zero_copy_only=False))
    if others.size:
        where = np.zeros(len(nik), dtype=bool)
        where[others] = True
        rest = _mask(nik.take(pa.array(others))).view(pa.binary())
        masked = pc.replace_with_mask(masked, pa.array(where), rest)
    return masked.view(pa.string())


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


def _ddmmyy(birth: pa.Array) -> pa.Array:
    """DDMMYY of a date as one int (day*10000 + month*100 + year % 100); null stays null."""
    day = pc.cast(pc.day(birth), pa.int32())
    month = pc.cast(pc.month(birth), pa.int32())
    yy = _last_two_digits(pc.cast(pc.year(birth), pa.int32()))
    return pc.add(pc.add(pc.multiply(day, 10000), pc.multiply(month, 100)), yy)


def _nik_digits_7_12(nik: pa.Array, is16: np.ndarray) -> np.ndarray:
    """NIK digits 7-12 as one int per row (0 where the NIK is not 16 digits): a 16-digit NIK is
    16 ASCII bytes, so this is a byte slice parsed as a number."""
    sixteen = _only(nik, is16).view(pa.binary())
    digits = pc.cast(pc.binary_slice(sixteen, 6, 12).view(pa.string()), pa.int64())
    return pc.fill_null(digits, 0).to_numpy()


def _nik_dob_match(
    nik: pa.Array,
    is16: np.ndarray,
    ddmmyy: np.ndarray,
    birth_known: np.ndarray,
    sex_p: np.ndarray,
    sex_known: np.ndarray,
) -> pa.Array:
    """NIK digits 7-12 = DDMMYY of birth, DD + 40 for women; null when not comparable.

    Comparing DDMMYY as one number is comparing the three two-digit fields (each 0-99)."""
    expected = ddmmyy + np.where(sex_p, 400000, 0)
    match = _nik_digits_7_12(nik, is16) == expected
    comparable = is16 & birth_known & sex_known
    return pa.array(match, pa.bool_(), mask=~comparable)


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


def _sex_flags(sex: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(sex == 'P', sex is known) per value."""
    p = pc.fill_null(pc.equal(sex, "P"), False).to_numpy(zero_copy_only=False)
    return p, sex.is_valid().to_numpy(zero_copy_only=False)


def normalise(raw: pa.Table, cohort_code: str) -> pa.Table:
    """Parse one raw-layer batch into typed columns + parse flags (one output row per input row,
    same order). The result still holds the trimmed `nik` (for keying); callers drop it.

    The status columns are dictionary-encoded text. So are `source_file`, `kecamatan_code`,
    `kelurahan_code` (text) and `wage_idr` (int64) when that saves copying values a million
    times: validation casts them to their plain types as it writes them. The other columns
    have the types validation writes (text, date32, bool)."""
    rules = cohort_rules(cohort_code)
    col = complete_raw(raw)

    [files], file_of = _per_distinct([col["source_file"]])
    xlsx = pc.fill_null(pc.ends_with(pc.utf8_lower(files), ".xlsx"), False)
    [nik_types], nik_type_of = _per_distinct([col["nik_cell_type"]])
    number = pc.fill_null(pc.equal(pc.utf8_lower(nik_types), "number"), False)
    nik = _clean_rows(col["nik"], _NIK_TRIM)
    is16 = _is16(nik)
    nik_status = _nik_status(nik, is16, _bools(number, nik_type_of), _bools(xlsx, file_of))

    (tgl_raw, tgl_type), tgl_of = _per_distinct(
        [col["tanggal_lahir"], col["tanggal_lahir_cell_type"]]
    )
    tgl = _clean(tgl_raw)
    birth = _birth_date(tgl, pc.fill_null(pc.utf8_lower(tgl_type), "text"))
    date_status = _case([(pc.is_null(tgl), "missing"), (pc.is_null(birth), "unparseable")], "ok")

    [jk], jk_of = _per_distinct([col["jenis_kelamin"]])
    sex, sex_status = _sex(_clean(jk))
    sex_p, sex_known = _sex_flags(sex)

    (kec, kel), area_of = _per_distinct([col["kecamatan"], col["kelurahan"]])
    kec_code, kel_code, area_status, outside = _area(kec, kel, rules.any_residence)

    [upah], upah_of = _per_distinct([col["upah"]])
    wage, wage_status = _wage(_clean(upah), rules.requires_wage)
    [job], job_of = _per_distinct([col["pekerjaan"]])
    [disabled], disabled_of = _per_distinct([col["disabilitas"]])

    ddmmyy = pc.fill_null(_ddmmyy(birth), 0).to_numpy(zero_copy_only=False)[tgl_of]
    birth_known = birth.is_valid().to_numpy(zero_copy_only=False)[tgl_of]
    source_file = col["source_file"]
    return pa.table(
        {
            "source_file": source_file,
            "source_row": pc.cast(col["source_row"], pa.int32()),
            "nik": nik,
            "nik_masked": _masked(nik, is16),
            "nik_status": nik_status,
            "nama_present": _present(col["nama"]),
            "date_status": _statuses(date_status, tgl_of),
            "birth_date": _broadcast(birth, tgl_of),
            "sex_status": _statuses(sex_status, jk_of),
            "sex": _broadcast(sex, jk_of),
            "nik_dob_match": _nik_dob_match(
                nik, is16, ddmmyy, birth_known, sex_p[jk_of], sex_known[jk_of]
            ),
            "area_status": _statuses(area_status, area_of),
            "kecamatan_code": _coded(kec_code, area_of),
            "kelurahan_code": _coded(kel_code, area_of),
            "is_outside_city": _broadcast(outside, area_of),
            "wage_status": _statuses(wage_status, upah_of),
            "wage_idr": _coded(wage, upah_of),
            "pekerjaan": _broadcast(_clean(job), job_of),
            "disabilitas": _broadcast(_disabilitas(_clean(disabled)), disabled_of),
        }
    )
