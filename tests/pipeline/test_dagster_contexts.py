"""The Dagster code location as the daemon and the UI see it: the definitions load, the graph
has its groups, job, partitions and named checks, and the real landing sensor and monthly
schedule answer a tick as they would in production (evaluated through Dagster, with the
definitions, so an invalid partition key fails here as it would in the daemon)."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dagster import (
    Definitions,
    MonthlyPartitionsDefinition,
    build_schedule_context,
    build_sensor_context,
)

from assets.resources import BerjasaResource
from berjasa.dbt_manifest import ensure_manifest

PERIOD = "2026-01"
QUIET_SECONDS = 30 * 60
MARTS = (
    "billing_monthly",
    "billing_detail",
    "coverage_monthly",
    "publication_cohort_status",
    "rejected_records",
    "membership_changes",
)
NAMED_CHECKS = {
    ("validated_rows", "row_contracts"),
    ("validated_rows", "files_readable"),
    ("berjasa/publication_cohort_status", "cohorts_published"),
    ("berjasa/billing_monthly", "participants_within_25pct_of_previous_month"),
    ("berjasa/coverage_monthly", "ucj_rates_at_most_1"),
    ("dbt_input_tables", "age_distribution_plausible"),
    ("dbt_input_tables", "desil_distribution_plausible"),
    ("warehouse_publication", "bill_published_by_10th"),
}
# A few dbt data tests that dagster-dbt must expose as checks on the marts.
DBT_TEST_CHECKS = {
    ("berjasa/billing_monthly", "assert_billing_detail_sums_to_billing_monthly"),
    (
        "berjasa/billing_monthly",
        "unique_combination_billing_monthly_period__cohort_code__program",
    ),
    ("berjasa/billing_detail", "accepted_values_billing_detail_program__JKK__JKM__JHT"),
    ("berjasa/source_file_stats", "assert_rows_read_equal_accepted_plus_rejected"),
    ("berjasa/publication_cohort_status", "assert_every_cohort_has_a_status_each_period"),
}


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Definitions]:
    """The code location, imported with a throwaway home (imports read no home state)."""
    home = tmp_path_factory.mktemp("contexts_home")
    patch = pytest.MonkeyPatch()
    patch.setenv("BERJASA_HOME", str(home))
    patch.setenv("BERJASA_PII_KEY", "contexts-test-key")
    ensure_manifest()  # as `berjasa run` / `berjasa ui` do before loading the definitions
    from orchestration.definitions import defs as berjasa_defs

    yield berjasa_defs
    patch.undo()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home whose sensor quiet period is the production default (30 min)."""
    monkeypatch.setenv("BERJASA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BERJASA_PII_KEY", "contexts-test-key")
    monkeypatch.delenv("BERJASA_SENSOR_QUIET_SECONDS", raising=False)
    monkeypatch.delenv("BERJASA_LANDING", raising=False)
    landing = tmp_path / "landing"
    landing.mkdir()
    return landing


def _keys(defs: Definitions) -> dict[str, str | None]:
    graph = defs.resolve_asset_graph()
    return {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}


def test_definitions_load_with_groups_job_and_partitions(defs: Definitions) -> None:
    Definitions.validate_loadable(defs)
    groups = _keys(defs)
    assert groups["landing_files"] == "ingest"
    assert groups["validated_rows"] == "validate"
    assert groups["dbt_input_tables"] == "transform"
    assert groups["warehouse_publication"] == "publish"
    assert set(groups.values()) == {"ingest", "validate", "transform", "publish"}
    for mart in MARTS:
        assert groups[f"berjasa/{mart}"] == "transform", mart

    job = defs.resolve_job_def("berjasa_monthly")
    partitions = job.partitions_def
    assert isinstance(partitions, MonthlyPartitionsDefinition)
    assert partitions.get_first_partition_key() == "2024-01"
    assert partitions.has_partition_key("2026-01")
    assert not partitions.has_partition_key("2023-12")
    assert partitions.timezone == "Asia/Makassar"

    assert {s.name for s in defs.schedules} == {"monthly_bill", "bill_freshness_daily"}
    assert {s.name for s in defs.sensors} == {"landing_folder"}


def test_named_checks_and_dbt_test_checks_exist(defs: Definitions) -> None:
    checks = {
        (check.asset_key.to_user_string(), check.name)
        for check in defs.resolve_asset_graph().asset_check_keys
    }
    assert not NAMED_CHECKS - checks, NAMED_CHECKS - checks
    assert not DBT_TEST_CHECKS - checks, DBT_TEST_CHECKS - checks
    # The monthly job runs every check but the daily freshness one.
    job_graph = defs.resolve_job_def("berjasa_monthly").asset_layer.asset_graph
    job_checks = {
        (check.asset_key.to_user_string(), check.name) for check in job_graph.asset_check_keys
    }
    assert ("warehouse_publication", "bill_published_by_10th") not in job_checks
    assert ("validated_rows", "row_contracts") in job_checks


# --- the landing sensor -------------------------------------------------------------------


def _write_month(landing: Path, period: str, files: dict[str, str]) -> Path:
    folder = landing / period
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _age(folder: Path, seconds: float) -> None:
    past = time.time() - seconds
    for path in folder.iterdir():
        os.utime(path, (past, past))


def _tick(defs: Definitions, landing: Path, cursor: str | None):
    from orchestration.sensors import landing_sensor

    context = build_sensor_context(
        cursor=cursor,
        resources={"berjasa": BerjasaResource(landing=str(landing))},
        definitions=defs,
    )
    return landing_sensor.evaluate_tick(context)


def test_landing_sensor_waits_for_quiet_files_then_requests_once(
    defs: Definitions, env: Path
) -> None:
    landing = env
    folder = _write_month(
        landing, PERIOD, {"pekerja_rentan.csv": "nik,nama\n1,a\n", "rt_rw.csv": "nik\n2\n"}
    )

    fresh = _tick(defs, landing, None)
    assert fresh.run_requests == []
    assert fresh.skip_message == "No landing folder has settled with new files."

    _age(folder, QUIET_SECONDS + 60)  # 31 minutes ago
    settled = _tick(defs, landing, fresh.cursor)
    assert len(settled.run_requests) == 1
    request = settled.run_requests[0]
    assert request.partition_key == PERIOD
    assert request.run_key is not None
    assert request.run_key.startswith(f"landing:{PERIOD}:")
    assert settled.cursor is not None and PERIOD in settled.cursor

    again = _tick(defs, landing, settled.cursor)
    assert again.run_requests == []
    assert again.skip_message is not None

    # The same file with new content (a corrected list), its mtime still old: a new state.
    (folder / "rt_rw.csv").write_text("nik\n2\n3\n", encoding="utf-8")
    _age(folder, QUIET_SECONDS + 60)
    changed = _tick(defs, landing, again.cursor)
    assert len(changed.run_requests) == 1
    assert changed.run_requests[0].partition_key == PERIOD
    assert changed.run_requests[0].run_key != request.run_key

    assert _tick(defs, landing, changed.cursor).run_requests == []


def test_landing_sensor_ready_marker_requests_fresh_files_immediately(
    defs: Definitions, env: Path
) -> None:
    landing = env
    folder = _write_month(landing, "2026-02", {"pekerja_rentan.csv": "nik\n1\n"})
    assert _tick(defs, landing, None).run_requests == []

    (folder / "_READY").write_text("", encoding="utf-8")
    ready = _tick(defs, landing, None)
    assert [r.partition_key for r in ready.run_requests] == ["2026-02"]
    assert _tick(defs, landing, ready.cursor).run_requests == []


def test_landing_sensor_ignores_periods_outside_the_partitions(
    defs: Definitions, env: Path
) -> None:
    landing = env
    for period in ("2019-01", "2099-12", PERIOD):
        _age(_write_month(landing, period, {"pekerja_rentan.csv": "nik\n1\n"}), 2 * 3600)

    # Evaluated with the definitions, an unknown key would fail the whole tick
    # (DagsterUnknownPartitionError) and block the valid month too.
    result = _tick(defs, landing, None)
    assert [r.partition_key for r in result.run_requests] == [PERIOD]

    only_old = env.parent / "only_old"
    _age(_write_month(only_old, "2019-01", {"pekerja_rentan.csv": "nik\n1\n"}), 2 * 3600)
    skipped = _tick(defs, only_old, None)
    assert skipped.run_requests == []
    assert skipped.skip_message is not None


# --- the monthly schedule ------------------------------------------------------------------


def test_monthly_schedule_bills_the_month_of_the_tick(defs: Definitions) -> None:
    from orchestration.schedules import monthly_bill_schedule

    assert monthly_bill_schedule.cron_schedule == "0 7 6 * *"
    assert monthly_bill_schedule.execution_timezone == "Asia/Makassar"
    assert monthly_bill_schedule.job_name == "berjasa_monthly"

    tick = dt.datetime(2026, 2, 6, 7, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    context = build_schedule_context(
        scheduled_execution_time=tick, repository_def=defs.get_repository_def()
    )
    result = monthly_bill_schedule.evaluate_tick(context)
    assert len(result.run_requests) == 1
    assert result.run_requests[0].partition_key == "2026-02"
    assert result.run_requests[0].run_key == "schedule:2026-02"

    # The same instant in UTC (23:00 on the 5th) still bills February: Makassar time decides.
    utc_tick = tick.astimezone(dt.UTC)
    assert utc_tick.day == 5
    context = build_schedule_context(scheduled_execution_time=utc_tick)
    assert monthly_bill_schedule(context).partition_key == "2026-02"
