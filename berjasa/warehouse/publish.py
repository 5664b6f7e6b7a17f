"""Publish one period of dbt's marts to the city data warehouse, and finalise it.

Lifecycle (SPEC §5). A publication logs status `draft`; `finalize_period` (finance: the bill was
paid) appends a `final` row. A final period is only republished with a supersede reason; that
publication is logged with status `final` and the reason, because the replacement is the bill
of record now (it does not go back to draft). A reason given for a period that is not final is
simply recorded with status `draft`. The current status of a period is its latest log row.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from berjasa.config import Settings
from berjasa.errors import BerjasaError
from berjasa.periods import parse_period
from berjasa.pii import key_fingerprint
from berjasa.warehouse import source as src
from berjasa.warehouse import state
from berjasa.warehouse.provenance import Provenance
from berjasa.warehouse.tables import LOG_COLUMNS, LOG_TABLE, SCHEMA, load_comments
from berjasa.warehouse.targets import (
    Adapter,
    apply_comments,
    ensure_table,
    is_postgres,
    open_target,
    q,
)

DRAFT = "draft"
FINAL = "final"


class PeriodFinalError(BerjasaError, RuntimeError):
    pass


class DemoKeyError(BerjasaError, RuntimeError):
    pass


class NotPublishedError(BerjasaError, RuntimeError):
    pass


@dataclass(frozen=True)
class PublicationResult:
    period: str
    publication_id: int
    run_id: str
    status: str
    target: str  # "duckdb" or "postgresql"
    rows: dict[str, int] = field(default_factory=dict)
    total_premium_idr: int = 0
    rates_hash: str = ""
    seconds: float = 0.0
    ledger_file: Path | None = None
    good_file: Path | None = None


def _latest_log(adapter: Adapter, period: dt.date) -> dict[str, object] | None:
    if not adapter.existing_columns(LOG_TABLE):
        return None
    names = [name for name, _ in LOG_COLUMNS]
    rows = adapter.fetchall(
        f"select {', '.join(q(n) for n in names)} from {SCHEMA}.{LOG_TABLE}"
        f" where period = {adapter.param} order by publication_id desc limit 1",
        [period],
    )
    return dict(zip(names, rows[0], strict=True)) if rows else None


def _insert_log(adapter: Adapter, values: dict[str, object]) -> int:
    (next_id,) = adapter.fetchall(
        f"select coalesce(max(publication_id), 0) + 1 from {SCHEMA}.{LOG_TABLE}"
    )[0]
    values = {**values, "publication_id": int(next_id)}
    names = [name for name, _ in LOG_COLUMNS]
    marks = ", ".join(adapter.param for _ in names)
    adapter.execute(
        f"insert into {SCHEMA}.{LOG_TABLE} ({', '.join(q(n) for n in names)}) values ({marks})",
        [values.get(n) for n in names],
    )
    return int(next_id)


def _prepare_schema(adapter: Adapter) -> None:
    adapter.execute(f"create schema if not exists {SCHEMA}")
    ensure_table(adapter, LOG_TABLE, LOG_COLUMNS)
    adapter.lock_log()


def publish_period(
    settings: Settings,
    period: str,
    *,
    run_id: str,
    source_db: Path,
    warehouse: str | None = None,
    supersede_reason: str | None = None,
    provenance: Provenance,
) -> PublicationResult:
    """Copy the period's marts from dbt's database into the warehouse, atomically.

    Period tables lose exactly this period's rows and get the new ones; dimensions are replaced
    whole; one `publication_log` row is added. Then state/ledger and state/good are updated.
    """
    started = time.perf_counter()
    period_date = parse_period(period)
    target = str(warehouse or settings.warehouse)
    if is_postgres(target) and settings.pii_key_is_demo:
        raise DemoKeyError(
            "refusing to publish to PostgreSQL with the demo PII key: set BERJASA_PII_KEY to the"
            " city's secret key (the demo key is public, so its person_keys are not pseudonymous)"
        )
    source_db = Path(source_db)
    # Everything that can refuse the publication runs before anything is written: the marts
    # exist (here, on dbt's file), the privacy guard passes over exactly the rows to publish
    # (below, first thing in the target's transaction).
    with src.open_source(source_db) as con:
        tables = src.describe_source(con, period_date)
        cohorts = src.published_cohorts(con, tables)
        rates_hash = src.rates_hash(con)
        premium = src.total_premium(con, tables)
    src.guard_text(
        LOG_TABLE,
        {
            "run_id": run_id,
            "supersede_reason": supersede_reason,
            "dtsen_file": provenance.dtsen_file,
            "input_files": " ".join(f.name for f in provenance.input_files),
        },
    )
    state.check_good_inputs(settings, period, cohorts)
    table_comments, column_comments = load_comments()

    rows: dict[str, int] = {}
    with open_target(target, source_db) as adapter:
        # The guard reads the rows through the connection that then copies them: one read of
        # billing_detail instead of two, and its blocks are still in DuckDB's buffers for the
        # copy (national scale, guard + copy: 1.5M -> 0.8M page faults, 13.7-15.6 s ->
        # 12.9-13.2 s). A refusal rolls the transaction back: the warehouse is untouched.
        source_con, catalog = adapter.source_reader()
        src.guard_privacy(source_con, tables, catalog)
        _prepare_schema(adapter)
        latest = _latest_log(adapter, period_date)
        is_final = latest is not None and latest["status"] == FINAL
        if is_final and not supersede_reason:
            raise PeriodFinalError(
                f"period {period} is final (the bill was paid); to republish it use"
                ' --supersede --reason "why", which is recorded in publication_log'
            )
        status = FINAL if is_final else DRAFT
        for table in tables:
            ensure_table(adapter, table.name, table.columns)
            if table.is_period_table:
                adapter.execute(
                    f"delete from {SCHEMA}.{q(table.name)} where period = {adapter.param}",
                    [period_date],
                )
            else:
                adapter.execute(f"delete from {SCHEMA}.{q(table.name)}")
            rows[table.name] = adapter.load(table)
        publication_id = _insert_log(
            adapter,
            {
                "period": period_date,
                "run_id": run_id,
                "published_at": dt.datetime.now(dt.UTC),
                "status": status,
                "input_files": provenance.input_files_json(),
                "dtsen_file": provenance.dtsen_file,
                "rates_hash": rates_hash,
                "code_version": provenance.code_version,
                "pii_key_fingerprint": key_fingerprint(settings.pii_key),
                "rows_read": provenance.rows_read,
                "rows_accepted": provenance.rows_accepted,
                "rows_rejected": provenance.rows_rejected,
                "total_premium_idr": premium,
                "supersede_reason": supersede_reason,
            },
        )
        apply_comments(adapter, table_comments, column_comments)
        kind = adapter.kind

    ledger = state.write_ledger(settings, period, partial(src.write_people, source_db, period_date))
    good = state.write_good(settings, period, cohorts)
    return PublicationResult(
        period=period,
        publication_id=publication_id,
        run_id=run_id,
        status=status,
        target=kind,
        rows=rows,
        total_premium_idr=premium,
        rates_hash=rates_hash,
        seconds=time.perf_counter() - started,
        ledger_file=ledger,
        good_file=good,
    )


def finalize_period(
    settings: Settings, period: str, warehouse: str | None = None
) -> PublicationResult:
    """Mark the period final (finance paid the bill): append a `final` log row.

    The row repeats the provenance of the latest publication so the log alone tells what was
    paid. Finalising an already final period changes nothing.
    """
    period_date = parse_period(period)
    target = str(warehouse or settings.warehouse)
    with open_target(target) as adapter:
        _prepare_schema(adapter)
        latest = _latest_log(adapter, period_date)
        if latest is None:
            raise NotPublishedError(f"period {period} was never published to {adapter.kind}")
        if latest["status"] == FINAL:
            return _result_from_log(period, latest, adapter.kind)
        row = {
            **latest,
            "status": FINAL,
            "published_at": dt.datetime.now(dt.UTC),
            "supersede_reason": None,
        }
        row["publication_id"] = _insert_log(adapter, row)
        return _result_from_log(period, row, adapter.kind)


def period_status(settings: Settings, period: str, warehouse: str | None = None) -> str | None:
    """`draft`, `final`, or None when never published (read-only)."""
    from berjasa.warehouse.reader import latest_log_row

    row = latest_log_row(str(warehouse or settings.warehouse), period)
    return None if row is None else str(row["status"])


def _result_from_log(period: str, row: dict[str, object], kind: str) -> PublicationResult:
    return PublicationResult(
        period=period,
        publication_id=int(row["publication_id"]),  # type: ignore[arg-type]
        run_id=str(row["run_id"]),
        status=str(row["status"]),
        target=kind,
        total_premium_idr=int(row["total_premium_idr"] or 0),  # type: ignore[arg-type]
        rates_hash=str(row["rates_hash"]),
    )
