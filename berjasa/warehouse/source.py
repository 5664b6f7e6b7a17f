"""Read what is to be published from dbt's DuckDB database, and guard it before it leaves.

Everything is read into Arrow tables with the source's own column types, so both targets get the
same columns and the same (mapped) types.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from berjasa import duck
from berjasa.config import SEEDS_DIR
from berjasa.errors import BerjasaError
from berjasa.warehouse.tables import DIM_TABLES, PERIOD_TABLES, SCHEMA


class SourceError(BerjasaError, RuntimeError):
    pass


class PrivacyGuardError(BerjasaError, RuntimeError):
    """A published text column looks like it holds a raw NIK (the message never shows the value)."""


# Column names that would carry raw personal data; never published whatever their content.
FORBIDDEN_COLUMNS = frozenset({"nik", "nama", "name", "no_hp", "alamat", "pii_key"})


@dataclass(frozen=True)
class SourceTable:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type), in source order
    data: pa.Table
    is_period_table: bool


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> tuple[tuple[str, str], ...]:
    rows = con.execute(
        "select column_name, data_type from duckdb_columns()"
        " where schema_name = ? and table_name = ? order by column_index",
        [SCHEMA, table],
    ).fetchall()
    return tuple((str(name), str(kind)) for name, kind in rows)


def read_source(source_db: Path, period: dt.date) -> list[SourceTable]:
    """The period's rows of every period table and the whole dimensions, in publication order."""
    if not Path(source_db).exists():
        raise SourceError(f"dbt database {source_db} does not exist: run dbt first")
    con = duck.connect(str(source_db), read_only=True)
    try:
        out: list[SourceTable] = []
        for table in PERIOD_TABLES + DIM_TABLES:
            columns = _columns(con, table)
            if not columns:
                raise SourceError(f"{source_db}: table {SCHEMA}.{table} is missing (dbt marts)")
            is_period = table in PERIOD_TABLES
            if is_period and "period" not in {name for name, _ in columns}:
                raise SourceError(f"{SCHEMA}.{table} has no period column")
            where = " where period = ?" if is_period else ""
            params = [period] if is_period else []
            data = con.execute(
                f'select * from {SCHEMA}."{table}"{where} order by all', params
            ).to_arrow_table()
            out.append(SourceTable(table, columns, data, is_period))
        return out
    finally:
        con.close()


def read_people(source_db: Path, period: dt.date) -> pa.Table:
    """people_monthly of the period (internal: written to state/ledger, never published)."""
    con = duck.connect(str(source_db), read_only=True)
    try:
        return con.execute(
            f"select period, person_key, primary_cohort from {SCHEMA}.people_monthly"
            " where period = ? order by person_key",
            [period],
        ).to_arrow_table()
    except duckdb.CatalogException as error:
        raise SourceError(f"{source_db}: {SCHEMA}.people_monthly is missing (dbt marts)") from error
    finally:
        con.close()


def published_cohorts(tables: list[SourceTable]) -> list[str]:
    """Cohorts whose status in this period is `published` (their accepted rows become good)."""
    status = next(t for t in tables if t.name == "publication_cohort_status").data
    con = duckdb.connect()
    try:
        con.register("status", status)
        rows = con.execute(
            "select distinct cohort_code from status where status = 'published' order by 1"
        ).fetchall()
        return [row[0] for row in rows]
    finally:
        con.close()


def total_premium(tables: list[SourceTable]) -> int:
    billing = next(t for t in tables if t.name == "billing_monthly").data
    if billing.num_rows == 0:
        return 0
    con = duckdb.connect()
    try:
        con.register("billing", billing)
        sql = "select coalesce(sum(premium_idr), 0)::hugeint from billing"
        (value,) = con.execute(sql).fetchone()
        return int(value)
    finally:
        con.close()


def _canonical_csv(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer)
    return buffer.getvalue()


def rates_hash(tables: list[SourceTable]) -> str:
    """sha256 of the rate and cohort tables used (dbt's dims, sorted; else the seed CSVs)."""
    digest = hashlib.sha256()
    by_name = {t.name: t for t in tables}
    for name, seed in (("dim_rate", "contribution_rates"), ("dim_cohort", "cohorts")):
        digest.update(name.encode() + b"\n")
        table = by_name.get(name)
        if table is not None and table.data.num_rows:
            digest.update(_canonical_csv(table.data))
        else:
            digest.update((SEEDS_DIR / f"{seed}.csv").read_bytes())
    return digest.hexdigest()


def guard_privacy(tables: list[SourceTable]) -> None:
    """Refuse to publish a text column holding a run of 16 digits (a NIK), or a PII column name.

    64-hex runs (person_key, sha256) are removed first: a hex digest often contains 16 digits in
    a row by chance and is not a NIK. The error names table and column, never the value.
    """
    con = duckdb.connect()
    try:
        for table in tables:
            for name, _ in table.columns:
                if name.lower() in FORBIDDEN_COLUMNS:
                    raise PrivacyGuardError(
                        f"{SCHEMA}.{table.name}: column {name} would publish personal data"
                    )
            text_columns = [name for name, kind in table.columns if kind.upper() == "VARCHAR"]
            if not text_columns or table.data.num_rows == 0:
                continue
            con.register("guarded", table.data)
            # the cheap test first; the hex-stripping one only for the few values that match
            checks = ", ".join(
                f"count(*) filter (where case when regexp_matches(\"{c}\", '\\d{{16}}')"
                f" then regexp_matches(regexp_replace(\"{c}\", '[0-9a-fA-F]{{64}}', '', 'g'),"
                f" '\\d{{16}}') else false end)"
                for c in text_columns
            )
            counts = con.execute(f"select {checks} from guarded").fetchone()
            con.unregister("guarded")
            for column, count in zip(text_columns, counts, strict=True):
                if count:
                    raise PrivacyGuardError(
                        f"{SCHEMA}.{table.name}.{column}: {count} value(s) contain a 16-digit run"
                        " (a raw NIK?); publication refused"
                    )
    finally:
        con.close()


def guard_text(label: str, values: dict[str, str | None]) -> None:
    """The same guard for the publisher's own free-text log fields (run id, reason, file names)."""
    import re

    for field, value in values.items():
        if value and re.search(r"\d{16}", re.sub(r"[0-9a-fA-F]{64}", "", value)):
            raise PrivacyGuardError(f"{label}.{field} contains a 16-digit run; refused")
