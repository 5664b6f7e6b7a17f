"""Fixtures: a scratch PostgreSQL database per test session (real server, never mocked), and a
fake dbt database. If PostgreSQL is down the tests fail: start it with
`pg_ctlcluster --skip-systemctl-redirect 15 main start`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fake_marts import SIZES_1, SIZES_2, build_period

from berjasa.config import Settings

PG_ADMIN_URL = os.environ.get(
    "BERJASA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    name = f"berjasa_wh_test_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            f"create database {name} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'"
        )
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"drop database if exists {name} with (force)")


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """The session database, emptied of the warehouse schemas before each test."""
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("drop schema if exists berjasa_bi cascade")
        conn.execute("drop schema if exists berjasa cascade")
    return pg_database


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    home = tmp_path / "home"
    home.mkdir()
    return Settings(
        home=home,
        landing=home / "landing",
        warehouse=str(home / "warehouse.duckdb"),
        pii_key="test-only-secret-key-for-warehouse-tests",
    )


@pytest.fixture
def source_db(settings: Settings) -> Path:
    """Fake dbt database with two periods: 2025-01 (10 per cohort) and 2025-02 (small cells,
    `pekerja_rentan` held back)."""
    db = settings.home / "dbt" / "berjasa_dbt.duckdb"
    db.parent.mkdir(parents=True)
    build_period(db, "2025-01", SIZES_1, home=settings.home)
    build_period(
        db, "2025-02", SIZES_2, statuses={"pekerja_rentan": "held_back"}, home=settings.home
    )
    return db
