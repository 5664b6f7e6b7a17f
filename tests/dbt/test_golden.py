"""The golden fixture end to end: exact rupiah per person x program and per cohort x program,
statuses, rejects, movement, coverage, incremental rebuilds, and DuckDB = PostgreSQL."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.dbt import golden_inputs as g
from tests.dbt.conftest import BUILT_MONTH_MARTS, Build

PERIODS = {g.M1: dt.date(2026, 1, 1), g.M2: dt.date(2026, 2, 1)}


def _period_rows(build: Build, step: str, mart: str, period: str) -> list[tuple]:
    return [row for row in build.snapshots[step][mart] if row[0] == PERIODS[period]]


def _detail(build: Build, step: str, period: str) -> set[tuple[str, str, str, int]]:
    return {
        (person, cohort, program, premium)
        for _, person, cohort, program, _, _, premium in _period_rows(
            build, step, "billing_detail", period
        )
    }


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def build(request: pytest.FixtureRequest) -> Build:
    return request.getfixturevalue(f"{request.param}_build")


@pytest.mark.parametrize("period", [g.M1, g.M2])
def test_billing_detail_is_the_hand_computed_bill(build: Build, period: str) -> None:
    step = "M1" if period == g.M1 else "M2"
    assert _detail(build, step, period) == set(g.EXPECTED_DETAIL[period])
    assert len(_period_rows(build, step, "billing_detail", period)) == len(
        g.EXPECTED_DETAIL[period]
    )


@pytest.mark.parametrize("period", [g.M1, g.M2])
def test_billing_monthly_is_exact(build: Build, period: str) -> None:
    step = "M1" if period == g.M1 else "M2"
    rows = _period_rows(build, step, "billing_monthly", period)
    assert {tuple(row[1:]) for row in rows} == g.EXPECTED_MONTHLY[period]
    assert len(rows) == len(g.EXPECTED_MONTHLY[period])


def test_rounding_basis_and_rate_ids(build: Build) -> None:
    m1 = {(r[1], r[3]): r for r in _period_rows(build, "M1", "billing_detail", g.M1)}
    m2 = {(r[1], r[3]): r for r in _period_rows(build, "M2", "billing_detail", g.M2)}
    # 0.24% of 3,000,625 = 7,201.5 -> 7,202 and 0.30% = 9,001.875 -> 9,002
    assert m1[("p01", "JKK")][4:] == (3_000_625, "PU-JKK-2015", 7_202)
    assert m1[("p01", "JKM")][4:] == (3_000_625, "PU-JKM-2015", 9_002)
    # the test-only rate change from 2026-02 applies to February only
    assert m2[("p01", "JKK")][4:] == (3_000_625, "PU-JKK-2026-02", 16_203)
    # a non_asn employee who is a cadre gets the cadre's BPU JHT
    assert m1[("p03", "JHT")][2:] == ("kader_posyandu_kb", "JHT", 1_000_000, "BPU-JHT-2015", 20_000)
    assert m1[("p04", "JKM")][4:] == (None, "BPU-JKM-2015", 6_800)


@pytest.mark.parametrize("period", [g.M1, g.M2])
def test_rejected_records(build: Build, period: str) -> None:
    step = "M1" if period == g.M1 else "M2"
    rows = _period_rows(build, step, "rejected_records", period)
    assert {(r[1], r[2], r[3], r[4]) for r in rows} == g.EXPECTED_REJECTS[period]
    assert len(rows) == len(g.EXPECTED_REJECTS[period])


def test_statuses_and_held_back_uses_the_good_list(build: Build) -> None:
    m1 = {r[1]: r for r in _period_rows(build, "M1", "publication_cohort_status", g.M1)}
    m2 = {r[1]: r for r in _period_rows(build, "M2", "publication_cohort_status", g.M2)}
    assert len(m1) == len(m2) == 6
    assert {r[2] for r in m1.values()} == {"published"}
    assert m1["rt_rw"][4:] == (7, 5, 2, "current")
    assert m1["pekerja_rentan"][4:] == (7, 4, 3, "current")
    pemilu = m2["penyelenggara_pemilu"]
    assert (pemilu[2], pemilu[4:]) == ("held_back", (3, 1, 2, "previous_good"))
    assert {k for k, r in m2.items() if r[2] == "published"} == set(m2) - {"penyelenggara_pemilu"}


def test_cross_cohort_duplicates(build: Build) -> None:
    rows = _period_rows(build, "M1", "cross_cohort_duplicates", g.M1)
    assert {r[1:] for r in rows} == {
        ("p03", "non_asn", "kader_posyandu_kb", "JHT"),
        ("p05", "rt_rw", "kader_posyandu_kb", "JHT"),
    }


@pytest.mark.parametrize("period", [g.M1, g.M2])
def test_membership_changes(build: Build, period: str) -> None:
    step = "M1" if period == g.M1 else "M2"
    rows = _period_rows(build, step, "membership_changes", period)
    assert {r[1]: tuple(r[2:]) for r in rows} == g.EXPECTED_MEMBERSHIP[period]


def test_source_file_invariant(build: Build) -> None:
    rows = _period_rows(build, "M1", "source_file_stats", g.M1)
    stats = {r[2]: r[4:7] for r in rows}
    assert stats["rt_rw.xlsx"] == (7, 5, 2)
    assert stats["pekerja_rentan__b.csv"] == (2, 1, 1)
    assert all(read == accepted + rejected for read, accepted, rejected in stats.values())


def test_coverage(build: Build) -> None:
    rows = {r[1]: r for r in _period_rows(build, "M1", "coverage_monthly", g.M1)}
    assert len(rows) == 17  # 15 kecamatan, luar Makassar, the city
    assert rows["73.71"][3:6] == (17, 300_000, 582_708)
    assert rows["73.71"][7] == Decimal("0.514838")  # 300,000 / 582,708
    assert rows["73.71"][8] == Decimal("0.571000")
    assert rows["luar"][3] == 1  # the non_asn employee living in Gowa
    assert rows["73.71.04"][3] == 3
    mariso = rows["73.71.01"]
    assert mariso[3:6] == (1, 40_000, 30_000)
    assert (mariso[7], mariso[9]) == (Decimal("1.333333"), True)  # flagged, never capped
    assert rows["73.71.02"][5:8] == (None, None, None)
    assert sum(r[3] for code, r in rows.items() if code != "73.71") == 17


def test_rebuilding_month_1_replaces_exactly_itself(build: Build) -> None:
    for mart in build.snapshots["M2"]:
        assert _period_rows(build, "M1_rebuilt", mart, g.M1) == _period_rows(
            build, "M1", mart, g.M1
        ), mart
        # the person-grain marts hold the month built last only (the warehouse keeps the months);
        # the aggregates keep theirs: the drift checks compare with the month before
        kept_m2 = [] if mart in BUILT_MONTH_MARTS else _period_rows(build, "M2", mart, g.M2)
        assert _period_rows(build, "M1_rebuilt", mart, g.M2) == kept_m2, mart


def test_person_grain_marts_hold_the_month_built_last_only(build: Build) -> None:
    for mart in BUILT_MONTH_MARTS:
        assert {row[0] for row in build.snapshots["M2"][mart]} == {PERIODS[g.M2]}, mart
    assert {row[0] for row in build.snapshots["M2"]["billing_monthly"]} == set(PERIODS.values())


def test_ucj_above_1_is_a_warning_not_an_error(build: Build) -> None:
    assert "WARN 1 warn_ucj_rate_above_1" in build.dbt_output["M1"].replace("\x1b[33m", "")


def test_billing_detail_identical_on_duckdb_and_postgres(
    duckdb_build: Build, postgres_build: Build
) -> None:
    for step in ("M1", "M2", "M1_rebuilt"):
        duck = duckdb_build.snapshots[step]["billing_detail"]
        pg = postgres_build.snapshots[step]["billing_detail"]
        assert duck == pg
        assert len(duck) > 0


def test_duckdb_workspace_stores_marts_uncompressed(duckdb_build: Build) -> None:
    # profiles.yml `force_compression: uncompressed`: dbt's database is the month's workspace,
    # and compression analysis was a third of dbt's time at national scale
    assert duckdb_build.key_compression == {
        "billing_detail": ["Uncompressed"],
        "cross_cohort_duplicates": ["Uncompressed"],
    }


def test_unique_combination_reports_each_repeated_combination(
    duckdb_build: Build, tmp_path: Path
) -> None:
    # The test dbt ran on billing_detail (DuckDB's sort-based form), run again on a copy of
    # dbt's database in which one line appears three times, one twice under another cohort,
    # and one again for a person who has no line (a new combination, no repeat).
    assert duckdb_build.database is not None and duckdb_build.project is not None
    (compiled,) = (duckdb_build.project / "target" / "compiled").rglob(
        "unique_combination_billing_d*.sql"
    )
    database = tmp_path / duckdb_build.database.name  # the compiled SQL names its catalog
    shutil.copy(duckdb_build.database, database)
    con = duckdb.connect(str(database))
    try:
        lines = con.execute(
            "select period, person_key, cohort_code, program, basis_idr, rate_id, premium_idr"
            " from berjasa.billing_detail order by person_key, program limit 3"
        ).fetchall()
        assert con.execute(compiled.read_text()).fetchall() == []
        first, second, third = lines
        insert = "insert into berjasa.billing_detail values (?, ?, ?, ?, ?, ?, ?)"
        con.executemany(insert, [first, first])
        con.execute(insert, [*second[:2], "rt_rw", *second[3:]])
        con.execute(insert, [third[0], b"p99", *third[2:]])
        found = sorted(con.execute(compiled.read_text()).fetchall())
    finally:
        con.close()
    assert found == sorted([(*first[:2], first[3], 3), (*second[:2], second[3], 2)])


def test_national_size_tables_hold_codes_as_enums_on_duckdb(duckdb_build: Build) -> None:
    # macros/code_types.sql: each seed load makes its codes the type again, so the rate the test
    # project's seed adds (prepare_project) is among them with no change to the model
    cohorts = "'kader_posyandu_kb', 'non_asn', 'pekerja_keagamaan', 'pekerja_rentan', "
    cohorts += "'penyelenggara_pemilu', 'rt_rw'"
    rates = "'BPU-JHT-2015', 'BPU-JKK-2015', 'BPU-JKM-2015', 'PU-JKK-2015', 'PU-JKK-2026-02', "
    rates += "'PU-JKM-2015'"
    assert duckdb_build.code_types == {
        "billing_detail.cohort_code": f"ENUM({cohorts})",
        "billing_detail.program": "ENUM('JHT', 'JKK', 'JKM')",
        "billing_detail.rate_id": f"ENUM({rates})",
        "int_list_rows_checked.list_kind": "ENUM('current', 'previous_good')",
        "int_list_rows_checked.cohort_code": f"ENUM({cohorts})",
        # the 15 kecamatan of the ref_wilayah seed
        "int_list_rows_checked.kecamatan_code": "ENUM("
        + ", ".join(f"'73.71.{n:02d}'" for n in range(1, 16))
        + ")",
    }
    # in main: DuckDB 1.5 cannot replay a log that creates a schema and then a type in it
    assert duckdb_build.enum_types == [
        ("main", "cohort_code_enum"),
        ("main", "kecamatan_code_enum"),
        ("main", "program_enum"),
        ("main", "rate_id_enum"),
    ]
