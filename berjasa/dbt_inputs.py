"""Load the validated, pseudonymised Parquet into schema `berjasa_input` of dbt's database.

dbt reads only these tables (declared as the `berjasa_input` source), so dbt never sees a raw
NIK or the PII key. Period tables get the period's rows replaced (re-running a period replaces
exactly itself); the all-period tables (DTSEN extracts, opening list, ledger) are replaced
whole. A missing file gives an empty table with the right column types, so dbt always finds
every input. Parquet is read and typed by an in-memory DuckDB (vectorised); DuckDB targets
insert the Arrow table directly, PostgreSQL targets receive it through COPY as CSV.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv

from berjasa import duck
from berjasa.config import Settings
from berjasa.periods import parse_period

SCHEMA = "berjasa_input"

_SCHEMA_A: list[tuple[str, str]] = [
    ("period", "date"),
    ("cohort_code", "varchar"),
    ("source_file", "varchar"),
    ("file_ordinal", "integer"),
    ("source_row", "integer"),
    ("person_key", "varchar"),
    ("nik_masked", "varchar"),
    ("birth_date", "date"),
    ("sex", "varchar"),
    ("kecamatan_code", "varchar"),
    ("kelurahan_code", "varchar"),
    ("is_outside_city", "boolean"),
    ("wage_idr", "bigint"),
    ("pekerjaan", "varchar"),
    ("disabilitas", "varchar"),
]

#: table -> (columns with SQL types, True when the table holds one period per load)
TABLES: dict[str, tuple[list[tuple[str, str]], bool]] = {
    "accepted_rows": (_SCHEMA_A, True),
    "good_rows": (_SCHEMA_A, True),
    "local_rejects": (
        [
            ("period", "date"),
            ("cohort_code", "varchar"),
            ("source_file", "varchar"),
            ("file_ordinal", "integer"),
            ("source_row", "integer"),
            ("reason_code", "varchar"),
            ("reason_detail", "varchar"),
            ("nik_masked", "varchar"),
        ],
        True,
    ),
    "source_files": (
        [
            ("period", "date"),
            ("cohort_code", "varchar"),
            ("source_file", "varchar"),
            ("file_sha256", "varchar"),
            ("file_ordinal", "integer"),
            ("file_status", "varchar"),
            ("error_detail", "varchar"),
            ("rows_read", "bigint"),
        ],
        True,
    ),
    "bpjs_active": (
        [("period", "date"), ("area_code", "varchar"), ("active_participants", "bigint")],
        True,
    ),
    "dtsen": (
        [("extract_period", "date"), ("person_key", "varchar"), ("desil", "integer")],
        False,
    ),
    "opening_members": ([("person_key", "varchar"), ("last_billed", "date")], False),
    "published_people": (
        [("period", "date"), ("person_key", "varchar"), ("primary_cohort", "varchar")],
        False,
    ),
}


def input_files(settings: Settings, period: str) -> dict[str, list[Path]]:
    """The Parquet files feeding each input table for `period` (existing files only)."""
    validated = settings.validated_dir
    state = settings.state_dir
    candidates: dict[str, list[Path]] = {
        "accepted_rows": [validated / period / "accepted.parquet"],
        "good_rows": [state / "good" / f"{period}.parquet"],
        "local_rejects": [validated / period / "rejected.parquet"],
        "source_files": [validated / period / "source_files.parquet"],
        "bpjs_active": [validated / period / "bpjs_active.parquet"],
        "dtsen": sorted((validated / "dtsen").glob("*.parquet")),
        "opening_members": [validated / "opening_members.parquet"],
        "published_people": sorted((state / "ledger").glob("*.parquet")),
    }
    return {name: [path for path in paths if path.is_file()] for name, paths in candidates.items()}


def _typed_select(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[Path],
    columns: list[tuple[str, str]],
    period_literal: str | None,
) -> str:
    """SQL reading `files` with exactly `columns` (types cast; period forced; missing optional
    columns null); typed and empty when there is no file."""
    if not files:
        typed_nulls = ", ".join(f"cast(null as {t}) as {n}" for n, t in columns)
        return f"select {typed_nulls} where false"
    paths = ", ".join("'" + str(path).replace("'", "''") + "'" for path in files)
    relation = f"read_parquet([{paths}], union_by_name = true)"
    present = {row[0] for row in con.execute(f"describe select * from {relation}").fetchall()}
    selects = []
    for name, sql_type in columns:
        if name == "period" and period_literal is not None:
            selects.append(f"cast('{period_literal}' as date) as {name}")
        elif name in present:
            selects.append(f"cast({name} as {sql_type}) as {name}")
        else:  # an optional column the writer left out
            selects.append(f"cast(null as {sql_type}) as {name}")
    return f"select {', '.join(selects)} from {relation}"


def _typed_table(
    files: Sequence[Path], columns: list[tuple[str, str]], period_literal: str | None
) -> pa.Table:
    """`_typed_select` materialised as Arrow (for PostgreSQL's COPY)."""
    con = duckdb.connect()
    try:
        return con.execute(_typed_select(con, files, columns, period_literal)).to_arrow_table()
    finally:
        con.close()


def _ddl(table: str, columns: list[tuple[str, str]]) -> str:
    body = ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
    return f"create table if not exists {SCHEMA}.{table} ({body})"


def _is_postgres(target: Any) -> bool:
    return type(target).__module__.startswith("psycopg")


def load_inputs(settings: Settings, period: str, target: Any) -> dict[str, int]:
    """Replace the period's rows of every `berjasa_input` table in `target`.

    `target` is a DuckDB connection, a path to a DuckDB file, or a psycopg connection (committed
    here). Returns the number of rows loaded per table (for run metadata).
    """
    period_literal = parse_period(period).isoformat()
    files = input_files(settings, period)
    if _is_postgres(target):
        tables = {
            name: _typed_table(files[name], columns, period_literal if per_period else None)
            for name, (columns, per_period) in TABLES.items()
        }
        _load_postgres(target, tables, period_literal)
        return {name: table.num_rows for name, table in tables.items()}
    if isinstance(target, str | Path):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        con = duck.connect(str(target))
        try:
            return _load_duckdb(con, files, period_literal)
        finally:
            con.close()
    return _load_duckdb(target, files, period_literal)


def _load_duckdb(
    con: duckdb.DuckDBPyConnection, files: dict[str, list[Path]], period_literal: str
) -> dict[str, int]:
    """One transaction; each table streamed from its Parquet straight into the insert (at
    national scale the inputs are tens of millions of rows: no copy through Arrow)."""
    counts: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {SCHEMA}")
        for name, (columns, per_period) in TABLES.items():
            con.execute(_ddl(name, columns))
            if per_period:
                con.execute(f"delete from {SCHEMA}.{name} where period = ?", [period_literal])
            else:
                con.execute(f"delete from {SCHEMA}.{name}")
            select = _typed_select(
                con, files[name], columns, period_literal if per_period else None
            )
            column_list = ", ".join(column for column, _ in columns)
            inserted = con.execute(
                f"insert into {SCHEMA}.{name} ({column_list}) {select}"
            ).fetchone()
            counts[name] = int(inserted[0]) if inserted else 0
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return counts


def _csv_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pa_csv.write_csv(
        table,
        buffer,
        write_options=pa_csv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    return buffer.getvalue()


def _load_postgres(conn: Any, tables: dict[str, pa.Table], period_literal: str) -> None:
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(f"create schema if not exists {SCHEMA}")
        for name, (columns, per_period) in TABLES.items():
            cur.execute(_ddl(name, columns))
            if per_period:
                cur.execute(f"delete from {SCHEMA}.{name} where period = %s", [period_literal])
            else:
                cur.execute(f"delete from {SCHEMA}.{name}")
            if tables[name].num_rows == 0:
                continue
            column_list = ", ".join(column for column, _ in columns)
            copy_sql = f"copy {SCHEMA}.{name} ({column_list}) from stdin with (format csv)"
            with cur.copy(copy_sql) as copy:
                copy.write(_csv_bytes(tables[name]))
    if not conn.autocommit:
        # outside autocommit, transaction() above is a savepoint of an implicit transaction
        conn.commit()
