"""A fake dbt database with the marts of SPEC §5, built with DuckDB SQL (fast at 100k people).

People of a period are numbered; person i of cohort c has key sha256('person-<c>-<i>'). Every
person is billed JKK and JKM: BPU at Rp10,000 + Rp6,800, `non_asn` on a wage of Rp3,000,625 at
0.24% (Rp7,202, half rounded up) + 0.30% (Rp9,002). Two more columns of each kind exercise the
type mapping (DECIMAL(12,6), BOOLEAN, INTEGER). billing_detail's codes are ENUMs of the seeds'
codes, as dbt makes them on DuckDB (dbt_project/macros/code_types.sql).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from berjasa import seeds
from berjasa.config import SEEDS_DIR
from berjasa.warehouse.tables import PERIOD_TABLES

COHORTS = tuple(seeds.cohort_codes())  # the cohorts seed, in its order
SIZES_1 = dict.fromkeys(COHORTS, 10)
SIZES_2 = {
    "non_asn": 12,
    "rt_rw": 3,
    "kader_posyandu_kb": 10,
    "pekerja_keagamaan": 7,
    "penyelenggara_pemilu": 2,
    "pekerja_rentan": 25,
}


NON_ASN_PREMIUM = 7_202 + 9_002
BPU_PREMIUM = 10_000 + 6_800
INJECTION_DETAIL = '=HYPERLINK("http://x","klik")'


def expected_total(sizes: dict[str, int]) -> int:
    return sum(n * (NON_ASN_PREMIUM if c == "non_asn" else BPU_PREMIUM) for c, n in sizes.items())


DDL = """
create schema if not exists berjasa;
create or replace table berjasa.dim_cohort as
  select * replace (priority::integer as priority, valid_from::date as valid_from)
  from read_csv('{seeds}/cohorts.csv', all_varchar = true);
create or replace table berjasa.dim_rate as
  select * replace (basis_idr::bigint as basis_idr, rate_bp::integer as rate_bp,
                    flat_idr::bigint as flat_idr, valid_from::date as valid_from)
  from read_csv('{seeds}/contribution_rates.csv', all_varchar = true);
create or replace table berjasa.dim_reason as
  select * replace (precedence::integer as precedence)
  from read_csv('{seeds}/reason_codes.csv', all_varchar = true);
create or replace table berjasa.dim_area as
  select kecamatan_code, kecamatan, kelurahan_code, kelurahan
  from read_csv('{seeds}/ref_wilayah.csv', all_varchar = true);
create table if not exists berjasa.people_monthly (
  period date, person_key blob, primary_cohort varchar);
create or replace type main.cohort_code_enum as enum (
  select distinct cohort_code from berjasa.dim_cohort order by 1);
create or replace type main.program_enum as enum (
  select distinct program from berjasa.dim_rate order by 1);
create or replace type main.rate_id_enum as enum (
  select distinct rate_id from berjasa.dim_rate order by 1);
create table if not exists berjasa.billing_detail (
  period date, person_key blob, cohort_code main.cohort_code_enum,
  program main.program_enum, basis_idr bigint, rate_id main.rate_id_enum,
  premium_idr bigint);
create table if not exists berjasa.billing_monthly (
  period date, cohort_code varchar, program varchar, participants bigint, premium_idr bigint);
create table if not exists berjasa.membership_changes (
  period date, cohort_code varchar, new bigint, continuing bigint, exited bigint, active bigint);
create table if not exists berjasa.coverage_monthly (
  period date, area_code varchar, area_name varchar, program_participants bigint,
  bpjs_active_participants bigint, potential_workers bigint, program_share decimal(12,6),
  ucj_rate decimal(12,6), target_rate decimal(12,6), ucj_above_one boolean);
create table if not exists berjasa.rejected_records (
  period date, cohort_code varchar, source_file varchar, source_row integer,
  reason_code varchar, reason_detail varchar, nik_masked varchar);
create table if not exists berjasa.cross_cohort_duplicates (
  period date, person_key blob, primary_cohort varchar, duplicate_cohort varchar,
  programs_billed varchar);
create table if not exists berjasa.publication_cohort_status (
  period date, cohort_code varchar, status varchar, detail varchar, rows_read bigint,
  rows_accepted bigint, rows_rejected bigint);
create table if not exists berjasa.source_file_stats (
  period date, cohort_code varchar, source_file varchar, file_sha256 varchar, rows_read bigint,
  rows_accepted bigint, rows_rejected bigint, file_status varchar);
"""


def build_period(
    db: Path,
    period: str,
    sizes: dict[str, int],
    *,
    statuses: dict[str, str] | None = None,
    home: Path | None = None,
    reject_detail: str = INJECTION_DETAIL,
) -> None:
    """(Re)write one period of the fake marts; optionally its validated accepted.parquet."""
    day = dt.date.fromisoformat(period + "-01")
    statuses = statuses or {}
    con = duckdb.connect(str(db))
    try:
        con.execute(DDL.format(seeds=SEEDS_DIR))
        for table in ("people_monthly", *PERIOD_TABLES):
            con.execute(f"delete from berjasa.{table} where period = ?", [day])
        con.execute(
            "create or replace temp table sizes as select * from (values "
            + ", ".join(f"('{c}', {sizes.get(c, 0)}, {i})" for i, c in enumerate(COHORTS))
            + ") t(cohort_code, n, ord)"
        )
        con.execute(
            "create or replace temp table people as"
            " select ?::date as period, cohort_code, i,"
            " unhex(sha256('person-' || cohort_code || '-' || i)) as person_key,"
            " ['73.71.01', '73.71.01', '73.71.01', '73.71.02', '73.71.03'][i % 5 + 1] as area"
            " from (select cohort_code, unnest(range(n)) as i from sizes)",
            [day],
        )
        con.execute(
            "insert into berjasa.people_monthly select period, person_key, cohort_code from people"
        )
        con.execute(
            "insert into berjasa.billing_detail"
            " select period, person_key, cohort_code, program,"
            " case when cohort_code = 'non_asn' then 3000625 else 1000000 end,"
            " case when cohort_code = 'non_asn' then 'PU-' else 'BPU-' end || program || '-2015',"
            " case when cohort_code = 'non_asn' then (case program when 'JKK' then 7202"
            "   else 9002 end) else (case program when 'JKK' then 10000 else 6800 end) end"
            " from people, (values ('JKK'), ('JKM')) p(program)"
        )
        con.execute(
            "insert into berjasa.billing_monthly select period, cohort_code, program,"
            " count(*), sum(premium_idr) from berjasa.billing_detail where period = ?"
            " group by all",
            [day],
        )
        con.execute(
            "insert into berjasa.membership_changes select ?::date, cohort_code,"
            " greatest(n - 10, 0), n - greatest(n - 10, 0), greatest(10 - n, 0), n from sizes",
            [day],
        )
        con.execute(
            "insert into berjasa.coverage_monthly"
            " select period, area, 'Kecamatan ' || area, count(*), null, null, null, null, null,"
            " false from people group by period, area"
            " union all select ?::date, '73.71', 'Kota Makassar', (select count(*) from people),"
            " 500000, 582708, round((select count(*) from people) / 582708, 6),"
            " round(500000 / 582708, 6), 0.571, false",
            [day],
        )
        con.execute(
            "insert into berjasa.rejected_records values"
            " (?, 'rt_rw', 'rt_rw.csv', 7, 'nik_format', 'nik: not 16 digits',"
            "  '737101******0001'),"
            " (?, 'kader_posyandu_kb', 'kader_posyandu_kb.xlsx', 12, 'invalid_date', ?,"
            "  '737102******0002'),"
            " (?, 'non_asn', 'non_asn.csv', 3, 'wage_missing', 'upah: empty', '737103******0003')",
            [day, day, reject_detail, day],
        )
        con.execute(
            "insert into berjasa.cross_cohort_duplicates"
            " select period, person_key, 'non_asn', 'kader_posyandu_kb', '' from people"
            " where cohort_code = 'non_asn' and i = 0"
        )
        con.execute(
            "insert into berjasa.publication_cohort_status select ?::date, cohort_code,"
            " coalesce(s.status, case when n > 0 then 'published' else 'no_file' end),"
            " case when coalesce(s.status, '') = 'held_back' then 'ditahan: tolak > 20%'"
            "  else '' end, n + 1, n, 1 from sizes left join (select unnest(?::varchar[]) as c,"
            " unnest(?::varchar[]) as status) s on s.c = sizes.cohort_code",
            [day, list(statuses), list(statuses.values())],
        )
        con.execute(
            "insert into berjasa.source_file_stats select ?::date, cohort_code,"
            " cohort_code || '.csv', sha256(cohort_code || ?), n + 1, n, 1, 'ok'"
            " from sizes where n > 0",
            [day, period],
        )
        if home is not None:
            out = home / "validated" / period
            out.mkdir(parents=True, exist_ok=True)
            con.execute(
                f"copy (select period, cohort_code, cohort_code || '.csv' as source_file,"
                f" 1 as file_ordinal, (i + 2)::integer as source_row, person_key,"
                f" '737101******' || lpad((i % 10000)::varchar, 4, '0') as nik_masked"
                f" from people order by cohort_code, i) to '{out / 'accepted.parquet'}'"
                f" (format parquet)"
            )
    finally:
        con.close()
