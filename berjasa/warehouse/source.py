"""What is to be published, described, guarded and summarised where it lies: dbt's DuckDB file.

A national month is tens of millions of rows, so nothing big is pulled into Python: the tables are
described (names and DuckDB types), guarded and summed with SQL run by DuckDB, and the targets
copy the rows straight from the file (DuckDB attaches it; PostgreSQL streams Arrow record batches
into COPY). Only dim_rate and dim_cohort are read as Arrow, because the rates hash is defined as
the canonical CSV of those two small tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from berjasa import duck
from berjasa.config import SEEDS_DIR
from berjasa.errors import BerjasaError
from berjasa.warehouse.tables import DIM_TABLES, PERIOD_TABLES, SCHEMA, is_enum

# Catalog name under which the DuckDB target attaches dbt's database (read-only).
SOURCE_ALIAS = "dbt_src"
PEOPLE_TABLE = "people_monthly"


class SourceError(BerjasaError, RuntimeError):
    pass


# dbt holds pseudonym keys as their 32 bytes (BLOB); the warehouse publishes them as the 64
# lowercase hex characters of SPEC section 5 (`SourceTable.select` converts).
KEY_BYTES = 32
_BYTES_TYPE = "BLOB"
PUBLISHED_KEY_TYPE = "VARCHAR"
# dbt's ENUM code columns are published as text, like the code columns of the other tables
_TEXT_TYPE = "VARCHAR"


class PrivacyGuardError(BerjasaError, RuntimeError):
    """A published text column looks like it holds a raw NIK (the message never shows the value)."""


# Column names that would carry raw personal data; never published whatever their content.
FORBIDDEN_COLUMNS = frozenset({"nik", "nama", "name", "no_hp", "alamat", "pii_key"})


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class SourceTable:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type as published), in source order
    period: dt.date | None  # the period published of a period table; None: a dimension, whole
    key_columns: frozenset[str] = frozenset()  # bytes in dbt, published as lowercase hex
    # ENUM in dbt (billing_detail's codes on DuckDB, macros/code_types.sql): published as text;
    # column name -> its DuckDB type, whose codes the privacy guard checks instead of every row
    code_types: tuple[tuple[str, str], ...] = ()

    @property
    def is_period_table(self) -> bool:
        return self.period is not None

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def select(self, catalog: str | None = None) -> tuple[str, list[object]]:
        """SQL and parameters selecting exactly the rows to publish (no order: row order is not
        content, and sorting 25M rows would cost more than the copy), key columns as hex.
        `catalog` qualifies the table when dbt's file is attached to another database."""
        cols = ", ".join(
            f"lower(hex({_q(c)})) as {_q(c)}" if c in self.key_columns else _q(c)
            for c in self.column_names
        )
        rows, params = self.rows(catalog)
        return f"select {cols} {rows}", params

    def rows(self, catalog: str | None = None) -> tuple[str, list[object]]:
        """The `from ... where ...` of the rows to publish, with its parameters."""
        prefix = f"{_q(catalog)}." if catalog else ""
        sql = f"from {prefix}{SCHEMA}.{_q(self.name)}"
        if self.period is None:
            return sql, []
        return sql + " where period = ?", [self.period]


@contextlib.contextmanager
def open_source(source_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """dbt's database, read-only, with the pipeline's memory limit."""
    if not Path(source_db).exists():
        raise SourceError(f"dbt database {source_db} does not exist: run dbt first")
    con = duck.connect(str(source_db), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> tuple[tuple[str, str], ...]:
    rows = con.execute(
        "select column_name, data_type from duckdb_columns()"
        " where database_name = current_database() and schema_name = ? and table_name = ?"
        " order by column_index",
        [SCHEMA, table],
    ).fetchall()
    return tuple((str(name), str(kind)) for name, kind in rows)


def describe_source(con: duckdb.DuckDBPyConnection, period: dt.date) -> list[SourceTable]:
    """Every published table with its columns, in publication order; refuses missing marts
    (people_monthly too: the ledger is written from it after the warehouse committed)."""
    out: list[SourceTable] = []
    for table in PERIOD_TABLES + DIM_TABLES:
        columns = _columns(con, table)
        if not columns:
            raise SourceError(f"table {SCHEMA}.{table} is missing from dbt's database (marts)")
        is_period = table in PERIOD_TABLES
        if is_period and "period" not in {name for name, _ in columns}:
            raise SourceError(f"{SCHEMA}.{table} has no period column")
        keys = frozenset(name for name, kind in columns if kind.upper() == _BYTES_TYPE)
        codes = tuple((name, kind) for name, kind in columns if is_enum(kind))
        published = tuple(
            (name, PUBLISHED_KEY_TYPE if name in keys else _TEXT_TYPE if is_enum(kind) else kind)
            for name, kind in columns
        )
        out.append(SourceTable(table, published, period if is_period else None, keys, codes))
    if not _columns(con, PEOPLE_TABLE):
        raise SourceError(f"{SCHEMA}.{PEOPLE_TABLE} is missing from dbt's database (marts)")
    check_built_month(con, period)
    return out


def check_built_month(con: duckdb.DuckDBPyConnection, period: dt.date) -> None:
    """Refuse a billed month whose person-grain marts dbt's database no longer holds: it keeps
    them (billing_detail, cross_cohort_duplicates, people_monthly: dbt_project.yml) for the month
    it built last only, and publishing another month from it would lose that month's detail rows
    and ledger."""
    (billed,) = con.execute(
        f"select coalesce(sum(participants), 0) from {SCHEMA}.billing_monthly where period = ?",
        [period],
    ).fetchone()
    if not billed:
        return
    month = period.strftime("%Y-%m")
    for table in ("billing_detail", PEOPLE_TABLE):
        (held,) = con.execute(
            f"select count(*) > 0 from {SCHEMA}.{_q(table)} where period = ?", [period]
        ).fetchone()
        if not held:
            raise SourceError(
                f"dbt's database holds no {SCHEMA}.{table} rows of {month} (it keeps the"
                f" person-level tables of the month it built last only): run {month} again"
                " to publish it"
            )


def _by_name(tables: list[SourceTable], name: str) -> SourceTable:
    return next(t for t in tables if t.name == name)


def published_cohorts(con: duckdb.DuckDBPyConnection, tables: list[SourceTable]) -> list[str]:
    """Cohorts whose status in this period is `published` (their accepted rows become good)."""
    sql, params = _by_name(tables, "publication_cohort_status").select()
    rows = con.execute(
        f"select distinct cohort_code from ({sql}) where status = 'published' order by 1", params
    ).fetchall()
    return [row[0] for row in rows]


def total_premium(con: duckdb.DuckDBPyConnection, tables: list[SourceTable]) -> int:
    sql, params = _by_name(tables, "billing_monthly").select()
    (value,) = con.execute(
        f"select coalesce(sum(premium_idr), 0)::hugeint from ({sql})", params
    ).fetchone()
    return int(value)


def _canonical_csv(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer)
    return buffer.getvalue()


def rates_hash(con: duckdb.DuckDBPyConnection) -> str:
    """sha256 of the rate and cohort tables used (dbt's dims, sorted; else the seed CSVs).

    Defined on the canonical CSV of the whole tables as Arrow reads them sorted: published hashes
    stay comparable across releases, so this stays byte-identical (the tables are tiny).
    """
    digest = hashlib.sha256()
    for name, seed in (("dim_rate", "contribution_rates"), ("dim_cohort", "cohorts")):
        digest.update(name.encode() + b"\n")
        data = con.execute(f"select * from {SCHEMA}.{_q(name)} order by all").to_arrow_table()
        if data.num_rows:
            digest.update(_canonical_csv(data))
        else:
            digest.update((SEEDS_DIR / f"{seed}.csv").read_bytes())
    return digest.hexdigest()


def _nik_count(column: str) -> str:
    """SQL counting the values of `column` with a 16-digit run once 64-hex runs are removed.

    A hex digest often contains 16 digits in a row by chance and is not a NIK, hence the removal.
    Cheapest tests first: fewer than 16 bytes cannot hold 16 digits, and the hex removal only runs
    for the ~1 % of values that have a 16-digit run at all.
    """
    c = _q(column)
    return (
        f"count(*) filter (where case when strlen({c}) < 16 then false"
        f" when regexp_matches({c}, '\\d{{16}}')"
        f" then regexp_matches(regexp_replace({c}, '[0-9a-fA-F]{{64}}', '', 'g'), '\\d{{16}}')"
        " else false end)"
    )


def _not_a_key_count(column: str) -> str:
    """SQL counting the values of a key column (bytes) that are not a 32-byte digest."""
    return f"count(*) filter (where octet_length({_q(column)}) <> {KEY_BYTES})"


def guard_privacy(
    con: duckdb.DuckDBPyConnection, tables: list[SourceTable], catalog: str | None = None
) -> None:
    """Refuse to publish a text column holding a run of 16 digits (a NIK), a key column holding
    anything but 32-byte digests, or a PII column name.

    Runs in DuckDB over exactly the rows to be published, before anything is written anywhere;
    `catalog` names dbt's file where it is attached to another database (`SourceTable.select`).
    A key column (bytes in dbt, published as hex) is checked on its bytes: the hex of a 32-byte
    digest is 64 hex characters, which the text test would always pass, while bytes of another
    length (a NIK's 16 characters, say) are refused. The error names table and column and how
    many values, never a value.
    """
    for table in tables:
        for name, _ in table.columns:
            if name.lower() in FORBIDDEN_COLUMNS:
                raise PrivacyGuardError(
                    f"{SCHEMA}.{table.name}: column {name} would publish personal data"
                )
        keys = sorted(table.key_columns)
        code_types = dict(table.code_types)
        _guard_codes(con, table.name, code_types)
        text_columns = [
            name
            for name, kind in table.columns
            if kind.upper() == "VARCHAR" and name not in table.key_columns | code_types.keys()
        ]
        if not text_columns and not keys:
            continue
        checks = [_nik_count(c) for c in text_columns] + [_not_a_key_count(c) for c in keys]
        rows, params = table.rows(catalog)
        counts = con.execute(f"select {', '.join(checks)} {rows}", params).fetchone()
        for column, count in zip(text_columns, counts, strict=False):
            if count:
                raise PrivacyGuardError(
                    f"{SCHEMA}.{table.name}.{column}: {count} value(s) contain a 16-digit run"
                    " (a raw NIK?); publication refused"
                )
        for column, count in zip(keys, counts[len(text_columns) :], strict=True):
            if count:
                raise PrivacyGuardError(
                    f"{SCHEMA}.{table.name}.{column}: {count} value(s) are not a {KEY_BYTES}-byte"
                    " HMAC digest; publication refused"
                )


def _guard_codes(con: duckdb.DuckDBPyConnection, table: str, code_types: dict[str, str]) -> None:
    """The guard's text test on the codes of ENUM columns: every value of such a column is one
    of its type's codes, so testing the few codes tests the 23.6M values of a national month."""
    if not code_types:
        return
    probes = " union all ".join(
        f"select {i} as column_index, unnest(enum_range(null::{kind})) as code"
        for i, kind in enumerate(code_types.values())
    )
    counts = dict(
        con.execute(
            f"select column_index, {_nik_count('code')} from ({probes}) group by column_index"
        ).fetchall()
    )
    for i, column in enumerate(code_types):
        if counts.get(i):
            raise PrivacyGuardError(
                f"{SCHEMA}.{table}.{column}: {counts[i]} code(s) contain a 16-digit run"
                " (a raw NIK?); publication refused"
            )


def write_people(source_db: Path, period: dt.date, dest: Path) -> None:
    """people_monthly of the period (internal: the state ledger, never published) as Parquet,
    written by DuckDB straight from the file (10M keys never pass through Python).
    Uncompressed: the keys are digests, in which compression finds nothing (national scale:
    354 MB instead of 342 MB, written in 1.28 s instead of 1.58-2.22 s)."""
    with open_source(source_db) as con:
        con.execute(
            f"copy (select period, person_key, primary_cohort from {SCHEMA}.{PEOPLE_TABLE}"
            f" where period = ?) to '{_sql_path(dest)}' (format parquet, compression uncompressed)",
            [period],
        )


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def guard_text(label: str, values: dict[str, str | None]) -> None:
    """The same guard for the publisher's own free-text log fields (run id, reason, file names)."""
    import re

    for field, value in values.items():
        if value and re.search(r"\d{16}", re.sub(r"[0-9a-fA-F]{64}", "", value)):
            raise PrivacyGuardError(f"{label}.{field} contains a 16-digit run; refused")
