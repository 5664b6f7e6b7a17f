"""berjasa.dbt_inputs: typed empty tables, period replacement, optional columns."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from berjasa.config import Settings
from berjasa.dbt_inputs import TABLES, load_inputs
from tests.dbt import golden_inputs as g


def _settings(home: Path) -> Settings:
    return Settings(home=home, landing=home / "landing", warehouse="", pii_key="test-key")


def test_missing_files_give_empty_typed_tables(tmp_path: Path) -> None:
    database = tmp_path / "dbt.duckdb"
    counts = load_inputs(_settings(tmp_path), "2026-01", database)
    assert counts == dict.fromkeys(TABLES, 0)
    con = duckdb.connect(str(database), read_only=True)
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


def test_reloading_a_period_replaces_only_that_period(tmp_path: Path) -> None:
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
    ).fetchall() == [("p01", 3_000_625, None), ("p02", 5_000_000, None)]
    assert isinstance(table, pa.Table)
