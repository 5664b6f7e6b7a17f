"""The landing-folder sensor: a month is run once its files have stopped changing for a quiet
period (default 30 minutes) or a `_READY` file appears; never twice for one state of the files.

The decision is a pure function (`plan_landing_runs`) over a snapshot of the folder, the cursor
and the clock, so it is unit-tested without Dagster.
"""

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from dagster import RunRequest, SensorEvaluationContext, SkipReason, sensor

from assets.partitions import monthly_partitions
from assets.resources import BerjasaResource
from orchestration.jobs import monthly_job

READY_MARKER = "_READY"
DEFAULT_QUIET_SECONDS = 30 * 60
_PERIOD_DIR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class FolderState:
    period: str
    fingerprint: str  # of names, sizes and mtimes of the files (the marker excluded)
    newest_mtime: float
    ready: bool


def snapshot_landing(landing: Path) -> list[FolderState]:
    states = []
    if not landing.is_dir():
        return states
    for folder in sorted(p for p in landing.iterdir() if p.is_dir() and _PERIOD_DIR.match(p.name)):
        entries = []
        newest = 0.0
        ready = False
        for path in sorted(folder.iterdir()):
            if not path.is_file():
                continue
            if path.name == READY_MARKER:
                ready = True
                continue
            stat = path.stat()
            entries.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
            newest = max(newest, stat.st_mtime)
        if entries:
            digest = hashlib.sha256("\n".join(entries).encode()).hexdigest()[:16]
            states.append(FolderState(folder.name, digest, newest, ready))
    return states


def plan_landing_runs(
    states: list[FolderState], cursor: dict[str, str], now: float, quiet_seconds: float
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Which (period, fingerprint) to run now, and the new cursor {period: fingerprint run}."""
    requests = []
    new_cursor = dict(cursor)
    for state in states:
        if cursor.get(state.period) == state.fingerprint:
            continue  # this exact state of the files was already requested
        settled = state.ready or now - state.newest_mtime >= quiet_seconds
        if settled:
            requests.append((state.period, state.fingerprint))
            new_cursor[state.period] = state.fingerprint
    return requests, new_cursor


@sensor(
    name="landing_folder",
    job=monthly_job,
    minimum_interval_seconds=60,
    description="Runs a month once its landing files are quiet for 30 min or `_READY` appears.",
)
def landing_sensor(
    context: SensorEvaluationContext, berjasa: BerjasaResource
) -> list[RunRequest] | SkipReason:
    settings = berjasa.settings()
    quiet = float(os.environ.get("BERJASA_SENSOR_QUIET_SECONDS") or DEFAULT_QUIET_SECONDS)
    cursor = json.loads(context.cursor) if context.cursor else {}
    # A folder outside the partitions (e.g. `2019-01`) would fail the whole tick with an
    # unknown-partition error and block the other months: it is left alone.
    states = [
        s
        for s in snapshot_landing(settings.landing)
        if monthly_partitions.has_partition_key(s.period)
    ]
    requests, new_cursor = plan_landing_runs(states, cursor, time.time(), quiet)
    context.update_cursor(json.dumps(new_cursor, sort_keys=True))
    if not requests:
        return SkipReason("No landing folder has settled with new files.")
    return [
        RunRequest(run_key=f"landing:{period}:{fingerprint}", partition_key=period)
        for period, fingerprint in requests
    ]
