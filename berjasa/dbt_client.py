"""`berjasa-dbt`: the dbt executable of the dbt step. It hands its command to the month's warm
dbt process (`berjasa.dbt_warm`) when one is waiting, and otherwise is plain `dbt`.

dagster-dbt starts the dbt executable as a subprocess and reads dbt's JSON log lines from its
standard output. This client keeps that contract: it passes its arguments, environment,
working folder and its three standard streams (as file descriptors, over a Unix socket) to the
warm process, which runs dbt on those very streams and answers with dbt's exit code; the
client exits with it. dbt's output therefore reaches dagster-dbt exactly as a `dbt` process
would have written it.

It falls back to exec'ing the real `dbt` when no warm process is announced
(`BERJASA_DBT_WARM_SOCKET` unset: runs started from the Dagster UI), when none listens, when
it declines the command (other vars, target or database than it parsed for) or when it died
before answering. Standard library only: this runs on the dbt step's critical path.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import struct
import sys
from pathlib import Path

SOCKET_ENV = "BERJASA_DBT_WARM_SOCKET"
SOCKET_NAME = "dbt-warm.sock"
_LENGTH = struct.Struct("!I")


def real_dbt() -> Path:
    """The dbt beside this interpreter: found without an activated venv (NOTES: "The dbt
    executable 'dbt' was not found on PATH")."""
    return Path(sys.executable).parent / "dbt"


def send_request(sock: socket.socket, request: dict, fds: list[int]) -> None:
    """One request: its length with the file descriptors attached, then its JSON."""
    payload = json.dumps(request).encode()
    socket.send_fds(sock, [_LENGTH.pack(len(payload))], fds)
    sock.sendall(payload)


def receive_request(sock: socket.socket) -> tuple[dict, list[int]]:
    header, fds, _flags, _addr = socket.recv_fds(sock, _LENGTH.size, 3)
    if len(header) != _LENGTH.size:
        raise ConnectionError("incomplete request")
    (length,) = _LENGTH.unpack(header)
    payload = b""
    while len(payload) < length:
        chunk = sock.recv(length - len(payload))
        if not chunk:
            raise ConnectionError("incomplete request")
        payload += chunk
    return json.loads(payload), list(fds)


def send_reply(sock: socket.socket, reply: dict) -> None:
    sock.sendall(json.dumps(reply).encode() + b"\n")


def _forward_signals_to(pid: int) -> None:
    """dagster-dbt interrupts its dbt subprocess (this client) to cancel a build: pass it on."""

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)


def run_warm(socket_path: str, argv: list[str]) -> int | None:
    """dbt's exit code from the warm process, or None when it did not run the command."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            sock.connect(socket_path)
            request = {"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}
            send_request(sock, request, [0, 1, 2])
        except OSError:
            return None
        replies = sock.makefile("rb")
        accepted = replies.readline()
        if not accepted:
            return None  # it died before deciding (a failed parse is reported by the real dbt)
        answer = json.loads(accepted)
        if not answer.get("served"):
            return None
        _forward_signals_to(int(answer["pid"]))
        finished = replies.readline()
        if not finished:
            print("berjasa-dbt: the warm dbt process ended without an exit code", file=sys.stderr)
            return 2
        return int(json.loads(finished)["exit"])
    finally:
        sock.close()


def main() -> None:
    argv = sys.argv[1:]
    socket_path = os.environ.get(SOCKET_ENV)
    if socket_path:
        code = run_warm(socket_path, argv)
        if code is not None:
            sys.exit(code)
    dbt = real_dbt()
    os.execv(dbt, [str(dbt), *argv])


if __name__ == "__main__":
    main()
