"""The warm dbt's hand-over: which commands it may run on its parse, and the client's way back
to the real dbt when there is no warm process to take them. (That each month's build is run
by the warm process, on its parse, is asserted on real runs in
tests/pipeline/test_run_pipeline.py.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from berjasa.dbt_client import (
    SOCKET_ENV,
    SOCKET_NAME,
    receive_request,
    run_warm,
    send_reply,
)
from berjasa.dbt_vars import dbt_vars_arg
from berjasa.dbt_warm import accepts, dbt_environment, start_warm_dbt

VARS = dbt_vars_arg("2026-01", 0.2)


def _parsed_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, **dbt_environment(tmp_path / "berjasa_dbt.duckdb", tmp_path / "target")}


def test_a_build_of_the_parsed_month_home_and_target_is_accepted(tmp_path: Path):
    env = _parsed_env(tmp_path)
    build = ["build", "--vars", VARS, "--exclude", "resource_type:unit_test", "--select", "fqn:*"]
    assert accepts(build, env, VARS, env)
    assert accepts(["build", f"--vars={VARS}"], env, VARS, env)


def test_anything_the_parse_was_not_made_for_is_declined(tmp_path: Path):
    env = _parsed_env(tmp_path)
    other_home = {**env, "BERJASA_DBT_DATABASE": str(tmp_path / "other.duckdb")}
    other_target = {**env, "DBT_TARGET_PATH": str(tmp_path / "other-target")}
    other_limit = {**env, "BERJASA_DUCKDB_MEMORY_LIMIT": "9GB"}
    declined = [
        (["build", "--vars", dbt_vars_arg("2026-02", 0.2)], env),  # another month
        (["build", "--vars", dbt_vars_arg("2026-01", 0.25)], env),  # another threshold
        (["build"], env),  # no vars at all
        (["build", "--vars", VARS, "--target", "postgres"], env),  # another profile target
        (["build", "--vars", VARS, "-t", "postgres"], env),
        (["build", "--vars", VARS, "--profiles-dir", str(tmp_path)], env),
        (["parse", "--vars", VARS], env),  # only builds
        (["--version"], env),
        ([], env),
        (["build", "--vars", VARS], other_home),
        (["build", "--vars", VARS], other_target),
        (["build", "--vars", VARS], other_limit),
    ]
    for argv, request_env in declined:
        assert not accepts(argv, request_env, VARS, env), argv


def test_the_client_falls_back_when_no_warm_process_listens(tmp_path: Path):
    assert run_warm(str(tmp_path / "no-such.sock"), ["build"]) is None


def _client_against(
    tmp_path: Path, stand_in: Callable[[socket.socket], None], argv: list[str], **env: str
) -> subprocess.CompletedProcess:
    """Runs `berjasa-dbt <argv>` against a stand-in for the warm process, which gets the
    accepted connection in a thread."""
    path = str(tmp_path / "warm.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    server = threading.Thread(target=lambda: stand_in(listener.accept()[0]))
    server.start()
    try:
        return subprocess.run(
            [sys.executable, "-m", "berjasa.dbt_client", *argv],
            env={**os.environ, SOCKET_ENV: path, **env},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.join(timeout=10)
        listener.close()


def test_the_client_hands_over_its_command_environment_and_streams(tmp_path: Path):
    """The stand-in receives the request and the client's three standard streams, writes to
    the client's stdout itself, and answers an exit code."""
    received: dict = {}

    def warm_process(connection: socket.socket) -> None:
        request, fds = receive_request(connection)
        received.update(request)
        send_reply(connection, {"served": True, "pid": os.getpid()})
        os.write(fds[1], b'{"info": "written on the client\'s stdout"}\n')
        for fd in fds:
            os.close(fd)
        send_reply(connection, {"exit": 3})
        connection.close()

    client = _client_against(tmp_path, warm_process, ["build", "--vars", VARS], MARKER="seen")
    assert client.returncode == 3
    assert client.stdout == '{"info": "written on the client\'s stdout"}\n'
    assert received["argv"] == ["build", "--vars", VARS]
    assert received["env"]["MARKER"] == "seen"
    assert Path(received["cwd"]) == tmp_path


def test_a_declined_command_runs_the_real_dbt(tmp_path: Path):
    def declining_process(connection: socket.socket) -> None:
        _request, fds = receive_request(connection)
        for fd in fds:
            os.close(fd)
        send_reply(connection, {"served": False, "pid": os.getpid()})
        connection.close()

    client = _client_against(tmp_path, declining_process, ["--version"])
    assert client.returncode == 0
    assert "Core:" in client.stdout  # the real dbt answered


def test_the_warm_process_sees_the_builds_database_target_and_vars(tmp_path: Path):
    env = dbt_environment(tmp_path / "berjasa_dbt.duckdb", tmp_path / "target")
    assert env["BERJASA_DBT_DATABASE"] == str(tmp_path / "berjasa_dbt.duckdb")
    assert env["DBT_TARGET_PATH"] == env["DBT_LOG_PATH"] == str(tmp_path / "target")
    assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"
    # one string for both: the parse is only valid for the vars it was made with
    assert VARS == '{"period": "2026-01", "reject_threshold": 0.2}'


def test_a_released_warm_dbt_writes_its_parse_and_exits(tmp_path: Path):
    """A run that ends before its dbt step releases the warm dbt: it finishes its parse (never
    leaves half a saved parse behind), then exits, and the next one may start."""
    target = tmp_path / "target"
    warm = start_warm_dbt(tmp_path / "berjasa_dbt.duckdb", target, VARS)
    warm.release()
    assert warm.process.wait(timeout=300) == 0
    assert (target / "partial_parse.msgpack").stat().st_size > 0
    assert not (target / SOCKET_NAME).exists()
    again = start_warm_dbt(tmp_path / "berjasa_dbt.duckdb", target, VARS)  # the lock is free
    again.release()
    assert again.process.wait(timeout=300) == 0


def test_dbt_log_is_info_level_unless_the_user_asks_for_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("DBT_LOG_LEVEL_FILE", raising=False)
    assert dbt_environment(tmp_path / "db", tmp_path / "t")["DBT_LOG_LEVEL_FILE"] == "info"
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    assert dbt_environment(tmp_path / "db", tmp_path / "t")["DBT_LOG_LEVEL_FILE"] == "debug"
