"""The hand-over between the parse ahead and the dbt step: waiting blocks exactly while a
process holds the target folder's lock. (That the build then reuses the parse is asserted on
real runs in tests/pipeline/test_run_pipeline.py.)"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from berjasa.dbt_parse_ahead import LOCK_NAME, dbt_environment, wait_for_parse
from berjasa.dbt_vars import dbt_vars_arg

HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_wait_returns_at_once_when_no_parse_was_started(tmp_path: Path):
    started = time.monotonic()
    wait_for_parse(tmp_path / "target")
    assert time.monotonic() - started < 1.0
    assert (tmp_path / "target" / LOCK_NAME).exists()


def test_wait_blocks_until_the_parsing_process_exits(tmp_path: Path):
    tmp_path.mkdir(exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path / LOCK_NAME), "1.5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    assert holder.poll() is None
    started = time.monotonic()
    wait_for_parse(tmp_path)
    # the lock was free only once the holder let go, at exit (it sleeps 1.5 s after locking)
    assert time.monotonic() - started > 1.0
    assert holder.wait(timeout=5) == 0


def test_the_parse_sees_the_builds_database_target_and_vars(tmp_path: Path):
    env = dbt_environment(tmp_path / "berjasa_dbt.duckdb", tmp_path / "target")
    assert env["BERJASA_DBT_DATABASE"] == str(tmp_path / "berjasa_dbt.duckdb")
    assert env["DBT_TARGET_PATH"] == env["DBT_LOG_PATH"] == str(tmp_path / "target")
    assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"
    # one string for both invocations: dbt reparses everything when the vars differ at all
    assert dbt_vars_arg("2026-01", 0.2) == '{"period": "2026-01", "reject_threshold": 0.2}'
