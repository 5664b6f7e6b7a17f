"""`berjasa ui` as a user starts it, without an activated virtual environment (no `.venv/bin` on
PATH): the webserver serves the home's instance and the `berjasa` code location loads with its
four asset groups. (It did not: dagster-dbt's `prepare_if_dev` looked for `dbt` on PATH.)"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

QUERY = """{ workspaceOrError { ... on Workspace { locationEntries { name locationOrLoadError {
  __typename ... on PythonError { message }
  ... on RepositoryLocation { repositories { assetGroups { groupName } } } } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _location(port: int) -> dict | None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            entries = json.load(response)["data"]["workspaceOrError"]["locationEntries"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return entries[0] if entries and entries[0]["locationOrLoadError"] else None


def test_the_ui_loads_the_code_location_without_an_activated_venv(tmp_path: Path):
    port = _free_port()
    berjasa = Path(sys.executable).parent / "berjasa"
    env = {
        **os.environ,
        "BERJASA_HOME": str(tmp_path / "home"),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }
    env.pop("VIRTUAL_ENV", None)
    ui = subprocess.Popen(
        [str(berjasa), "ui", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its code server and daemon die with it (killpg below)
    )
    try:
        location = None
        deadline = time.monotonic() + 180
        while location is None and time.monotonic() < deadline and ui.poll() is None:
            time.sleep(2)
            location = _location(port)
        assert location is not None, "the UI never answered"
        assert location["name"] == "berjasa"
        loaded = location["locationOrLoadError"]
        assert loaded["__typename"] == "RepositoryLocation", loaded.get("message", "")[:2000]
        groups = {g["groupName"] for r in loaded["repositories"] for g in r["assetGroups"]}
        assert groups == {"ingest", "validate", "transform", "publish"}
    finally:
        os.killpg(ui.pid, signal.SIGKILL)  # `dagster dev` may ignore SIGTERM (NOTES)
        ui.wait(timeout=30)
