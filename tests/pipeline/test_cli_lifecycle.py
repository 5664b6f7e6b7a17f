"""The publication lifecycle through the real `berjasa` command (SPEC §5/§6) on a fresh home:
publish → finalize → a plain re-run is refused and changes nothing → `--supersede --reason`
republishes (identical contents, the reason in publication_log) → the xlsx bill matches the
warehouse to the rupiah. Also the refusals that must happen before any work: `--supersede`
without a reason, an impossible period, and PostgreSQL with the public demo key.

One module fixture drives the sequence once (each full run is a whole Dagster job, ~1–2 min)
and records what each step printed and left behind; the tests then judge one step each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import CompletedProcess

import duckdb
import psycopg
import pytest
from python_calamine import CalamineWorkbook

from tests.pipeline.conftest import DEMO_SCALE, Home

PERIOD = "2026-01"
PERIOD_DATE = dt.date(2026, 1, 1)
REASON = "koreksi"
UNPUBLISHED = "2025-06"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
CONTENT_TABLES = ("billing_detail", "billing_monthly")


def table_rows(warehouse: Path, table: str) -> list[tuple]:
    """The period's full contents of a published table, sorted."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            f"select * from berjasa.{table} where period = ? order by all", [PERIOD_DATE]
        ).fetchall()
    finally:
        con.close()


def publication_log(warehouse: Path) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute(
            "select * from berjasa.publication_log where period = ? order by publication_id",
            [PERIOD_DATE],
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def warehouse_total(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (total,) = con.execute(
            "select sum(premium_idr) from berjasa.billing_monthly where period = ?", [PERIOD_DATE]
        ).fetchone()
    finally:
        con.close()
    return int(total)


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    return {table: table_rows(warehouse, table) for table in CONTENT_TABLES}


def output(completed: CompletedProcess) -> str:
    return completed.stdout + completed.stderr


@dataclass
class Lifecycle:
    home: Home
    steps: dict[str, CompletedProcess] = field(default_factory=dict)
    contents: dict[str, dict[str, list[tuple]]] = field(default_factory=dict)
    logs: dict[str, list[dict]] = field(default_factory=dict)
    warehouse_bytes: dict[str, bytes] = field(default_factory=dict)
    export_dir: Path | None = None

    def step(self, name: str, *args: str) -> CompletedProcess:
        self.steps[name] = self.home.berjasa(*args)
        return self.steps[name]

    def record(self, name: str) -> None:
        self.contents[name] = snapshot(self.home.warehouse)
        self.logs[name] = publication_log(self.home.warehouse)
        self.warehouse_bytes[name] = self.home.warehouse.read_bytes()


@pytest.fixture(scope="module")
def lifecycle(
    home_factory: Callable[..., Home], tmp_path_factory: pytest.TempPathFactory
) -> Lifecycle:
    home = home_factory("cli_lifecycle")
    home.berjasa("demo-data", "--period", PERIOD, "--scale", DEMO_SCALE, check=True)
    life = Lifecycle(home)
    first = life.step("run", "run", "--period", PERIOD)
    assert first.returncode == 0, output(first)[-3000:]
    life.record("run")

    life.step("finalize", "finalize", "--period", PERIOD)
    life.record("finalize")

    life.step("rerun_final", "run", "--period", PERIOD)
    life.record("rerun_final")

    life.step("supersede_no_reason", "run", "--period", PERIOD, "--supersede")
    life.record("supersede_no_reason")

    life.step("supersede", "run", "--period", PERIOD, "--supersede", "--reason", REASON)
    life.record("supersede")

    life.export_dir = tmp_path_factory.mktemp("cli_export")
    life.step(
        "export", "export", "--period", PERIOD, "--format", "xlsx", "--out", str(life.export_dir)
    )
    life.step("bad_period", "run", "--period", "2026-13")
    life.step("finalize_unpublished", "finalize", "--period", UNPUBLISHED)
    life.step(
        "export_unpublished",
        "export",
        "--period",
        UNPUBLISHED,
        "--format",
        "xlsx",
        "--out",
        str(life.export_dir / "unpublished"),
    )
    return life


def test_first_run_publishes_a_draft(lifecycle: Lifecycle) -> None:
    assert lifecycle.steps["run"].returncode == 0
    log = lifecycle.logs["run"]
    assert [row["status"] for row in log] == ["draft"]
    assert log[0]["supersede_reason"] is None
    assert log[0]["total_premium_idr"] == warehouse_total(lifecycle.home.warehouse)
    assert all(lifecycle.contents["run"][table] for table in CONTENT_TABLES)


def test_finalize_appends_a_final_row(lifecycle: Lifecycle) -> None:
    step = lifecycle.steps["finalize"]
    assert step.returncode == 0, output(step)
    assert f"{PERIOD} is final" in step.stdout
    assert [row["status"] for row in lifecycle.logs["finalize"]] == ["draft", "final"]
    assert lifecycle.contents["finalize"] == lifecycle.contents["run"]


def test_rerun_of_a_final_period_is_refused_and_changes_nothing(lifecycle: Lifecycle) -> None:
    step = lifecycle.steps["rerun_final"]
    assert step.returncode == 1, output(step)[-3000:]
    # refused before any work, in one line that says what to do
    assert step.stdout == ""
    (line,) = step.stderr.strip().splitlines()
    assert f"{PERIOD} is final" in line and '--supersede --reason "why"' in line
    assert lifecycle.contents["rerun_final"] == lifecycle.contents["finalize"]
    assert lifecycle.logs["rerun_final"] == lifecycle.logs["finalize"]
    assert lifecycle.warehouse_bytes["rerun_final"] == lifecycle.warehouse_bytes["finalize"]


def test_supersede_without_reason_is_refused_before_running(lifecycle: Lifecycle) -> None:
    step = lifecycle.steps["supersede_no_reason"]
    assert step.returncode == 1
    assert step.stderr.strip().splitlines() == [
        'berjasa: error: --supersede needs --reason "…" (it is recorded in publication_log)'
    ]
    assert step.stdout == ""
    assert lifecycle.warehouse_bytes["supersede_no_reason"] == lifecycle.warehouse_bytes["finalize"]


def test_supersede_with_reason_republishes_and_records_the_reason(lifecycle: Lifecycle) -> None:
    step = lifecycle.steps["supersede"]
    assert step.returncode == 0, output(step)[-3000:]
    log = lifecycle.logs["supersede"]
    assert [(row["status"], row["supersede_reason"]) for row in log] == [
        ("draft", None),
        ("final", None),
        ("final", REASON),
    ]
    first, latest = log[0], log[-1]
    assert latest["run_id"] != first["run_id"]
    for column in (
        "input_files",
        "rates_hash",
        "pii_key_fingerprint",
        "rows_read",
        "rows_accepted",
        "rows_rejected",
        "total_premium_idr",
    ):
        assert latest[column] == first[column], column


def test_republishing_the_same_inputs_gives_identical_contents(lifecycle: Lifecycle) -> None:
    before, after = lifecycle.contents["run"], lifecycle.contents["supersede"]
    for table in CONTENT_TABLES:
        assert len(after[table]) == len(before[table]) > 0, table
        assert after[table] == before[table], table


def test_xlsx_export_grand_total_equals_the_warehouse(lifecycle: Lifecycle) -> None:
    step = lifecycle.steps["export"]
    assert step.returncode == 0, output(step)
    assert lifecycle.export_dir is not None
    path = lifecycle.export_dir / f"rekap_tagihan_iuran_{PERIOD}.xlsx"
    assert step.stdout.strip().splitlines() == [str(path)]
    rows = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Rekap Tagihan Iuran").to_python()
    )
    totals = [row for row in rows if len(row) > 4 and row[1] == "TOTAL KESELURUHAN"]
    assert len(totals) == 1
    grand_total = totals[0][4]
    expected = warehouse_total(lifecycle.home.warehouse)
    assert expected > 0
    assert grand_total == expected and int(grand_total) == expected
    assert lifecycle.logs["supersede"][-1]["total_premium_idr"] == expected


def test_impossible_period_is_one_line_error_exit_1(lifecycle: Lifecycle) -> None:
    step = lifecycle.steps["bad_period"]
    assert "Traceback" not in step.stderr
    lines = step.stderr.strip().splitlines()
    assert len(lines) == 1, step.stderr
    assert "2026-13" in lines[0] and "YYYY-MM" in lines[0]
    assert step.returncode == 1


@pytest.mark.parametrize("command", ["finalize_unpublished", "export_unpublished"])
def test_a_never_published_period_is_a_one_line_error(lifecycle: Lifecycle, command: str) -> None:
    step = lifecycle.steps[command]
    assert step.returncode == 1, output(step)
    lines = step.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("berjasa: error: "), step.stderr
    assert UNPUBLISHED in lines[0] and "published" in lines[0]
    assert step.stdout == ""
    assert lifecycle.export_dir is not None
    assert not (lifecycle.export_dir / "unpublished").exists()


# --- PostgreSQL with the demo key --------------------------------------------------------------
@contextlib.contextmanager
def empty_pg_database() -> Iterator[str]:
    """A database of its own on the local server, so 'nothing written' can be checked exactly
    while other tests use the server."""
    name = f"berjasa_demo_key_{uuid.uuid4().hex[:10]}"
    # PostgreSQL down is a failure, never a skip (.ci/run starts it).
    admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=10)
    with admin:
        admin.execute(f'create database "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


def pg_user_objects(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as con:
        return con.execute(
            "select n.nspname, c.relname from pg_class c join pg_namespace n"
            " on n.oid = c.relnamespace"
            " where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')"
            " union all select nspname, '' from pg_namespace"
            " where nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'public')"
            " and nspname not like 'pg_%'"
        ).fetchall()


@dataclass
class DemoKeyRefusal:
    home: Home
    step: CompletedProcess
    pg_objects: list[tuple[str, str]]


@pytest.fixture(scope="module")
def demo_key_refusal(home_factory: Callable[..., Home]) -> Iterator[DemoKeyRefusal]:
    home = home_factory("cli_demo_key")
    home.env.pop("BERJASA_PII_KEY")  # the default: the labelled public demo key
    home.berjasa("demo-data", "--period", PERIOD, "--scale", DEMO_SCALE, check=True)
    with empty_pg_database() as url:
        step = home.berjasa("run", "--period", PERIOD, "--warehouse", url)
        yield DemoKeyRefusal(home, step, pg_user_objects(url))


def test_postgres_with_the_demo_key_is_refused(demo_key_refusal: DemoKeyRefusal) -> None:
    step = demo_key_refusal.step
    assert step.returncode == 1, output(step)[-3000:]
    assert "Traceback" not in step.stderr
    text = output(step)
    assert "demo PII key" in text and "BERJASA_PII_KEY" in text, text[-3000:]
    assert demo_key_refusal.pg_objects == []  # no schema, no table, not even publication_log
    assert not (demo_key_refusal.home.path / "state" / "ledger").exists()


def test_postgres_with_the_demo_key_is_refused_before_any_work(
    demo_key_refusal: DemoKeyRefusal,
) -> None:
    """A refusal known from the configuration alone must come first: one line on stderr, and
    no raw layer, validated rows or dbt database keyed with the public key left behind."""
    step = demo_key_refusal.step
    lines = step.stderr.strip().splitlines()
    assert len(lines) == 1 and "demo PII key" in lines[0], step.stderr[-3000:]
    home = demo_key_refusal.home.path
    assert [p for p in ("raw", "validated", "dbt") if (home / p).exists()] == []
