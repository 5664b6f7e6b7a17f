"""The validated, pseudonymised Parquet as schema `berjasa_input` of dbt's database.

dbt reads only these relations (declared as the `berjasa_input` source), so dbt never sees a raw
NIK or the PII key. Columns and types are fixed by `TABLES`, whatever the files hold: a column a
file leaves out is null, and a missing input is an empty relation with the right column types, so
dbt always finds every input.

DuckDB targets get VIEWS over the Parquet files, not tables. At national scale the inputs are
~50M rows (10M accepted, 10M last good, 12M DTSEN, 10M opening list, 10M ledger); copying them
into dbt's database cost a full read and a second on-disk copy on every run (~15 s, 100 s on a
busy machine), for no gain: dbt reads the inputs a few times per build and DuckDB scans Parquet
about as fast as its own tables (a national-scale build took no longer). A view also stays in
sync with the validated files.

Each view covers every period the home holds, as the tables did (dbt's staging filters by
period, so `dbt build` run by hand for an earlier period still finds its inputs): one
`union all` branch per period file. `period` is the file's own column (the validator writes each
period's rows with that period), taken from the folder or file name only when the file has none
(bpjs_active). DTSEN's `extract_period` is the other way round: the period in the file's name
(the validator writes one extract per file, all its rows with that period; a file not named by a
period keeps its column). Both choices give DuckDB's planner what the tables gave it, and its
join order depends on it (DuckDB 1.5, national scale): dbt filters on `period`, which as a
column stays a filter estimated as on a table and answered from Parquet row-group statistics (a
literal folds the filter away: DuckDB took every list as 10M rows, built a semi-join on the
10M-row opening list, and int_list_rows_checked ran out of its 3 GB); dbt joins on the latest
`extract_period`, which Parquet, lacking the tables' distinct-value statistics, would estimate
at one row, so the DTSEN semi-join would hash all 12M extract rows rather than the listed
people.

The file list is fixed when the views are (re)created, by `load_inputs` before every dbt build:
a period validated later appears at its own load, and a file removed since (a re-validation
without its DTSEN extract removes that extract) makes its view fail until the next load. The
views name the files of this BERJASA_HOME by absolute path (dbt's database lives in the same
home): a copy of the database elsewhere needs the home's `validated/` and `state/` at the same
place. Homes created before views had tables of these names; they are dropped and replaced.

PostgreSQL cannot read Parquet, so PostgreSQL targets still receive tables: the period's rows
replaced (re-running a period replaces exactly itself), the all-period tables (DTSEN extracts,
opening list, ledger) replaced whole, the rows typed by an in-memory DuckDB and sent by COPY as
CSV.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from berjasa import duck
from berjasa.config import Settings
from berjasa.periods import PeriodError, format_period, parse_period

SCHEMA = "berjasa_input"
#: `person_key` as dbt holds it: the 32 bytes of the HMAC (BLOB in DuckDB, which reads `bytea`
#: as BLOB; bytea in PostgreSQL). Files written before keys were bytes hold the 64-hex text,
#: which the views unhex (`_key_expression`), so a home keeps its history.
KEY_TYPE = "bytea"

_SCHEMA_A: list[tuple[str, str]] = [
    ("period", "date"),
    ("cohort_code", "varchar"),
    ("source_file", "varchar"),
    ("file_ordinal", "integer"),
    ("source_row", "integer"),
    ("person_key", KEY_TYPE),
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
        [("extract_period", "date"), ("person_key", KEY_TYPE), ("desil", "integer")],
        False,
    ),
    "opening_members": ([("person_key", KEY_TYPE), ("last_billed", "date")], False),
    "published_people": (
        [("period", "date"), ("person_key", KEY_TYPE), ("primary_cohort", "varchar")],
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


def view_files(settings: Settings) -> dict[str, list[tuple[Path, str | None]]]:
    """Every Parquet file feeding each view, all periods: `(absolute path, period)`, the period
    (`YYYY-MM`, from the folder or file name) for per-period inputs and for DTSEN extracts named
    by their period, None otherwise.

    Mirrors `input_files` over all periods. Files are listed here, never globbed in SQL: a SQL
    glob `validated/*/accepted.parquet` would also accept any folder that is not a period."""
    validated = settings.validated_dir.resolve()
    state = settings.state_dir.resolve()
    files = {
        "accepted_rows": _period_folders(validated, "accepted.parquet"),
        "good_rows": _period_files(state / "good"),
        "local_rejects": _period_folders(validated, "rejected.parquet"),
        "source_files": _period_folders(validated, "source_files.parquet"),
        "bpjs_active": _period_folders(validated, "bpjs_active.parquet"),
    }
    files["dtsen"] = [
        (path, path.stem if _is_period(path.stem) else None)
        for path in sorted((validated / "dtsen").glob("*.parquet"))
        if path.is_file()
    ]
    all_periods = {
        "opening_members": [validated / "opening_members.parquet"],
        "published_people": sorted((state / "ledger").glob("*.parquet")),
    }
    for name, paths in all_periods.items():
        files[name] = [(path, None) for path in paths if path.is_file()]
    return files


def _is_period(text: str) -> bool:
    try:
        parse_period(text)
    except PeriodError:
        return False
    return len(text) == len("YYYY-MM")


def _period_folders(validated: Path, file_name: str) -> list[tuple[Path, str | None]]:
    """`validated/<period>/<file_name>` of every period folder, oldest period first."""
    found: list[tuple[Path, str | None]] = [
        (path, path.parent.name)
        for path in validated.glob(f"*/{file_name}")
        if _is_period(path.parent.name) and path.is_file()
    ]
    return sorted(found, key=lambda entry: str(entry[1]))


def _period_files(folder: Path) -> list[tuple[Path, str | None]]:
    """`<folder>/<period>.parquet` of every period, oldest first."""
    found: list[tuple[Path, str | None]] = [
        (path, path.stem)
        for path in folder.glob("*.parquet")
        if _is_period(path.stem) and path.is_file()
    ]
    return sorted(found, key=lambda entry: str(entry[1]))


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _typed_select(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[Path],
    columns: list[tuple[str, str]],
    period_literal: str | None,
    literal_column: str = "period",
    *,
    keys_as_text: bool = False,
) -> str:
    """SQL reading `files` with exactly `columns` (types cast; `literal_column` forced to
    `period_literal` when given; missing optional columns null); typed and empty when there is
    no file. With `keys_as_text`, key columns come out as bytea's text form (`\\x` + hex), which
    PostgreSQL's COPY reads into bytea."""
    if not files:
        typed_nulls = ", ".join(f"cast(null as {t}) as {n}" for n, t in columns)
        return f"select {typed_nulls} where false"
    paths = ", ".join(_sql_string(str(path)) for path in files)
    relation = f"read_parquet([{paths}], union_by_name = true)"
    present = {
        row[0]: row[1] for row in con.execute(f"describe select * from {relation}").fetchall()
    }
    selects = []
    for name, sql_type in columns:
        if name == literal_column and period_literal is not None:
            selects.append(f"cast('{period_literal}' as date) as {name}")
        elif name in present and sql_type == KEY_TYPE:
            key = _key_expression(name, present[name])
            selects.append(f"{_bytea_text(key) if keys_as_text else key} as {name}")
        elif name in present:
            selects.append(f"cast({name} as {sql_type}) as {name}")
        else:  # an optional column the writer left out
            selects.append(f"cast(null as {sql_type}) as {name}")
    return f"select {', '.join(selects)} from {relation}"


def _key_expression(column: str, file_type: str) -> str:
    """A key column as bytes: the bytes themselves, or the 64-hex text of older files unhexed."""
    if file_type.upper() == "VARCHAR":
        return f"unhex({column})"
    return f"cast({column} as blob)"


def _bytea_text(key: str) -> str:
    return f"'\\x' || lower(hex({key}))"


def _typed_table(
    files: Sequence[Path], columns: list[tuple[str, str]], period_literal: str | None
) -> pa.Table:
    """`_typed_select` materialised as Arrow for PostgreSQL's COPY (keys as bytea text, one
    branch per file so that older hex files and newer byte files mix)."""
    con = duck.connect()
    try:
        if not files:
            return con.execute(_typed_select(con, files, columns, period_literal)).to_arrow_table()
        branches = [
            _typed_select(con, [path], columns, period_literal, keys_as_text=True) for path in files
        ]
        return con.execute("\nunion all\n".join(branches)).to_arrow_table()
    finally:
        con.close()


def _ddl(table: str, columns: list[tuple[str, str]]) -> str:
    body = ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
    return f"create table if not exists {SCHEMA}.{table} ({body})"


def _is_postgres(target: Any) -> bool:
    return type(target).__module__.startswith("psycopg")


def load_inputs(settings: Settings, period: str, target: Any) -> dict[str, int]:
    """Make every `berjasa_input` input of `target` hold `period`'s validated rows.

    `target` is a DuckDB connection or a path to a DuckDB file (views over every period's
    Parquet, recreated), or a psycopg connection (the period's rows of each table replaced;
    committed here). Returns the rows per input for `period` (for run metadata).
    """
    period_literal = parse_period(period).isoformat()
    if _is_postgres(target):
        files = input_files(settings, period)
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
            return _load_duckdb(con, settings, format_period(parse_period(period)))
        finally:
            con.close()
    return _load_duckdb(target, settings, format_period(parse_period(period)))


def _view_select(
    con: duckdb.DuckDBPyConnection,
    name: str,
    entries: Sequence[tuple[Path, str | None]],
    columns: list[tuple[str, str]],
    per_period: bool,
) -> str:
    """The view's query, one `union all` branch per file where the period matters (see the
    module docstring): per-period inputs take `period` from the file (from the folder or file
    name when the file has no such column), DTSEN takes `extract_period` from the file name.
    The opening list and the ledger get one branch per file as well (see `_key_expression`)."""
    if not entries:
        return _typed_select(con, [], columns, None)
    if not (per_period or name == "dtsen"):
        # one branch per file too: a home's older files hold keys as hex text, newer ones as
        # bytes, and each needs its own conversion
        return "\nunion all\n".join(
            _typed_select(con, [path], columns, None) for path, _ in entries
        )
    branches = []
    for path, period in entries:
        if per_period:
            literal = None if _has_period(path) else f"{period}-01"
            branches.append(_typed_select(con, [path], columns, literal))
        else:
            literal = None if period is None else f"{period}-01"
            branches.append(_typed_select(con, [path], columns, literal, "extract_period"))
    return "\nunion all\n".join(branches)


def _has_period(path: Path) -> bool:
    return "period" in pq.read_schema(path).names


def _row_count(paths: Sequence[Path]) -> int:
    """Rows in the files, from their Parquet footers (no data read)."""
    return sum(pq.ParquetFile(path).metadata.num_rows for path in paths)


def _load_duckdb(con: duckdb.DuckDBPyConnection, settings: Settings, period: str) -> dict[str, int]:
    """One transaction: every `berjasa_input` view created or replaced over the home's files
    (a table of that name, left by a home created before views, dropped first). Returns the
    rows each input holds for `period` (all rows for the all-period inputs), as the tables
    reported."""
    entries = view_files(settings)
    counts: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {SCHEMA}")
        old_tables = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = current_database() and table_schema = ? "
                "and table_type = 'BASE TABLE'",
                [SCHEMA],
            ).fetchall()
        }
        for name, (columns, per_period) in TABLES.items():
            if name in old_tables:
                con.execute(f"drop table {SCHEMA}.{name}")
            select = _view_select(con, name, entries[name], columns, per_period)
            con.execute(f"create or replace view {SCHEMA}.{name} as {select}")
            counted = [path for path, of in entries[name] if not per_period or of == period]
            counts[name] = _row_count(counted)
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
