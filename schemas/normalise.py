"""Vectorised normalisation of raw-layer rows into typed columns and parse flags.

The raw layer keeps every value as text (ARCHITECTURE.md "Raw layer"). Before the row contract
(`schemas.row_contract`) can judge a row, each field is parsed once, in DuckDB SQL over the Arrow
batch (no Python loop over rows): NIK trimmed and classified, birth date parsed from the accepted
formats, sex mapped to L/P, area names matched to Kemendagri codes, wage parsed to whole rupiah.
The outcome of each parse is a small status column (`nik_status`, `date_status`, ...) that the
contract checks; typed values (`birth_date`, `wage_idr`, codes) are what accepted rows carry on.

Cohort parameters (scheme, residence rule, minimum age) come from `berjasa.seeds`, never literals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from berjasa import seeds
from berjasa.periods import parse_period

# Canonical raw-layer columns (ARCHITECTURE.md). Absent optional columns are treated as empty.
RAW_TEXT_COLUMNS: tuple[str, ...] = (
    "nik",
    "nama",
    "tanggal_lahir",
    "jenis_kelamin",
    "kecamatan",
    "kelurahan",
    "upah",
    "no_hp",
    "alamat",
    "pekerjaan",
    "disabilitas",
)
RAW_META_COLUMNS: tuple[str, ...] = (
    "source_file",
    "source_row",
    "file_sha256",
    "nik_cell_type",
    "tanggal_lahir_cell_type",
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


@cache
def _reference_tables() -> tuple[pa.Table, pa.Table, pa.Table]:
    """(kecamatan name -> code, (kecamatan code, kelurahan name) -> code, known kelurahan names)."""
    ref = seeds.wilayah()
    kec = ref[["kecamatan_norm", "kecamatan_code"]].drop_duplicates("kecamatan_norm")
    kel = ref[["kecamatan_code", "kelurahan_norm", "kelurahan_code"]].drop_duplicates(
        ["kecamatan_code", "kelurahan_norm"]
    )
    names = ref[["kelurahan_norm"]].drop_duplicates()
    return (
        pa.Table.from_pandas(kec, preserve_index=False),
        pa.Table.from_pandas(kel, preserve_index=False),
        pa.Table.from_pandas(names, preserve_index=False),
    )


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
            col = raw.column(name)
            columns[name] = col if name == "source_row" else col.cast(pa.string())
        else:
            columns[name] = pa.nulls(n, pa.string())
    return pa.table(columns)


_NORMALISE_SQL = r"""
with src as (
    select
        rid,
        source_file,
        try_cast(source_row as integer) as source_row,
        nullif(trim(nik, $nik_trim), '') as nik,
        lower(coalesce(nik_cell_type, 'text')) as nik_cell_type,
        lower(coalesce(source_file, '')) like '%.xlsx' as from_xlsx,
        nullif(trim(nama, $text_trim), '') is not null as nama_present,
        nullif(trim(tanggal_lahir, $text_trim), '') as tgl,
        lower(coalesce(tanggal_lahir_cell_type, 'text')) as tgl_cell_type,
        upper(nullif(trim(jenis_kelamin, $text_trim), '')) as jk,
        nullif(kecamatan_norm, '') as kec,
        nullif(kelurahan_norm, '') as kel,
        nullif(trim(upah, $text_trim), '') as upah,
        nullif(trim(pekerjaan, $text_trim), '') as pekerjaan,
        upper(nullif(trim(disabilitas, $text_trim), '')) as dis
    from raw
),
parsed as (
    select
        src.*,
        regexp_extract(tgl, '^(\d{4})-(\d{2})-(\d{2})(?: 00:00:00)?$', ['y', 'm', 'd']) as iso,
        regexp_extract(
            tgl, '^(\d{1,2})([-/])(\d{1,2})([-/])(\d{4})$', ['d', 's1', 'm', 's2', 'y']
        ) as dmy,
        case
            when jk in ('L', 'LAKI-LAKI', 'LAKI LAKI') then 'L'
            when jk in ('P', 'PEREMPUAN') then 'P'
        end as sex,
        trim(regexp_replace(upah, '^(?i:rp\.?|idr)', '')) as wage_text,
        k.kecamatan_code as kec_code,
        l.kelurahan_code as kel_code,
        n.kelurahan_norm is not null as kel_known
    from src
    left join ref_kecamatan as k on k.kecamatan_norm = src.kec
    left join ref_kelurahan as l
        on l.kecamatan_code = k.kecamatan_code and l.kelurahan_norm = src.kel
    left join ref_kelurahan_names as n on n.kelurahan_norm = src.kel
),
typed as (
    select
        parsed.*,
        case
            when tgl_cell_type = 'number' then null
            when iso.y <> '' then try(make_date(
                try_cast(iso.y as integer), try_cast(iso.m as integer), try_cast(iso.d as integer)
            ))
            when dmy.y <> '' and dmy.s1 = dmy.s2 then try(make_date(
                try_cast(dmy.y as integer), try_cast(dmy.m as integer), try_cast(dmy.d as integer)
            ))
        end as birth_date,
        case
            when regexp_full_match(
                wage_text,
                '-?(?:\d+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+)(?:[.,]0{1,2})?'
            )
            then try_cast(
                regexp_replace(regexp_replace(wage_text, '[.,]0{1,2}$', ''), '[^0-9]', '', 'g')
                as bigint
            ) * (case when starts_with(wage_text, '-') then -1 else 1 end)
        end as wage_value
    from parsed
)
select
    rid,
    source_file,
    source_row,
    nik,
    case
        when nik is null then null
        when length(nik) < 10 then repeat('*', length(nik))
        else left(nik, 6) || repeat('*', length(nik) - 10) || right(nik, 4)
    end as nik_masked,
    case
        when nik is null then 'missing'
        when nik_cell_type = 'number' and from_xlsx then 'number_cell'
        when regexp_full_match(nik, '\d+(?:[.,]\d+)?[eE][+-]?\d+') then 'scientific'
        when not regexp_full_match(nik, '\d{16}') then 'not_16_digits'
        when right(nik, 4) = '0000' then 'serial_0000'
        else 'ok'
    end as nik_status,
    nama_present,
    case
        when tgl is null then 'missing'
        when birth_date is null then 'unparseable'
        else 'ok'
    end as date_status,
    birth_date,
    case when jk is null then 'missing' when sex is null then 'unrecognised' else 'ok' end
        as sex_status,
    sex,
    case
        when regexp_full_match(nik, '\d{16}') and birth_date is not null and sex is not null
            then substr(nik, 7, 2)::integer
                = day(birth_date) + (case when sex = 'P' then 40 else 0 end)
            and substr(nik, 9, 2)::integer = month(birth_date)
            and substr(nik, 11, 2)::integer = year(birth_date) % 100
    end as nik_dob_match,
    case
        when kec is null then 'kecamatan_missing'
        when kel is null then 'kelurahan_missing'
        when kec_code is null and $any_residence then 'outside_city'
        when kec_code is null then 'kecamatan_unknown'
        when kel_code is not null then 'ok'
        when kel_known then 'kelurahan_not_in_kecamatan'
        else 'kelurahan_unknown'
    end as area_status,
    kec_code as kecamatan_code,
    kel_code as kelurahan_code,
    kec is not null and kel is not null and kec_code is null and $any_residence
        as is_outside_city,
    case
        when not $requires_wage then 'not_required'
        when upah is null then 'missing'
        when wage_value is null then 'unparseable'
        when wage_value <= 0 then 'not_positive'
        else 'ok'
    end as wage_status,
    case when wage_value > 0 then wage_value end as wage_idr,
    pekerjaan,
    case when dis in ('Y', 'YA') then 'Y' when dis in ('N', 'TIDAK') then 'N' end as disabilitas
from typed
order by rid
"""


def normalise(raw: pa.Table, cohort_code: str) -> pa.Table:
    """Parse one raw-layer batch into typed columns + parse flags (one output row per input row,
    same order). The result still holds the trimmed `nik` (for keying); callers drop it."""
    rules = cohort_rules(cohort_code)
    table = complete_raw(raw)
    table = table.append_column("rid", pa.array(np.arange(table.num_rows, dtype=np.int64)))
    table = table.append_column("kecamatan_norm", _normalised_area(table.column("kecamatan")))
    table = table.append_column("kelurahan_norm", _normalised_area(table.column("kelurahan")))
    kec, kel, names = _reference_tables()
    con = duckdb.connect()
    try:
        con.register("raw", table)
        con.register("ref_kecamatan", kec)
        con.register("ref_kelurahan", kel)
        con.register("ref_kelurahan_names", names)
        return con.execute(
            _NORMALISE_SQL,
            {
                "nik_trim": _NIK_TRIM,
                "text_trim": _TEXT_TRIM,
                "any_residence": rules.any_residence,
                "requires_wage": rules.requires_wage,
            },
        ).to_arrow_table()
    finally:
        con.close()
