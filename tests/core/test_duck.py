"""DuckDB connections: memory capped, in-memory ones spilling inside BERJASA_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from berjasa import duck


def _setting(con, name: str) -> str:
    return con.execute("select current_setting(?)", [name]).fetchone()[0]


def test_in_memory_connections_spill_inside_the_home(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BERJASA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BERJASA_DUCKDB_MEMORY_LIMIT", "512MB")
    con = duck.connect()
    try:
        assert Path(_setting(con, "temp_directory")) == tmp_path / "home" / "tmp" / "duckdb"
        assert _setting(con, "memory_limit") == "488.2 MiB"
        assert _setting(con, "block_allocator_memory") == "488.2 MiB"
    finally:
        con.close()


def test_database_files_spill_beside_themselves(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BERJASA_HOME", str(tmp_path / "home"))
    con = duck.connect(str(tmp_path / "x.duckdb"))
    try:
        assert _setting(con, "temp_directory") == str(tmp_path / "x.duckdb.tmp")
    finally:
        con.close()


def test_the_quality_checks_read_dbt_with_the_memory_limit(tmp_path: Path, monkeypatch) -> None:
    from berjasa.quality import aggregates

    monkeypatch.setenv("BERJASA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BERJASA_DUCKDB_MEMORY_LIMIT", "512MB")
    db = tmp_path / "dbt.duckdb"
    duck.connect(str(db)).close()
    con = aggregates.connect(db)
    try:
        assert _setting(con, "memory_limit") == "488.2 MiB"
    finally:
        con.close()


# Renders dbt's profile as dbt does (its own renderer, the environment as dbt reads it). In a
# process of its own: in the test session, `dbt` could resolve to the tests' `dbt` package.
_RENDER_PROFILE = """
import json, os, sys
from argparse import Namespace
from dbt.config.profile import Profile, read_profile
from dbt.config.renderer import ProfileRenderer
from dbt.flags import set_from_args
from dbt_common.context import set_invocation_context
set_invocation_context(dict(os.environ))
set_from_args(Namespace(), None)
profile = Profile.from_raw_profiles(
    read_profile(sys.argv[1]), "berjasa", ProfileRenderer({}), target_override="duckdb"
)
print(json.dumps(profile.credentials.settings))
"""


def test_dbt_profile_sets_the_same_memory_as_the_pipeline(tmp_path: Path) -> None:
    # dbt's DuckDB session gets the pipeline's memory limit and block allocator, both from the
    # environment variable that overrides them
    project = Path(__file__).resolve().parents[2] / "dbt_project"
    env = {**os.environ, "BERJASA_DUCKDB_MEMORY_LIMIT": "512MB"}
    done = subprocess.run(
        [sys.executable, "-c", _RENDER_PROFILE, str(project)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    settings = json.loads(done.stdout.strip().splitlines()[-1])
    assert settings["memory_limit"] == "512MB"
    assert settings["block_allocator_memory"] == "512MB"
