"""The two warehouse targets behind one small adapter, so the publication steps are written once.

DuckDB: copy-on-write. The current warehouse file is copied to a temp file in the same folder,
changed there in one transaction, checkpointed, closed and `os.replace`d onto the target: a BI
tool holding the old file open never blocks publication and sees the old or the new file, never a
mix. The rows go from dbt's file to the warehouse inside DuckDB (dbt's file is attached read-only),
never through Python. PostgreSQL: one transaction (MVCC gives readers the same guarantee); COPY
loads the rows, streamed from dbt's file in Arrow record batches so memory stays bounded.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg.copy import QueuedLibpqWriter

from berjasa import duck
from berjasa.errors import BerjasaError
from berjasa.warehouse.source import SOURCE_ALIAS, SourceTable
from berjasa.warehouse.tables import SCHEMA, is_enum, pg_type, quote_literal

# Rows per Arrow batch streamed from dbt's file into PostgreSQL's COPY: big enough that the
# per-batch overhead vanishes, small enough (~50 MB of CSV) to keep memory flat.
COPY_BATCH_ROWS = 500_000
CONNECT_ATTEMPTS = 3
CONNECT_BASE_DELAY_S = 0.5
# Pseudonym key columns: unique 64-hex values, stored with FSST only on DuckDB (storage_clause).
KEY_COLUMNS = frozenset({"person_key"})
# Code columns of the national-size table, stored as DuckDB ENUMs of their dimension's codes
# (DuckDBAdapter.target_type): (table, column) -> (dimension table, its column).
CODE_COLUMNS: dict[tuple[str, str], tuple[str, str]] = {
    ("billing_detail", "cohort_code"): ("dim_cohort", "cohort_code"),
    ("billing_detail", "program"): ("dim_rate", "program"),
    ("billing_detail", "rate_id"): ("dim_rate", "rate_id"),
}
_sleep = time.sleep  # module-level so tests can record the backoff without waiting


class WarehouseError(BerjasaError, RuntimeError):
    pass


class SchemaChangedError(WarehouseError):
    pass


def is_postgres(warehouse: str) -> bool:
    return warehouse.startswith(("postgresql://", "postgres://"))


def q(name: str) -> str:
    """Quoted identifier (column names such as `new` are keywords)."""
    return '"' + name.replace('"', '""') + '"'


class Adapter(Protocol):
    kind: str
    param: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...
    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...
    def existing_columns(self, table: str) -> dict[str, str]: ...
    def target_type(self, duckdb_type: str, where: str) -> str: ...
    def keeps_type(self, table: str, column: str, existing: str, wanted: str) -> bool: ...
    def storage_clause(self, column: str) -> str: ...
    def load(self, table: SourceTable) -> int: ...
    def source_reader(self) -> tuple[duckdb.DuckDBPyConnection, str | None]: ...
    def lock_log(self) -> None: ...


# --------------------------------------------------------------------------------------------
# DuckDB
class DuckDBAdapter:
    kind = "duckdb"
    param = "?"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    def existing_columns(self, table: str) -> dict[str, str]:
        rows = self.con.execute(
            "select column_name, data_type from duckdb_columns()"
            " where database_name = current_database() and schema_name = ? and table_name = ?"
            " order by column_index",  # the warehouse's own tables, not dbt's attached ones
            [SCHEMA, table],
        ).fetchall()
        return {str(n): str(t) for n, t in rows}

    def target_type(self, duckdb_type: str, where: str) -> str:
        """The source's type, but an ENUM of the dimension's codes for the code columns of
        `billing_detail` (CODE_COLUMNS). Writing its 23.6M rows at national scale, the three
        code columns as VARCHAR took 6.0 s of the 12 s (DuckDB analyses and
        dictionary-compresses each text segment), as ENUMs (one byte a row) ~1.5 s; readers
        compare and group them as text. PostgreSQL keeps text."""
        table, column = where.split(".", 1)
        dimension = CODE_COLUMNS.get((table, column))
        if dimension is None or duckdb_type.upper() != "VARCHAR" or not self._has_source():
            return duckdb_type
        codes = [
            str(code)
            for (code,) in self.con.execute(
                f"select distinct {q(dimension[1])} from {SOURCE_ALIAS}.{SCHEMA}.{q(dimension[0])}"
                f" where {q(dimension[1])} is not null order by 1"
            ).fetchall()
        ]
        return _enum_type(codes) if codes else duckdb_type

    def keeps_type(self, table: str, column: str, existing: str, wanted: str) -> bool:
        """Whether an existing column of another type than `wanted` still takes the rows: a code
        column made before it became an ENUM stays VARCHAR (it takes the same text), and an ENUM
        lacking codes the dimensions gained (a new cohort or rate) is widened to hold both, in
        place (one rewrite of the column, once per new code)."""
        if not is_enum(wanted):
            return False
        if existing.upper() == "VARCHAR":
            return True
        if not is_enum(existing):
            return False
        have, need = self._enum_codes(existing), self._enum_codes(wanted)
        if not set(need) <= set(have):
            self.execute(
                f"alter table {SCHEMA}.{q(table)} alter column {q(column)}"
                f" type {_enum_type(sorted(set(have) | set(need)))}"
            )
        return True

    def _enum_codes(self, enum_type: str) -> list[str]:
        (codes,) = self.con.execute(f"select enum_range(null::{enum_type})").fetchone()
        return [str(code) for code in codes]

    def _has_source(self) -> bool:
        return bool(
            self.con.execute(
                "select count(*) from duckdb_databases() where database_name = ?", [SOURCE_ALIAS]
            ).fetchone()[0]
        )

    def storage_clause(self, column: str) -> str:
        """How a new column is stored. The pseudonym keys are unique 64-hex values: DuckDB's
        default tries dictionary compression on them first, which cannot pay off and was most of
        the cost of writing billing_detail (23.6M keys at national scale: 13.0 s to write with the
        default, 10.2 s with FSST alone, and a smaller file). Other columns keep the default."""
        return " using compression fsst" if column in KEY_COLUMNS else ""

    def load(self, table: SourceTable) -> int:
        """Copy the table's rows from the attached dbt database; the number of rows copied."""
        sql, params = table.select(SOURCE_ALIAS)
        try:
            return load_duckdb(self.con, table.name, table.column_names, sql, params)
        except duckdb.ConversionException:
            codes = [c for (t, c) in CODE_COLUMNS if t == table.name]
            if not codes:
                raise
            raise WarehouseError(
                f"{SCHEMA}.{table.name}: a value of {', '.join(codes)} is not among the codes of"
                " its dimension (dim_cohort, dim_rate); publication refused"
            ) from None

    def source_reader(self) -> tuple[duckdb.DuckDBPyConnection, str | None]:
        """The connection that reads dbt's tables and their catalog: this one, where dbt's file
        is attached, so what is read before the copy is still in its buffers for the copy."""
        return self.con, SOURCE_ALIAS

    def lock_log(self) -> None:
        """The file lock taken by `duckdb_copy_on_write` already serialises publishers."""


def load_duckdb(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[str],
    select_sql: str,
    params: Sequence[Any] = (),
) -> int:
    """Insert the rows of `select_sql` by column name; the number inserted (module-level: tests
    inject failures here)."""
    cols = ", ".join(q(c) for c in columns)
    (count,) = con.execute(
        f"insert into {SCHEMA}.{q(table)} ({cols}) {select_sql}", list(params)
    ).fetchone()
    return int(count)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextlib.contextmanager
def duckdb_copy_on_write(path: Path, source_db: Path | None = None) -> Iterator[DuckDBAdapter]:
    """Yield an adapter on a transaction over a copy of `path`; on success replace `path`.

    `source_db` (dbt's database, closed by then) is attached read-only as `dbt_src`. The
    connection has the pipeline's memory limit and its own spill directory beside the
    warehouse, so a 25M-row insert spills to disk instead of growing.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wal = path.with_name(path.name + ".wal")
    with _file_lock(path):
        if wal.exists():
            raise WarehouseError(
                f"{path} has an unfinished write-ahead log ({wal.name}); open it once with"
                " duckdb to checkpoint it, then publish again"
            )
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        spill = tmp.with_name(tmp.name + ".spill")
        try:
            if path.exists():
                shutil.copyfile(path, tmp)
            else:
                tmp.unlink()  # DuckDB creates the file itself
            con = duck.connect(str(tmp))
            try:
                con.execute(f"set temp_directory = {_sql_text(str(spill))}")
                # row order is not content (readers sort): inserts then use every thread
                con.execute("set preserve_insertion_order = false")
                if source_db is not None:
                    con.execute(f"attach {_sql_text(str(source_db))} as {SOURCE_ALIAS} (read_only)")
                con.execute("begin transaction")
                try:
                    yield DuckDBAdapter(con)
                    con.execute("commit")
                except BaseException:
                    con.execute("rollback")
                    raise
                con.execute("checkpoint")
            finally:
                con.close()
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
            shutil.rmtree(spill, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# PostgreSQL
def pg_connect(url: str, *, autocommit: bool = False) -> psycopg.Connection:
    """Connect, retrying a transient OperationalError with exponential backoff (3 tries)."""
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            return psycopg.connect(url, autocommit=autocommit, connect_timeout=10)
        except psycopg.OperationalError:
            if attempt == CONNECT_ATTEMPTS:
                raise
            _sleep(CONNECT_BASE_DELAY_S * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover


class PostgresAdapter:
    kind = "postgresql"
    param = "%s"

    def __init__(
        self, conn: psycopg.Connection, source: duckdb.DuckDBPyConnection | None = None
    ) -> None:
        self.conn = conn
        self.cur = conn.cursor()
        self.source = source  # dbt's database (read-only), where `load` reads the rows

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cur.execute(sql, list(params) if params else None)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.cur.execute(sql, list(params) if params else None)
        return list(self.cur.fetchall())

    def existing_columns(self, table: str) -> dict[str, str]:
        rows = self.fetchall(
            "select a.attname, format_type(a.atttypid, a.atttypmod)"
            " from pg_attribute a join pg_class c on c.oid = a.attrelid"
            " join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped"
            " order by a.attnum",
            [SCHEMA, table],
        )
        return {str(n): str(t) for n, t in rows}

    def target_type(self, duckdb_type: str, where: str) -> str:
        return pg_type(duckdb_type, where=where)

    def keeps_type(self, table: str, column: str, existing: str, wanted: str) -> bool:
        return False  # every published type is exactly the mapped one

    def storage_clause(self, column: str) -> str:
        return ""  # PostgreSQL chooses TOAST compression per value itself

    def source_reader(self) -> tuple[duckdb.DuckDBPyConnection, str | None]:
        """The connection that reads dbt's tables (the one `load` streams from), no catalog."""
        if self.source is None:
            raise WarehouseError("no source database to read (open_target(source_db=...))")
        return self.source, None

    def load(self, table: SourceTable) -> int:
        """Stream the table's rows from dbt's database into COPY; the number of rows copied."""
        source, catalog = self.source_reader()
        sql, params = table.select(catalog)
        batches = source.execute(sql, params).to_arrow_reader(COPY_BATCH_ROWS)
        return copy_postgres(self.cur, table.name, table.column_names, batches)

    def lock_log(self) -> None:
        """Serialise concurrent publishers; readers (plain SELECT) are not blocked."""
        self.execute(f"lock table {SCHEMA}.publication_log in share row exclusive mode")


def copy_postgres(
    cur: psycopg.Cursor, table: str, columns: Sequence[str], batches: Iterable[pa.RecordBatch]
) -> int:
    """COPY Arrow record batches as CSV; the number of rows copied (module-level: tests inject
    failures here).

    Vectorised: pyarrow writes the CSV, no row loop, and exact (bigint money and decimals are
    written as their digits). pyarrow writes a null as an empty unquoted field and an empty
    string as `""`, which is exactly how PostgreSQL's CSV format tells them apart. A writer
    thread sends each batch while the next one is read and encoded.
    """
    cols = ", ".join(q(c) for c in columns)
    options = pacsv.WriteOptions(include_header=False)
    sql = f"copy {SCHEMA}.{q(table)} ({cols}) from stdin with (format csv)"
    with cur.copy(sql, writer=QueuedLibpqWriter(cur)) as copy:
        for batch in batches:
            buffer = io.BytesIO()
            pacsv.write_csv(batch.select(list(columns)), buffer, options)
            copy.write(buffer.getbuffer())
    return cur.rowcount


@contextlib.contextmanager
def postgres_transaction(url: str, source_db: Path | None = None) -> Iterator[PostgresAdapter]:
    """One transaction: committed when the block succeeds, rolled back on any error.

    `source_db` (dbt's database) is opened read-only for the adapter to stream rows from.
    """
    source = duck.connect(str(source_db), read_only=True) if source_db is not None else None
    try:
        conn = pg_connect(url)
        try:
            adapter = PostgresAdapter(conn, source)
            try:
                yield adapter
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        finally:
            conn.close()
    finally:
        if source is not None:
            source.close()


@contextlib.contextmanager
def open_target(warehouse: str, source_db: Path | None = None) -> Iterator[Adapter]:
    """The warehouse as an adapter in one transaction; `source_db` is dbt's database, which
    `Adapter.load` copies from (not needed to only read or log)."""
    if is_postgres(warehouse):
        with postgres_transaction(warehouse, source_db) as adapter:
            yield adapter
    else:
        with duckdb_copy_on_write(Path(warehouse), source_db) as adapter:
            yield adapter


# --------------------------------------------------------------------------------------------
# shared steps
def ensure_table(adapter: Adapter, table: str, columns: Sequence[tuple[str, str]]) -> None:
    """Create the table with the source's (mapped) types, or add columns the marts gained.

    A column whose type changed is refused: silently converting published history is a decision
    for a person (drop the warehouse table, or migrate it), not for the publisher.
    """
    wanted = [(name, adapter.target_type(kind, f"{table}.{name}")) for name, kind in columns]
    existing = adapter.existing_columns(table)
    if not existing:
        body = ", ".join(f"{q(name)} {kind}{adapter.storage_clause(name)}" for name, kind in wanted)
        adapter.execute(f"create table {SCHEMA}.{q(table)} ({body})")
        return
    for name, kind in wanted:
        if name not in existing:
            adapter.execute(
                f"alter table {SCHEMA}.{q(table)} add column {q(name)} {kind}"
                f"{adapter.storage_clause(name)}"
            )
        elif existing[name].lower() != kind.lower() and not adapter.keeps_type(
            table, name, existing[name], kind
        ):
            raise SchemaChangedError(
                f"warehouse column {SCHEMA}.{table}.{name} is {existing[name]} but the marts now"
                f" give {kind}; migrate or drop the warehouse table, then publish again"
            )


def _enum_type(codes: Sequence[str]) -> str:
    return "ENUM(" + ", ".join(quote_literal(code) for code in codes) + ")"


def apply_comments(
    adapter: Adapter, tables: dict[str, str], columns: dict[str, dict[str, str]]
) -> None:
    """COMMENT ON TABLE/COLUMN for the tables and columns that exist (both targets)."""
    for table, text in tables.items():
        existing = adapter.existing_columns(table)
        if not existing:
            continue
        adapter.execute(f"comment on table {SCHEMA}.{q(table)} is {quote_literal(text)}")
        for column, col_text in columns.get(table, {}).items():
            if column in existing:
                adapter.execute(
                    f"comment on column {SCHEMA}.{q(table)}.{q(column)} is"
                    f" {quote_literal(col_text)}"
                )
