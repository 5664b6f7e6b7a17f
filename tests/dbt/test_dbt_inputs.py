"""berjasa.dbt_inputs on DuckDB: views over every validated period, typed empty views, homes
with the old input tables, optional columns."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from berjasa.config import Settings
from berjasa.dbt_inputs import TABLES, load_inputs
from tests.dbt import golden_inputs as g


def _relation_types(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(
        con.execute(
            "select table_name, table_type from information_schema.tables "
            "where table_schema = 'berjasa_input'"
        ).fetchall()
    )


def _rows_by_period(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, int]]:
    return con.execute(
        f"select strftime(period, '%Y-%m'), count(*) from berjasa_input.{table} "
        "group by 1 order by 1"
    ).fetchall()


def _settings(home: Path) -> Settings:
    return Settings(home=home, landing=home / "landing", warehouse="", pii_key="test-key")


def test_missing_files_give_empty_typed_tables(tmp_path: Path) -> None:
    database = tmp_path / "dbt.duckdb"
    counts = load_inputs(_settings(tmp_path), "2026-01", database)
    assert counts == dict.fromkeys(TABLES, 0)
    con = duckdb.connect(str(database), read_only=True)
    assert _relation_types(con) == dict.fromkeys(TABLES, "VIEW")
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'berjasa_input' and table_name = 'accepted_rows'"
        ).fetchall()
    )
    assert types["period"] == "DATE"
    assert types["wage_idr"] == "BIGINT"
    assert types["source_row"] == "INTEGER"
    assert types["is_outside_city"] == "BOOLEAN"


def test_reloading_a_period_keeps_every_period(tmp_path: Path) -> None:
    database = tmp_path / "dbt.duckdb"
    g.write_period(tmp_path, g.M1)
    g.write_period(tmp_path, g.M2)
    settings = _settings(tmp_path)
    load_inputs(settings, g.M1, database)
    load_inputs(settings, g.M2, database)
    counts = load_inputs(settings, g.M1, database)
    assert counts["accepted_rows"] == len(g.LISTS[g.M1])
    con = duckdb.connect(str(database), read_only=True)
    rows = con.execute(
        "select strftime(period, '%Y-%m'), count(*) from berjasa_input.accepted_rows "
        "group by 1 order by 1"
    ).fetchall()
    assert rows == [(g.M1, len(g.LISTS[g.M1])), (g.M2, len(g.LISTS[g.M2]))]
    assert con.execute("select count(*) from berjasa_input.dtsen").fetchone() == (11,)


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    folder = tmp_path / "validated" / g.M1
    folder.mkdir(parents=True)
    table = g._schema_a_rows(g.M1, g.LISTS[g.M1][:2]).drop_columns(["pekerjaan", "disabilitas"])
    pq.write_table(table, folder / "accepted.parquet")
    database = tmp_path / "dbt.duckdb"
    load_inputs(_settings(tmp_path), g.M1, database)
    con = duckdb.connect(str(database), read_only=True)
    assert con.execute(
        "select person_key, wage_idr, pekerjaan from berjasa_input.accepted_rows order by 1"
    ).fetchall() == [(b"p01", 3_000_625, None), (b"p02", 5_000_000, None)]
    assert isinstance(table, pa.Table)


def test_views_hold_every_validated_period_with_its_rows(tmp_path: Path) -> None:
    """Loading M2 alone: the views still hold M1 (a hand-run `dbt build` of M1 finds it); the
    counts returned are M2's. bpjs_active of M1 is written as the validator writes it (no period
    column): its period comes from the folder. A folder that is not a period is ignored."""
    g.write_period(tmp_path, g.M1)
    g.write_period(tmp_path, g.M2)
    bpjs_m1 = tmp_path / "validated" / g.M1 / "bpjs_active.parquet"
    pq.write_table(pq.read_table(bpjs_m1).drop_columns(["period"]), bpjs_m1)
    stray = tmp_path / "validated" / "not-a-period"
    stray.mkdir()
    (stray / "accepted.parquet").write_bytes(
        (tmp_path / "validated" / g.M1 / "accepted.parquet").read_bytes()
    )
    database = tmp_path / "dbt.duckdb"
    counts = load_inputs(_settings(tmp_path), g.M2, database)
    assert counts == {
        "accepted_rows": 20,
        "good_rows": 2,
        "local_rejects": 2,
        "source_files": 6,
        "bpjs_active": 0,
        "dtsen": 11,
        "opening_members": 2,
        "published_people": 0,
    }
    con = duckdb.connect(str(database), read_only=True)
    assert _relation_types(con) == dict.fromkeys(TABLES, "VIEW")
    assert _rows_by_period(con, "accepted_rows") == [(g.M1, 23), (g.M2, 20)]
    assert _rows_by_period(con, "good_rows") == [(g.M2, 2)]
    assert _rows_by_period(con, "local_rejects") == [(g.M1, 2), (g.M2, 2)]
    assert _rows_by_period(con, "source_files") == [(g.M1, 7), (g.M2, 6)]
    assert con.execute(
        "select period, area_code, active_participants from berjasa_input.bpjs_active "
        "order by area_code"
    ).fetchall() == [
        (g._period_date(g.M1), "73.71", 300_000),
        (g._period_date(g.M1), "73.71.01", 40_000),
    ]
    assert con.execute(
        "select strftime(extract_period, '%Y-%m'), count(*) from berjasa_input.dtsen "
        "group by 1 order by 1"
    ).fetchall() == [("2025-12", 6), ("2026-02", 5)]
    assert con.execute("select count(*) from berjasa_input.opening_members").fetchone() == (2,)
    assert con.execute(
        "select count(*) from berjasa_input.accepted_rows where period = date '2026-01-01'"
    ).fetchone() == (23,)
    # `period` is the files' own column where they have one (a literal would hide dbt's period
    # filter from DuckDB's estimates); only bpjs_active of M1, which has none, gets a literal
    definitions = dict(
        con.execute(
            "select view_name, sql from duckdb_views() where schema_name = 'berjasa_input'"
        ).fetchall()
    )
    assert "cast('2026-01-01' as date)" in definitions["bpjs_active"].lower()
    assert "cast('2026-02-01' as date)" not in definitions["bpjs_active"].lower()
    for name in ("accepted_rows", "good_rows", "local_rejects", "source_files"):
        assert "-01' as date)" not in definitions[name].lower()
    # DTSEN's extract period is the file name's (each extract file holds one period)
    assert "cast('2025-12-01' as date) as extract_period" in definitions["dtsen"].lower()
    assert "cast('2026-02-01' as date) as extract_period" in definitions["dtsen"].lower()


def test_a_dtsen_file_not_named_by_a_period_keeps_its_extract_period(tmp_path: Path) -> None:
    g.write_period(tmp_path, g.M1)
    dtsen = tmp_path / "validated" / "dtsen"
    (dtsen / "2026-02.parquet").rename(dtsen / "extract-feb.parquet")
    database = tmp_path / "dbt.duckdb"
    assert load_inputs(_settings(tmp_path), g.M1, database)["dtsen"] == 11
    con = duckdb.connect(str(database), read_only=True)
    assert con.execute(
        "select strftime(extract_period, '%Y-%m'), count(*), max(desil) from berjasa_input.dtsen "
        "group by 1 order by 1"
    ).fetchall() == [("2025-12", 6, 7), ("2026-02", 5, 5)]


def test_views_follow_the_files_at_each_load(tmp_path: Path) -> None:
    """A ledger written after the first load (as a publication does) is in the views of the
    next load; the view definitions name files, never a PII value."""
    g.write_period(tmp_path, g.M1)
    database = tmp_path / "dbt.duckdb"
    settings = _settings(tmp_path)
    assert load_inputs(settings, g.M1, database)["published_people"] == 0
    g.write_ledger(
        tmp_path,
        g.M1,
        [(g._period_date(g.M1), "p01", "non_asn"), (g._period_date(g.M1), "p02", "non_asn")],
    )
    g.write_period(tmp_path, g.M2)
    counts = load_inputs(settings, g.M2, database)
    assert counts["published_people"] == 2
    con = duckdb.connect(str(database), read_only=True)
    assert con.execute(
        "select person_key from berjasa_input.published_people order by 1"
    ).fetchall() == [(b"p01",), (b"p02",)]
    assert _rows_by_period(con, "accepted_rows") == [(g.M1, 23), (g.M2, 20)]
    definitions = " ".join(
        row[0]
        for row in con.execute(
            "select sql from duckdb_views() where schema_name = 'berjasa_input'"
        ).fetchall()
    )
    assert str(tmp_path / "validated" / g.M1 / "accepted.parquet") in definitions
    assert "p01" not in definitions and "737101" not in definitions


def test_a_home_with_the_old_input_tables_gets_views(tmp_path: Path) -> None:
    """Homes created before the views hold tables of these names (and dbt's staging views on
    them): the tables are dropped, the stale rows are gone, the staging view reads the new view."""
    database = tmp_path / "dbt.duckdb"
    con = duckdb.connect(str(database))
    con.execute("create schema berjasa_input")
    for name, (columns, _) in TABLES.items():
        body = ", ".join(f"{column} {sql_type}" for column, sql_type in columns)
        con.execute(f"create table berjasa_input.{name} ({body})")
    con.execute(
        "insert into berjasa_input.accepted_rows (period, person_key) "
        "values (date '2025-11-01', 'stale'), (date '2026-01-01', 'stale')"
    )
    con.execute("insert into berjasa_input.dtsen values (date '2025-01-01', 'stale', 1)")
    con.execute("create schema staging")
    con.execute(
        "create view staging.stg_accepted_rows as "
        "select * from berjasa_input.accepted_rows where period = date '2026-01-01'"
    )
    con.close()
    g.write_period(tmp_path, g.M1)
    counts = load_inputs(_settings(tmp_path), g.M1, database)
    assert counts["accepted_rows"] == 23
    con = duckdb.connect(str(database), read_only=True)
    assert _relation_types(con) == dict.fromkeys(TABLES, "VIEW")
    assert _rows_by_period(con, "accepted_rows") == [(g.M1, 23)]
    assert con.execute(
        "select count(*) from berjasa_input.accepted_rows where person_key = 'stale'"
    ).fetchone() == (0,)
    assert con.execute("select count(*) from berjasa_input.dtsen").fetchone() == (11,)
    assert con.execute("select count(*) from staging.stg_accepted_rows").fetchone() == (23,)


def test_an_input_without_a_file_is_a_typed_empty_view(tmp_path: Path) -> None:
    """No bpjs_active file in any period and no ledger yet: empty views, typed as TABLES says;
    the period's other inputs are unaffected."""
    g.write_period(tmp_path, g.M1)
    (tmp_path / "validated" / g.M1 / "bpjs_active.parquet").unlink()
    database = tmp_path / "dbt.duckdb"
    counts = load_inputs(_settings(tmp_path), g.M1, database)
    assert counts["bpjs_active"] == 0
    assert counts["published_people"] == 0
    assert counts["accepted_rows"] == 23
    con = duckdb.connect(str(database), read_only=True)
    for name in ("bpjs_active", "published_people", "good_rows"):
        assert con.execute(f"select count(*) from berjasa_input.{name}").fetchone() == (0,)
        types = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'berjasa_input' and table_name = ? order by ordinal_position",
            [name],
        ).fetchall()
        duckdb_names = {"BYTEA": "BLOB"}  # DuckDB's name for bytea
        assert types == [
            (column, duckdb_names.get(sql_type.upper(), sql_type.upper()))
            for column, sql_type in TABLES[name][0]
        ]


def test_files_with_hex_keys_from_before_keys_were_bytes_are_unhexed(tmp_path: Path) -> None:
    """A home's files written before keys were bytes hold the 64-hex text: the views give every
    key as its 32 bytes, whichever kind of file it comes from (here a ledger of each kind, and an
    older accepted list), so next month's continuity matches people across the change."""
    digest = bytes(range(32))
    g.write_period(tmp_path, g.M1)
    old_ledger = tmp_path / "state" / "ledger" / f"{'2025-12'}.parquet"
    g.write_ledger(tmp_path, g.M1, [(g._period_date(g.M1), "p01", "non_asn")])
    old_ledger.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.table(
            {
                "period": pa.array([g._period_date("2025-12")], pa.date32()),
                "person_key": pa.array([digest.hex()], pa.string()),
                "primary_cohort": pa.array(["rt_rw"], pa.string()),
            }
        ),
        old_ledger,
    )
    accepted = tmp_path / "validated" / g.M1 / "accepted.parquet"
    table = pq.read_table(accepted)
    hex_keys = pa.array([digest.hex()] * table.num_rows, pa.string())
    pq.write_table(table.set_column(5, "person_key", hex_keys), accepted)
    database = tmp_path / "dbt.duckdb"
    load_inputs(_settings(tmp_path), g.M1, database)
    con = duckdb.connect(str(database), read_only=True)
    assert con.execute(
        "select person_key, primary_cohort from berjasa_input.published_people order by 2"
    ).fetchall() == [(b"p01", "non_asn"), (digest, "rt_rw")]
    assert con.execute(
        "select distinct person_key from berjasa_input.accepted_rows"
    ).fetchall() == [(digest,)]
