"""Shared builds for the dbt tests: the golden fixture built once per backend (module scope),
month 1, then month 2 with month 1's people as the ledger, then month 1 rebuilt."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from berjasa.config import DBT_PROJECT_DIR, Settings
from berjasa.dbt_inputs import load_inputs
from tests.dbt import golden_inputs as g

DBT = Path(sys.executable).parent / "dbt"
MARTS = {
    "billing_detail": "period, person_key, cohort_code, program, basis_idr, rate_id, premium_idr",
    "billing_monthly": "period, cohort_code, program, participants, premium_idr",
    "membership_changes": "period, cohort_code, new, continuing, exited, active",
    "rejected_records": "period, cohort_code, source_file, source_row, reason_code, reason_detail, "
    "nik_masked",
    "publication_cohort_status": "period, cohort_code, status, detail, rows_read, rows_accepted, "
    "rows_rejected, list_used",
    "cross_cohort_duplicates": "period, person_key, primary_cohort, duplicate_cohort, "
    "programs_billed",
    "coverage_monthly": "period, area_code, area_name, program_participants, "
    "bpjs_active_participants, potential_workers, program_share, ucj_rate, target_rate, "
    "ucj_rate_above_1",
    "people_monthly": "period, person_key, primary_cohort",
    "source_file_stats": "period, cohort_code, source_file, file_sha256, rows_read, rows_accepted, "
    "rows_rejected, file_status",
}
# Marts dbt's database holds for the month it built last only (dbt_project.yml).
BUILT_MONTH_MARTS = ("billing_detail", "cross_cohort_duplicates", "people_monthly")


def prepare_project(dest: Path) -> Path:
    """A copy of dbt_project with test-only seed rows: PU JKK rises to 0.54% from 2026-02 (the
    old row closed on 2026-01-31) and a kecamatan UCJ denominator (73.71.01: 30,000)."""
    project = dest / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR,
        project,
        ignore=shutil.ignore_patterns("target", "logs", ".user.yml", "dbt_packages"),
    )
    rates = project / "seeds" / "contribution_rates.csv"
    old_row = "PU-JKK-2015,PU,JKK,wage,0,24,0,2015-07-01,,"
    text = rates.read_text().replace(old_row, old_row[:-1] + "2026-01-31,")
    text += "PU-JKK-2026-02,PU,JKK,wage,0,54,0,2026-02-01,,test-only rate change\n"
    rates.write_text(text)
    targets = project / "seeds" / "ucj_targets.csv"
    targets.write_text(
        targets.read_text() + "73.71.01,Mariso,30000,,2024-01-01,,test-only denominator\n"
    )
    return project


def run_dbt(project: Path, env: dict[str, str], *args: str) -> str:
    full_env = {**os.environ, **env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    target = env.get("BERJASA_DBT_TARGET", "duckdb")
    command = [str(DBT), *args, "--project-dir", str(project), "--profiles-dir", str(project)]
    result = subprocess.run(
        [*command, "--target", target],
        env=full_env,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}")
    return result.stdout


def build_args(period: str, unit_tests: bool) -> list[str]:
    args = ["build", "--vars", f"{{period: '{period}', reject_threshold: {g.REJECT_THRESHOLD}}}"]
    if not unit_tests:  # later builds of a sequence: rules already tested, seeds already loaded
        args += ["--exclude", "resource_type:unit_test", "resource_type:seed"]
    return args


@dataclass
class Build:
    """Snapshots of the marts after each step: key `M1`, `M2`, `M1_rebuilt`."""

    backend: str
    snapshots: dict[str, dict[str, list[tuple[Any, ...]]]] = field(default_factory=dict)
    dbt_output: dict[str, str] = field(default_factory=dict)
    # DuckDB only: mart -> compression methods of its person_key segments, after the sequence
    key_compression: dict[str, list[str]] = field(default_factory=dict)
    # DuckDB only: "table.column" -> type of the ENUM columns of billing_detail and
    # int_list_rows_checked, and the ENUM types (schema, name)
    code_types: dict[str, str] = field(default_factory=dict)
    enum_types: list[tuple[str, str]] = field(default_factory=list)
    # DuckDB only: dbt's database and project after the sequence (its compiled tests)
    database: Path | None = None
    project: Path | None = None


def _settings(home: Path) -> Settings:
    return Settings(home=home, landing=home / "landing", warehouse="", pii_key="test-key")


# The fake keys (`p01`...) are bytes in dbt, as the validated layer's digests: read back as text.
KEY_AS_TEXT = {"duckdb": "decode(person_key)", "postgres": "convert_from(person_key, 'UTF8')"}


def _snapshot(query, target: str) -> dict[str, list[tuple[Any, ...]]]:
    key = f"{KEY_AS_TEXT[target]} as person_key"
    return {
        name: sorted(
            query(f"select {cols.replace('person_key', key)} from berjasa.{name}"), key=repr
        )
        for name, cols in MARTS.items()
    }


def _ledger_rows(rows: list[tuple[Any, ...]], period: str) -> list[tuple[Any, ...]]:
    return [r for r in rows if r[0].isoformat()[:7] == period]


def _run_sequence(
    build: Build,
    home: Path,
    project: Path,
    env: dict[str, str],
    load,
    query,
    target: str = "duckdb",
) -> None:
    settings = _settings(home)
    env = {**env, "BERJASA_DBT_TARGET": target}
    g.write_period(home, g.M1)
    load(settings, g.M1)
    build.dbt_output["M1"] = run_dbt(project, env, *build_args(g.M1, unit_tests=True))
    build.snapshots["M1"] = _snapshot(query, target)
    g.write_ledger(home, g.M1, _ledger_rows(build.snapshots["M1"]["people_monthly"], g.M1))
    g.write_period(home, g.M2)
    load(settings, g.M2)
    build.dbt_output["M2"] = run_dbt(project, env, *build_args(g.M2, unit_tests=False))
    build.snapshots["M2"] = _snapshot(query, target)
    load(settings, g.M1)
    build.dbt_output["M1_rebuilt"] = run_dbt(project, env, *build_args(g.M1, unit_tests=False))
    build.snapshots["M1_rebuilt"] = _snapshot(query, target)


def _duckdb_sequence(root: Path) -> Build:
    project = prepare_project(root)
    home = root / "home"
    database = home / "dbt" / "berjasa_dbt.duckdb"
    env = {"BERJASA_DBT_DATABASE": str(database)}

    def load(settings: Settings, period: str) -> None:
        load_inputs(settings, period, database)

    def query(sql: str) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(database), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    build = Build("duckdb", database=database, project=project)
    _run_sequence(build, home, project, env, load, query)
    build.code_types = dict(
        query(
            "select table_name || '.' || column_name, data_type from duckdb_columns()"
            " where table_name in ('billing_detail', 'int_list_rows_checked')"
            " and data_type like 'ENUM%'"
        )
    )
    build.enum_types = query(
        "select schema_name, type_name from duckdb_types() where logical_type = 'ENUM'"
        " and not internal order by all"
    )
    for mart in ("billing_detail", "cross_cohort_duplicates"):  # people_monthly: a view
        build.key_compression[mart] = [
            method
            for (method,) in query(
                "select distinct compression from pragma_storage_info('berjasa." + mart + "')"
                " where column_name = 'person_key' and segment_type = 'BLOB' order by 1"
            )
        ]
    return build


def _pg_params(dbname: str) -> dict[str, str]:
    """Connection keywords (not a conninfo string: an empty password would swallow the next
    keyword)."""
    return {
        "host": os.environ.get("BERJASA_PG_HOST", "127.0.0.1"),
        "port": os.environ.get("BERJASA_PG_PORT", "5432"),
        "user": os.environ.get("BERJASA_PG_USER", "postgres"),
        "password": os.environ.get("BERJASA_PG_PASSWORD", ""),
        "dbname": dbname,
    }


def _postgres_sequence(root: Path, dbname: str) -> Build:
    project = prepare_project(root)
    env = {"BERJASA_PG_DBNAME": dbname}
    with psycopg.connect(**_pg_params(dbname)) as conn:

        def load(settings: Settings, period: str) -> None:
            load_inputs(settings, period, conn)

        def query(sql: str) -> list[tuple[Any, ...]]:
            with psycopg.connect(**_pg_params(dbname)) as reader:
                return reader.execute(sql).fetchall()

        build = Build("postgres")
        _run_sequence(build, root / "home", project, env, load, query, target="postgres")
    return build


@pytest.fixture(scope="module")
def golden_builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Build | None]]:
    """Both backends build the golden fixture at the same time (two processes, two cores);
    PostgreSQL uses a scratch database dropped afterwards. PostgreSQL down is a failure, never
    a skip (`.ci/run` starts it)."""
    admin = psycopg.connect(**_pg_params("postgres"), autocommit=True, connect_timeout=10)
    dbname = f"berjasa_dbt_test_{uuid.uuid4().hex[:10]}"
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            duck = pool.submit(_duckdb_sequence, tmp_path_factory.mktemp("dbt_duckdb"))
            admin.execute(f"create database {dbname}")
            pg = pool.submit(_postgres_sequence, tmp_path_factory.mktemp("dbt_pg"), dbname)
            builds = {"duckdb": duck.result(), "postgres": pg.result()}
        yield builds
    finally:
        admin.execute(f"drop database if exists {dbname} with (force)")
        admin.close()


@pytest.fixture(scope="module")
def duckdb_build(golden_builds: dict[str, Build | None]) -> Build:
    build = golden_builds["duckdb"]
    assert build is not None
    return build


@pytest.fixture(scope="module")
def postgres_build(golden_builds: dict[str, Build | None]) -> Build:
    build = golden_builds["postgres"]
    assert build is not None
    return build
