"""A small dbt-like DuckDB file with the marts and input tables the quality checks read.

`build_db` writes plausible data for 2025-03 (and 2025-02 billing); tests copy the file and
break one thing with SQL, so each violation is explicit and the base stays plausible.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

PERIOD = "2025-03"
FAKE_NIK = "7371014101900001"  # a fake NIK-shaped person_key planted to prove docs stay clean

# cohort -> (participants 2025-02, participants 2025-03)
BILLED = {
    "non_asn": (200, 205),
    "rt_rw": (100, 110),
    "kader_posyandu_kb": (120, 118),
    "pekerja_keagamaan": (90, 90),
    "penyelenggara_pemilu": (300, 280),
    "pekerja_rentan": (400, 420),
}


def build_db(path: Path, people_per_cohort: int = 60) -> Path:
    """Plausible tables for PERIOD; `people_per_cohort` accepted people in each cohort."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema berjasa; create schema berjasa_input")
        billing = ", ".join(
            f"(date '2025-02-01', '{c}', '{p}', {a}), (date '2025-03-01', '{c}', '{p}', {b})"
            for c, (a, b) in BILLED.items()
            for p in ("JKK", "JKM")
        )
        con.execute(
            f"""
            create table berjasa.billing_monthly as
            select period, cohort_code, program, participants::bigint as participants,
                (participants * case program when 'JKK' then 10000 else 6800 end)::bigint
                    as premium_idr
            from (values {billing}) t(period, cohort_code, program, participants)
            """
        )
        con.execute(
            """
            create table berjasa.coverage_monthly as
            select date '2025-03-01' as period, * from (values
                ('73.71.01', 'Mariso', 120, 9000, 20000, 0.006, 0.45, false),
                ('73.71.08', 'Ujung Tanah', 150, 15000, 25000, 0.006, 0.6, false),
                ('luar', 'luar Makassar', 5, null, null, null, null, null),
                ('73.71', 'Kota Makassar', 1223, 300000, 582708, 0.0021, 0.5148, false)
            ) t(area_code, area_name, program_participants, bpjs_active_participants,
                potential_workers, program_share, ucj_rate, ucj_rate_above_1)
            """
        )
        cohorts = list(BILLED)
        con.execute(
            """
            create table berjasa_input.accepted_rows as
            with base as (
                select i, ($cohorts)[1 + i % 6] as cohort_code
                from range($n) r(i)
            )
            select date '2025-03-01' as period, cohort_code,
                cohort_code || '.xlsx' as source_file, 1 as file_ordinal,
                (i + 2)::integer as source_row,
                unhex(sha256('person-' || i)) as person_key,
                '737101******' || lpad((i % 10000)::varchar, 4, '0') as nik_masked,
                (date '2025-03-01' - to_years((20 + i % 41)::integer)
                    - to_days((i % 300)::integer))::date as birth_date,
                case when i % 2 = 0 then 'L' else 'P' end as sex,
                '73.71.01' as kecamatan_code, '73.71.01.1001' as kelurahan_code,
                false as is_outside_city,
                case when cohort_code = 'non_asn' then 3000000 end::bigint as wage_idr,
                null::varchar as pekerjaan, null::varchar as disabilitas
            from base
            """,
            {"cohorts": cohorts, "n": people_per_cohort * len(cohorts)},
        )
        con.execute(
            """
            create table berjasa_input.dtsen as
            select date '2025-01-01' as extract_period, person_key,
                (1 + source_row % 5)::integer as desil
            from berjasa_input.accepted_rows where cohort_code = 'pekerja_rentan'
            union all  -- a later extract the period must not use
            select date '2025-06-01', person_key, 11
            from berjasa_input.accepted_rows where cohort_code = 'pekerja_rentan'
            """
        )
    return path


@pytest.fixture(scope="session")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("quality") / "base.duckdb")


@pytest.fixture
def variant(base_db: Path, tmp_path: Path) -> Callable[[str], Path]:
    """Copy the plausible database and apply `sql` to break it."""

    def make(sql: str) -> Path:
        path = tmp_path / "variant.duckdb"
        shutil.copy(base_db, path)
        with duckdb.connect(str(path)) as con:
            con.execute(sql)
        return path

    return make
