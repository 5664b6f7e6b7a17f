"""Read the published warehouse (DuckDB file or PostgreSQL) back into Arrow tables.

Used by exports and tests. PostgreSQL rows come out through `COPY ... TO STDOUT` as CSV and are
parsed by pyarrow with types taken from the catalogue (no per-row Python).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from berjasa import duck
from berjasa.periods import parse_period
from berjasa.warehouse.tables import LOG_COLUMNS, LOG_TABLE, SCHEMA
from berjasa.warehouse.targets import is_postgres, pg_connect, q

_PG_ARROW = {
    "bigint": pa.int64(),
    "integer": pa.int32(),
    "smallint": pa.int16(),
    "text": pa.string(),
    "character varying": pa.string(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
    "double precision": pa.float64(),
    "real": pa.float32(),
    "timestamp with time zone": pa.timestamp("us", tz="UTC"),
    "timestamp without time zone": pa.timestamp("us"),
}
_NUMERIC = re.compile(r"^numeric\((\d+),(\d+)\)$")


def _arrow_type(pg: str) -> pa.DataType:
    if pg in _PG_ARROW:
        return _PG_ARROW[pg]
    match = _NUMERIC.match(pg)
    if match:
        return pa.decimal128(int(match.group(1)), int(match.group(2)))
    return pa.string()


def column_types(warehouse: str, table: str, schema: str = SCHEMA) -> dict[str, str]:
    """Column name -> type as the warehouse spells it (DuckDB type, or PostgreSQL format_type)."""
    if is_postgres(warehouse):
        with pg_connect(warehouse, autocommit=True) as conn:
            rows = conn.execute(
                "select a.attname, format_type(a.atttypid, a.atttypmod)"
                " from pg_attribute a join pg_class c on c.oid = a.attrelid"
                " join pg_namespace n on n.oid = c.relnamespace"
                " where n.nspname = %s and c.relname = %s and a.attnum > 0"
                " and not a.attisdropped order by a.attnum",
                [schema, table],
            ).fetchall()
    else:
        with duck.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(
                "select column_name, data_type from duckdb_columns()"
                " where schema_name = ? and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
    return {str(n): str(t) for n, t in rows}


def read_table(
    warehouse: str, table: str, period: str | None = None, *, schema: str = SCHEMA
) -> pa.Table:
    """All rows of a published table (one period's when given), sorted by every column."""
    where_period = parse_period(period) if period else None
    if is_postgres(warehouse):
        return _read_pg(warehouse, schema, table, where_period)
    if not Path(warehouse).exists():
        raise FileNotFoundError(f"warehouse {warehouse} does not exist: publish a period first")
    with duck.connect(str(warehouse), read_only=True) as con:
        where = " where period = ?" if where_period else ""
        params = [where_period] if where_period else []
        return con.execute(
            f"select * from {schema}.{q(table)}{where} order by all", params
        ).to_arrow_table()


def _read_pg(warehouse: str, schema: str, table: str, period: dt.date | None) -> pa.Table:
    types = column_types(warehouse, table, schema)
    if not types:
        raise LookupError(f"{schema}.{table} does not exist in the warehouse")
    select = []
    for name, kind in types.items():
        if kind == "timestamp with time zone":
            utc = f"{q(name)} at time zone 'UTC'"
            select.append(f'to_char({utc}, \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\') as {q(name)}')
        else:
            select.append(q(name))
    order = ", ".join(str(i + 1) for i in range(len(types)))
    where = f" where period = '{period.isoformat()}'" if period else ""
    sql = (
        f"copy (select {', '.join(select)} from {schema}.{q(table)}{where} order by {order})"
        " to stdout with (format csv, header)"
    )
    buffer = io.BytesIO()
    with (
        pg_connect(warehouse, autocommit=True) as conn,
        conn.cursor() as cur,
        cur.copy(sql) as copy,
    ):
        for chunk in copy:
            buffer.write(chunk)
    schema_arrow = pa.schema([(n, _arrow_type(t)) for n, t in types.items()])
    if buffer.tell() == 0:
        return schema_arrow.empty_table()
    buffer.seek(0)
    convert = pacsv.ConvertOptions(
        column_types=schema_arrow,
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        true_values=["t"],
        false_values=["f"],
    )
    return pacsv.read_csv(buffer, convert_options=convert).select(list(types))


def latest_log_row(warehouse: str, period: str) -> dict[str, object] | None:
    """The period's latest publication_log row (its current status), or None."""
    try:
        log = read_table(warehouse, LOG_TABLE, period)
    except (LookupError, FileNotFoundError, duckdb.CatalogException):
        return None
    if log.num_rows == 0:
        return None
    rows = log.sort_by([("publication_id", "descending")]).slice(0, 1).to_pylist()
    return {name: rows[0].get(name) for name, _ in LOG_COLUMNS}
