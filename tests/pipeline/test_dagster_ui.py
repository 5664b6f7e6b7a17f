"""The Dagster UI on a published home, as an operator opens it: `dagster-webserver` started on
the home's instance loads the code location without errors, and its GraphQL API shows the
2026-01 publication with the exact billed total and the named checks of that run."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest
import requests

if TYPE_CHECKING:
    from conftest import Home

REPO = Path(__file__).resolve().parents[2]
PERIOD = "2026-01"
WEBSERVER = Path(sys.executable).parent / "dagster-webserver"
STARTUP_TIMEOUT_S = 120.0

WORKSPACE_QUERY = """
query {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on RepositoryLocation { repositories { name jobs { name } } }
          ... on PythonError { message }
        }
      }
    }
    ... on PythonError { message }
  }
  locationStatusesOrError {
    __typename
    ... on WorkspaceLocationStatusEntries { entries { name loadStatus } }
  }
}
"""

MATERIALIZATION_QUERY = """
query ($key: AssetKeyInput!, $partitions: [String!]) {
  assetOrError(assetKey: $key) {
    __typename
    ... on Asset {
      assetMaterializations(partitions: $partitions, limit: 1) {
        runId
        partition
        timestamp
        metadataEntries {
          label
          __typename
          ... on IntMetadataEntry { intValue intRepr }
        }
      }
    }
  }
}
"""

CHECK_QUERY = """
query ($key: AssetKeyInput!, $check: String!, $partition: String) {
  assetCheckExecutions(assetKey: $key, checkName: $check, partition: $partition, limit: 5) {
    runId
    status
    partition
    evaluation { success severity }
  }
}
"""

# check -> asset key path, and the statuses that count as "executed as expected" in the run.
PASSING_CHECKS = {
    "row_contracts": ["validated_rows"],
    "files_readable": ["validated_rows"],
    "cohorts_published": ["berjasa", "publication_cohort_status"],
    "assert_billing_detail_sums_to_billing_monthly": ["berjasa", "billing_monthly"],
}
# The checks Berjasa defines itself (the dbt test checks are made by dagster-dbt).
OWN_CHECKS = {"row_contracts", "files_readable", "cohorts_published"}
# Great Expectations checks warn (severity WARN): they must have run and produced a verdict.
GE_CHECKS = {
    "participants_within_25pct_of_previous_month": ["berjasa", "billing_monthly"],
    "ucj_rates_at_most_1": ["berjasa", "coverage_monthly"],
    "age_distribution_plausible": ["dbt_input_tables"],
    "desil_distribution_plausible": ["dbt_input_tables"],
}
OWN_CHECKS |= set(GE_CHECKS)


@dataclass
class Webserver:
    url: str
    process: subprocess.Popen

    def graphql(self, query: str, variables: dict[str, object] | None = None) -> dict:
        response = requests.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, timeout=60
        )
        response.raise_for_status()
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"dagster-webserver exited {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            if requests.get(f"{url}/server_info", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    pytest.fail(
        f"dagster-webserver not up after {STARTUP_TIMEOUT_S:.0f} s:\n{log.read_text()[-3000:]}"
    )


def _group_is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture(scope="module")
def webserver(published_home: Home) -> Iterator[Webserver]:
    port = _free_port()
    env = {**published_home.env, "DAGSTER_HOME": str(published_home.path / "dagster")}
    log = published_home.path / "logs" / "webserver.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [
                str(WEBSERVER),
                "-w",
                "workspace.yaml",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the code server dies with it
        )
    pgid = process.pid
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, process, log)
        yield Webserver(url, process)
    finally:
        # SIGKILL the whole group (dagster-webserver and its code-server child).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while not _group_is_gone(pgid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _group_is_gone(pgid), "dagster-webserver's process group survived SIGKILL"


def _warehouse_total(home: Home) -> int:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        (total,) = con.execute(
            "select sum(premium_idr)::bigint from berjasa.billing_monthly"
            " where strftime(period, '%Y-%m') = ?",
            [PERIOD],
        ).fetchone()
    return int(total)


def test_code_location_loads_without_errors(webserver: Webserver) -> None:
    data = webserver.graphql(WORKSPACE_QUERY)
    workspace = data["workspaceOrError"]
    assert workspace["__typename"] == "Workspace", workspace
    (entry,) = workspace["locationEntries"]
    assert entry["name"] == "berjasa"
    assert entry["loadStatus"] == "LOADED"
    location = entry["locationOrLoadError"]
    assert location["__typename"] == "RepositoryLocation", location
    jobs = {job["name"] for repo in location["repositories"] for job in repo["jobs"]}
    assert "berjasa_monthly" in jobs

    statuses = data["locationStatusesOrError"]
    assert statuses["__typename"] == "WorkspaceLocationStatusEntries"
    assert [(e["name"], e["loadStatus"]) for e in statuses["entries"]] == [("berjasa", "LOADED")]


def _publication(webserver: Webserver) -> dict:
    """The latest materialization of `warehouse_publication` for the period."""
    data = webserver.graphql(
        MATERIALIZATION_QUERY,
        {"key": {"path": ["warehouse_publication"]}, "partitions": [PERIOD]},
    )
    asset = data["assetOrError"]
    assert asset["__typename"] == "Asset", asset
    (materialization,) = asset["assetMaterializations"]
    assert materialization["partition"] == PERIOD
    return materialization


def _executions(
    webserver: Webserver, check: str, path: list[str], partition: str | None
) -> list[dict]:
    return webserver.graphql(
        CHECK_QUERY, {"key": {"path": path}, "check": check, "partition": partition}
    )["assetCheckExecutions"]


def test_publication_total_is_the_warehouse_total(
    webserver: Webserver, published_home: Home
) -> None:
    materialization = _publication(webserver)
    assert materialization["runId"] in published_home.runs[PERIOD].stdout  # `berjasa run`'s run

    entries = {e["label"]: e for e in materialization["metadataEntries"]}
    total = entries["total_premium_idr"]
    assert total["__typename"] == "IntMetadataEntry"
    expected = _warehouse_total(published_home)
    assert expected > 0
    assert int(total["intRepr"]) == expected  # intRepr: exact beyond 32 bits


def test_named_checks_of_the_publishing_run(webserver: Webserver) -> None:
    run_id = _publication(webserver)["runId"]
    for check, path in {**PASSING_CHECKS, **GE_CHECKS}.items():
        evaluated = [
            e
            for e in _executions(webserver, check, path, None)
            if e["runId"] == run_id and e["evaluation"] is not None
        ]
        assert len(evaluated) == 1, (check, evaluated)
        (execution,) = evaluated
        if check in PASSING_CHECKS:
            assert execution["status"] == "SUCCEEDED", (check, execution)
            assert execution["evaluation"]["success"] is True, check
        else:
            assert execution["status"] in ("SUCCEEDED", "FAILED"), (check, execution)
            assert execution["evaluation"]["severity"] == "WARN", check


def test_named_checks_are_recorded_for_the_partition(webserver: Webserver) -> None:
    run_id = _publication(webserver)["runId"]
    own_checks = {k: v for k, v in {**PASSING_CHECKS, **GE_CHECKS}.items() if k in OWN_CHECKS}
    for check, path in own_checks.items():
        of_run = [e for e in _executions(webserver, check, path, PERIOD) if e["runId"] == run_id]
        assert [e["status"] for e in of_run] != ["SKIPPED"], check
        assert len(of_run) == 1 and of_run[0]["evaluation"] is not None, (check, of_run)
