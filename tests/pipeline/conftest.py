"""End-to-end fixtures: real `berjasa` commands (subprocesses of the project's venv) on a
temporary BERJASA_HOME, so every test sees the product as a user does: exit codes, printed
summaries, the warehouse, the Dagster instance.

`published_home` (session): demo months 2025-12 and 2026-01 at a small scale, both run and
published to the DuckDB warehouse with a non-demo PII key.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BERJASA = Path(sys.executable).parent / "berjasa"
TEST_PII_KEY = "pipeline-test-key-9f8e7d6c5b4a"
DEMO_SCALE = "0.01"
MONTHS = ("2025-12", "2026-01")


@dataclass
class Home:
    path: Path
    env: dict[str, str]
    runs: dict[str, subprocess.CompletedProcess] = field(default_factory=dict)

    @property
    def landing(self) -> Path:
        return self.path / "landing"

    @property
    def warehouse(self) -> Path:
        return self.path / "warehouse.duckdb"

    def berjasa(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        completed = subprocess.run(
            [str(BERJASA), *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if check and completed.returncode != 0:
            raise AssertionError(
                f"berjasa {' '.join(args)} exited {completed.returncode}:\n"
                f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
            )
        return completed


def make_home(path: Path, **extra_env: str) -> Home:
    path.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BERJASA_", "DAGSTER_"))
    }
    env.update(
        BERJASA_HOME=str(path),
        BERJASA_PII_KEY=TEST_PII_KEY,
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        GX_ANALYTICS_ENABLED="false",
        **extra_env,
    )
    return Home(path=path, env=env)


@pytest.fixture(scope="session")
def home_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Home]:
    def factory(name: str, **extra_env: str) -> Home:
        return make_home(tmp_path_factory.mktemp(name), **extra_env)

    return factory


@pytest.fixture(scope="session")
def published_home(home_factory: Callable[..., Home]) -> Home:
    home = home_factory("published_home")
    for month in MONTHS:
        home.berjasa("demo-data", "--period", month, "--scale", DEMO_SCALE, check=True)
        home.runs[month] = home.berjasa("run", "--period", month)
        assert home.runs[month].returncode == 0, (
            home.runs[month].stdout[-3000:] + home.runs[month].stderr[-3000:]
        )
    return home
