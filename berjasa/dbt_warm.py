"""A warm dbt for the month: one background process parses the dbt project ahead, while the run
lands and validates, and then runs the month's `dbt build` itself on the parse it holds.

Why: a `dbt build` process spends ~3 s importing dbt and ~2 s loading the project and its
saved parse before its first model (at scale 1, 5 of the dbt step's 12 s), and that start-up
sits on the run's critical path. dbt also throws its saved parse away and parses the whole
project again (~5 s of CPU) whenever the `--vars` or the profile change: on every new month
(the period is a var) and on a home's first run.

How: `berjasa run` calls `start_warm_dbt` before it loads Dagster. The process binds a Unix
socket in the home's dbt target folder, imports dbt, parses with the month's exact vars,
target and profile (dbt's saved parse is written as before) and waits for one request. The dbt
step's executable is `berjasa-dbt` (`berjasa.dbt_client`), which hands its command, environment
and standard streams over that socket; this process runs the build in-process with the parsed
manifest (`dbtRunner(manifest=...)`), on the client's streams, and answers dbt's exit code.

It declines (and the client runs the real `dbt`) any command but a build with the same vars,
target folder, database, project and profiles as the parse: a parse is only valid for those.
It serves one build, then exits; it also exits, once its parse is written, when `berjasa run`
releases it or is gone (a pipe it watches is closed), or after `MAX_IDLE_SECONDS` without a
request. An exclusive `flock` on the target folder's
`parse-ahead.lock`, held for its whole life, keeps two of them (or one and a parse of an
earlier run) from writing one target folder at once.
"""

from __future__ import annotations

import fcntl
import gc
import os
import select
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from berjasa.config import DBT_PROJECT_DIR
from berjasa.dbt_client import SOCKET_NAME, receive_request, send_reply

LOCK_NAME = "parse-ahead.lock"
MAX_IDLE_SECONDS = 4 * 3600
# What a parse depends on besides the vars: the build must see the same, or it is declined.
PARSE_ENVIRONMENT = (
    "BERJASA_DBT_DATABASE",
    "DBT_TARGET_PATH",
    "DBT_PROFILES_DIR",
    "DBT_PROJECT_DIR",
    "BERJASA_DUCKDB_MEMORY_LIMIT",
)


def dbt_profile_environment(dbt_database: Path) -> dict[str, str]:
    """What every dbt invocation of a home needs: its database inside BERJASA_HOME (read by the
    profile), no usage stats, and `target/dbt.log` at info level: its debug lines (every SQL
    statement and connection, ~7,500 lines for a parse) cost ~1.5 s of CPU a build; errors and
    each node's result stay, and Dagster keeps the build's own output. Set DBT_LOG_LEVEL_FILE
    (e.g. `debug`) to see every statement again."""
    return {
        "BERJASA_DBT_DATABASE": str(dbt_database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "info"),
    }


def dbt_environment(dbt_database: Path, target_dir: Path) -> dict[str, str]:
    """The parse's environment as dagster-dbt sets it for the build: the profile's, plus the
    home's target (and log) folder and this project. The parse must see the same profile and
    target as the build, or the build cannot use it."""
    return {
        **dbt_profile_environment(dbt_database),
        "DBT_TARGET_PATH": str(target_dir),
        "DBT_LOG_PATH": str(target_dir),
        "DBT_LOG_FORMAT": "json",  # as dagster-dbt runs the build: one format in dbt.log
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
    }


def socket_path(target_dir: Path) -> Path:
    return target_dir / SOCKET_NAME


@dataclass
class WarmDbt:
    """A started warm dbt. `release()` tells it that no build will come (the run is over): it
    then exits once its parse is written, never in the middle of it."""

    process: subprocess.Popen
    wanted_fd: int  # the write end of a pipe whose read end the process watches

    def release(self) -> None:
        if self.wanted_fd >= 0:
            os.close(self.wanted_fd)  # the process sees end-of-file (as when this process dies)
            self.wanted_fd = -1


def start_warm_dbt(dbt_database: Path, target_dir: Path, dbt_vars: str) -> WarmDbt:
    """Starts the month's warm dbt in the background and returns at once. `dbt_vars` must be
    the very string the build passes."""
    target_dir.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(target_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    watched_fd, wanted_fd = os.pipe()
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)  # the warm dbt of an earlier run has finished first
        process = subprocess.Popen(
            [sys.executable, "-m", "berjasa.dbt_warm", dbt_vars, str(watched_fd)],
            cwd=DBT_PROJECT_DIR,
            env={**os.environ, **dbt_environment(dbt_database, target_dir)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(lock_fd, watched_fd),  # the child holds the lock until it exits
        )
    except BaseException:
        os.close(wanted_fd)
        raise
    finally:
        os.close(lock_fd)  # our copy: the lock now lives exactly as long as the child
        os.close(watched_fd)
    return WarmDbt(process, wanted_fd)


def _flag_value(argv: list[str], *names: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg in names and index + 1 < len(argv):
            return argv[index + 1]
        for name in names:
            if arg.startswith(f"{name}="):
                return arg.split("=", 1)[1]
    return None


def accepts(
    argv: list[str], env: dict[str, str], dbt_vars: str, parsed_env: dict[str, str]
) -> bool:
    """Whether a command can run on this process's parse: a build with the parse's vars, on the
    profile's default target (the parse's), with the parse's database, target folder, project,
    profiles and memory limit."""
    return (
        bool(argv)
        and argv[0] == "build"
        and _flag_value(argv, "--vars") == dbt_vars
        and all(
            _flag_value(argv, flag) is None
            for flag in ("--target", "-t", "--profile", "--profiles-dir", "--project-dir")
        )
        and all(env.get(name) == parsed_env.get(name) for name in PARSE_ENVIRONMENT)
    )


def _parse(dbt_vars: str):  # -> dbt Manifest | None
    from dbt.cli.main import dbtRunner

    args = ["parse", "--vars", dbt_vars, "--quiet"]
    sys.argv = ["dbt", *args]  # dbt logs its command line from sys.argv
    result = dbtRunner().invoke(args)
    return result.result if result.success else None


def _serve_build(connection: socket.socket, request: dict, fds: list[int], manifest) -> None:
    from dbt.cli.main import dbtRunner

    for target, fd in enumerate(fds):  # the client's stdin, stdout and stderr become ours
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = ["dbt", *request["argv"]]  # dbt logs its command line from sys.argv
    try:
        result = dbtRunner(manifest=manifest).invoke(list(request["argv"]))
        code = 0 if result.success else (2 if result.exception is not None else 1)
    except BaseException as error:  # noqa: BLE001 - the client must still get an exit code
        print(f"berjasa-dbt: the warm dbt failed: {type(error).__name__}", file=sys.stderr)
        code = 2
    sys.stdout.flush()
    sys.stderr.flush()
    send_reply(connection, {"exit": code})


def serve(dbt_vars: str, watched_fd: int) -> None:
    target_dir = Path(os.environ["DBT_TARGET_PATH"])
    path = socket_path(target_dir)
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)  # a client that connects now waits for the parse below
    parsed_env = dict(os.environ)
    try:
        manifest = _parse(dbt_vars)
    except Exception:  # noqa: BLE001 - the real dbt will report what is wrong
        manifest = None
    gc.freeze()  # the parsed project lives until exit: keep it out of the build's collections
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < MAX_IDLE_SECONDS:
        ready, _, _ = select.select([listener, watched_fd], [], [], 60.0)
        if watched_fd in ready:
            break  # released, or `berjasa run` is gone: no build will come
        if listener not in ready:
            continue
        connection, _ = listener.accept()
        try:
            request, fds = receive_request(connection)
        except (OSError, ValueError):
            connection.close()
            continue
        served = manifest is not None and accepts(
            request.get("argv", []), request.get("env", {}), dbt_vars, parsed_env
        )
        send_reply(connection, {"served": served, "pid": os.getpid()})
        if served:
            _serve_build(connection, request, fds, manifest)
        else:
            for fd in fds:
                os.close(fd)
        break
    path.unlink(missing_ok=True)


if __name__ == "__main__":  # started by start_warm_dbt
    serve(sys.argv[1], watched_fd=int(sys.argv[2]))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # nothing left to tidy: skip the interpreter's teardown of dbt and DuckDB
