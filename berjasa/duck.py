"""DuckDB connections with bounded memory. DuckDB's default is 80 % of the machine's memory per
connection; a month at national scale would take it, so every heavy connection of the pipeline
(and dbt's profile) caps it and spills to disk instead. BERJASA_DUCKDB_MEMORY_LIMIT overrides."""

from __future__ import annotations

import os

import duckdb

DEFAULT_MEMORY_LIMIT = "3GB"


def memory_limit() -> str:
    return os.environ.get("BERJASA_DUCKDB_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT


def connect(database: str = ":memory:", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(database, read_only=read_only, config={"memory_limit": memory_limit()})
