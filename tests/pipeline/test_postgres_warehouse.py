"""The real marts of two demo months, published to PostgreSQL (the production warehouse) and to
the DuckDB file by `berjasa run`, are the same tables with the same contents and matching column
types."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import psycopg
import pytest
from conftest import DEMO_SCALE, MONTHS, Home

from berjasa.warehouse import PUBLISHED_TABLES, column_types, read_table
from berjasa.warehouse.targets import CODE_COLUMNS

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
# DuckDB type -> the PostgreSQL type the publisher must create for it.
EXPECTED_PG_TYPE = {
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "VARCHAR": "text",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "DECIMAL(12,6)": "numeric(12,6)",
}


@pytest.fixture(scope="module")
def pg_warehouse() -> Iterator[str]:
    name = f"berjasa_e2e_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"create database {name}")
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"drop database if exists {name} with (force)")


def test_real_marts_publish_identically_to_postgres(
    published_home: Home, home_factory: Callable[..., Home], pg_warehouse: str
):
    # The same demo months run by `berjasa run --warehouse postgresql://…` in a home of their own
    # (dbt's database holds the person-level tables of the month it built last only, so each
    # month is published by its own run, as in production).
    pg_home = home_factory("pg_home")
    for month in MONTHS:
        pg_home.berjasa("demo-data", "--period", month, "--scale", DEMO_SCALE, check=True)
        pg_home.berjasa("run", "--period", month, "--warehouse", pg_warehouse, check=True)
    duck = str(published_home.warehouse)
    for table in PUBLISHED_TABLES:
        duck_types = column_types(duck, table)
        pg_types = column_types(pg_warehouse, table)
        assert list(pg_types) == list(duck_types), table
        for column, duck_type in duck_types.items():
            if (table, column) in CODE_COLUMNS:  # an ENUM of its dimension's codes on DuckDB
                assert duck_type.startswith("ENUM('"), (table, column)
                duck_type = "VARCHAR"
            assert pg_types[column] == EXPECTED_PG_TYPE[duck_type], (table, column)
        duck_rows = read_table(duck, table)
        pg_rows = read_table(pg_warehouse, table)
        assert duck_rows.num_rows > 0, table
        assert pg_rows.to_pylist() == duck_rows.to_pylist(), table
