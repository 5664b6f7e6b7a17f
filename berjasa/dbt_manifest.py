"""Keeps dbt's manifest current without parsing on every import: `dbt parse` runs only when a
file of the dbt project is newer than `target/manifest.json` (set-up time, or after an edit)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from berjasa.config import DBT_PROJECT_DIR
from berjasa.dbt_client import real_dbt
from berjasa.errors import BerjasaError

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
_SOURCES = ("models", "macros", "seeds", "tests", "snapshots", "analyses")


def _newest_source_mtime() -> float:
    newest = max(
        (DBT_PROJECT_DIR / name).stat().st_mtime
        for name in ("dbt_project.yml", "profiles.yml")
        if (DBT_PROJECT_DIR / name).exists()
    )
    for folder in _SOURCES:
        for path in (DBT_PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def manifest_is_current() -> bool:
    return MANIFEST.exists() and MANIFEST.stat().st_mtime >= _newest_source_mtime()


def ensure_manifest() -> Path:
    if manifest_is_current():
        return MANIFEST
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    completed = subprocess.run(
        [
            str(real_dbt()),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--quiet",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BerjasaError(
            f"dbt parse failed:\n{completed.stdout[-4000:]}{completed.stderr[-2000:]}"
        )
    MANIFEST.touch()
    return MANIFEST


if __name__ == "__main__":  # `python -m berjasa.dbt_manifest` from the set-up script
    print(ensure_manifest())
