"""dbt's parse of a month's build, started ahead of the dbt step so it overlaps the run's first
steps instead of delaying the build.

dbt keeps its parse between invocations (`partial_parse.msgpack` in the target folder) but
throws it away and parses the whole project again (~5 s of CPU) whenever the command-line
`--vars` or the profile change: on every new month (the period is a var) and on a home's first
run. `berjasa run` therefore starts `dbt parse` with the month's exact vars, target folder and
profile in the background before it loads Dagster; the dbt step waits for it (`wait_for_parse`)
and its `dbt build` then only loads the saved parse.

An exclusive `flock` on `<target>/parse-ahead.lock`, held by the background process for its
whole life, is the hand-over: waiting is taking that lock. The parse is only a head start: if
it fails or was never started, `dbt build` parses as it always did and reports any error.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

from berjasa.config import DBT_PROJECT_DIR
from berjasa.dbt_manifest import dbt_executable

LOCK_NAME = "parse-ahead.lock"


def dbt_profile_environment(dbt_database: Path) -> dict[str, str]:
    """What every dbt invocation of a home needs: its database inside BERJASA_HOME (read by the
    profile) and no usage stats."""
    return {
        "BERJASA_DBT_DATABASE": str(dbt_database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def dbt_environment(dbt_database: Path, target_dir: Path) -> dict[str, str]:
    """The parse's environment as dagster-dbt sets it for the build: the profile's, plus the
    home's target (and log) folder and this project. The parse ahead must see the same profile
    and target as the build, or the build cannot reuse it."""
    return {
        **dbt_profile_environment(dbt_database),
        "DBT_TARGET_PATH": str(target_dir),
        "DBT_LOG_PATH": str(target_dir),
        "DBT_LOG_FORMAT": "json",  # as dagster-dbt runs the build: one format in dbt.log
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
    }


def start_parse(dbt_database: Path, target_dir: Path, dbt_vars: str) -> subprocess.Popen:
    """Starts `dbt parse --vars <dbt_vars>` in the background and returns at once. `dbt_vars`
    must be the very string the build passes (dbt compares the parsed vars)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(target_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a parse ahead of an earlier run is finished first
        return subprocess.Popen(
            [str(dbt_executable()), "parse", "--vars", dbt_vars, "--quiet"],
            cwd=DBT_PROJECT_DIR,
            env={**os.environ, **dbt_environment(dbt_database, target_dir)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(fd,),  # the child holds the lock until it exits
        )
    finally:
        os.close(fd)  # our copy: the lock now lives exactly as long as the child


def wait_for_parse(target_dir: Path) -> None:
    """Returns when no parse ahead is running for this target folder (at once if none was
    started)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(target_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    finally:
        os.close(fd)
