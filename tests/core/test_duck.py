"""DuckDB connections: memory capped, in-memory ones spilling inside BERJASA_HOME."""

from __future__ import annotations

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
