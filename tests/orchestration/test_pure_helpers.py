"""Pure helpers of the Dagster layer: partition → dbt vars, schedule tick → period, the sensor's
decision, the freshness rule. No Dagster instance needed."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from assets.checks import bill_deadline_status
from assets.partitions import monthly_partitions
from berjasa.dbt_vars import dbt_vars_arg, dbt_vars_for_period
from orchestration.schedules import period_for_tick
from orchestration.sensors import FolderState, plan_landing_runs, snapshot_landing

WITA = dt.timezone(dt.timedelta(hours=8))


def test_dbt_vars_for_period():
    assert dbt_vars_for_period("2026-01", 0.2) == {"period": "2026-01", "reject_threshold": 0.2}
    assert json.loads(dbt_vars_arg("2025-12", 0.25)) == {
        "period": "2025-12",
        "reject_threshold": 0.25,
    }


def test_partitions_start_2024_01_and_use_period_keys():
    keys = monthly_partitions.get_partition_keys(
        current_time=dt.datetime(2026, 11, 21, tzinfo=dt.UTC)
    )
    assert keys[0] == "2024-01"
    assert keys[-1] == "2026-11"  # end_offset=1: the current month exists


def test_schedule_tick_bills_the_month_it_falls_in_makassar_time():
    # 6 Dec 07:00 WITA is 5 Dec 23:00 UTC: still December in Makassar.
    tick = dt.datetime(2025, 12, 5, 23, 0, tzinfo=dt.UTC)
    assert period_for_tick(tick) == "2025-12"


def _state(period: str, fp: str, mtime: float, ready: bool = False) -> FolderState:
    return FolderState(period=period, fingerprint=fp, newest_mtime=mtime, ready=ready)


def test_sensor_waits_while_files_change_then_requests_once():
    quiet = 1800
    # files still changing: newest mtime 60 s ago
    requests, cursor = plan_landing_runs([_state("2026-01", "a", 1000.0)], {}, 1060.0, quiet)
    assert requests == [] and cursor == {}
    # quiet for 30 min: one request
    requests, cursor = plan_landing_runs([_state("2026-01", "a", 1000.0)], cursor, 2800.0, quiet)
    assert requests == [("2026-01", "a")]
    assert cursor == {"2026-01": "a"}
    # same files again: nothing
    requests, cursor2 = plan_landing_runs([_state("2026-01", "a", 1000.0)], cursor, 9000.0, quiet)
    assert requests == [] and cursor2 == cursor
    # a file changes and settles: a new request for the new state
    requests, _ = plan_landing_runs([_state("2026-01", "b", 9000.0)], cursor, 10900.0, quiet)
    assert requests == [("2026-01", "b")]


def test_sensor_ready_marker_skips_the_quiet_period():
    requests, _ = plan_landing_runs([_state("2026-02", "x", 1000.0, ready=True)], {}, 1001.0, 1800)
    assert requests == [("2026-02", "x")]


def test_snapshot_fingerprint_ignores_marker_and_tracks_content(tmp_path: Path):
    month = tmp_path / "2026-01"
    month.mkdir()
    (tmp_path / "notes").mkdir()  # not a period folder
    (month / "rt_rw.csv").write_text("nik\n")
    first = snapshot_landing(tmp_path)
    assert [s.period for s in first] == ["2026-01"] and not first[0].ready
    (month / "_READY").write_text("")
    second = snapshot_landing(tmp_path)
    assert second[0].ready and second[0].fingerprint == first[0].fingerprint
    (month / "rt_rw.csv").write_text("nik,nama\n")
    os.utime(month / "rt_rw.csv", (5, 5))
    assert snapshot_landing(tmp_path)[0].fingerprint != first[0].fingerprint


def test_bill_deadline_rule():
    before = dt.datetime(2026, 11, 9, 23, 59, tzinfo=WITA)
    after = dt.datetime(2026, 11, 10, 0, 0, tzinfo=WITA)
    assert bill_deadline_status(before, set())[0] is True
    assert bill_deadline_status(after, set()) == (
        False,
        "2026-11 is overdue: BPJS must be paid by the 15th.",
    )
    assert bill_deadline_status(after, {"2026-11"})[0] is True
