"""`berjasa run` end to end on two demo months: every input row ends billed or rejected with
exactly the reason the generator's truth file says (row-local and period rules alike), the
summary and exit code are right, and month 2 sees month 1 as history."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import DEMO_SCALE, MONTHS, Home


def _warehouse(home: Home) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home.warehouse), read_only=True)


@pytest.mark.parametrize("month", MONTHS)
def test_every_row_gets_the_truth_files_outcome(published_home: Home, month: str):
    truth = published_home.landing / "_truth" / f"{month}.parquet"
    period = dt.date.fromisoformat(f"{month}-01")
    con = _warehouse(published_home)
    try:
        rejected = set(
            con.execute(
                "select source_file, source_row, reason_code from berjasa.rejected_records "
                "where period = ?",
                [period],
            ).fetchall()
        )
        stats = con.execute(
            "select sum(rows_read), sum(rows_accepted), sum(rows_rejected) "
            "from berjasa.publication_cohort_status where period = ?",
            [period],
        ).fetchone()
    finally:
        con.close()
    expected_rejects = set(
        duckdb.sql(
            f"select source_file, source_row::integer, expected from '{truth}' "
            "where expected <> 'ok'"
        ).fetchall()
    )
    total, ok = duckdb.sql(
        f"select count(*), count(*) filter (where expected = 'ok') from '{truth}'"
    ).fetchone()
    assert expected_rejects, "the demo must contain faults"
    assert sorted(rejected - expected_rejects) == []
    assert sorted(expected_rejects - rejected) == []
    # invariant: read = accepted + rejected, and nothing lost
    assert stats == (total, ok, total - ok)


def test_run_exits_0_and_prints_the_bill(published_home: Home):
    run = published_home.runs["2026-01"]
    assert run.returncode == 0
    assert "Total APBD bill: Rp " in run.stdout
    assert "Traceback" not in run.stderr
    con = _warehouse(published_home)
    try:
        total = con.execute(
            "select sum(premium_idr) from berjasa.billing_monthly where period = date '2026-01-01'"
        ).fetchone()[0]
        statuses = set(
            con.execute(
                "select status from berjasa.publication_cohort_status "
                "where period = date '2026-01-01'"
            ).fetchall()
        )
    finally:
        con.close()
    rupiah = "Rp " + f"{total:,}".replace(",", ".")
    assert f"Total APBD bill: {rupiah}" in run.stdout
    assert statuses == {("published",)}


def test_second_month_sees_the_first_as_history(published_home: Home):
    con = _warehouse(published_home)
    try:
        rows = con.execute(
            "select sum(new), sum(continuing), sum(exited), sum(active) "
            "from berjasa.membership_changes where period = date '2026-01-01'"
        ).fetchone()
        dec_active = con.execute(
            "select sum(active) from berjasa.membership_changes where period = date '2025-12-01'"
        ).fetchone()[0]
    finally:
        con.close()
    new, continuing, exited, active = rows
    assert active == new + continuing
    assert continuing + exited == dec_active
    # the generator keeps ~94% of people month to month
    assert 0.85 < continuing / dec_active < 0.99


def test_each_months_build_runs_in_the_warm_dbt_on_its_parse(published_home: Home):
    """dbt reparses the whole project when its vars change (every new month): `berjasa run`
    starts a warm dbt that parses ahead in the background and then runs the build itself
    (berjasa/dbt_warm.py): each build comes from the process that made a parse of that
    month, and does not parse again."""
    events = [
        json.loads(line)
        for line in (published_home.path / "dbt" / "target" / "dbt.log").read_text().splitlines()
        if line.startswith("{")
    ]

    # dbt.log is kept at info level (berjasa/dbt_warm.py): a build logs its nodes' results, a
    # parse does not; every line names its invocation and process
    names: dict[str, set[str]] = {}
    pids: dict[str, int] = {}
    for e in events:
        names.setdefault(e["info"]["invocation_id"], set()).add(e["info"]["name"])
        pids[e["info"]["invocation_id"]] = e["info"]["pid"]
    builds = {i for i, seen in names.items() if "LogModelResult" in seen}
    parses = set(names) - builds
    assert len(builds) >= len(MONTHS)
    assert all("UnableToPartialParse" not in names[i] for i in builds)
    assert {pids[i] for i in builds} <= {pids[i] for i in parses}
    assert len({pids[i] for i in builds}) == len(builds)  # one warm process per build


def _keys_to_hex(path: Path) -> None:
    """Rewrite a Parquet file's `person_key` bytes as 64-hex text, as versions before keys were
    bytes wrote them."""
    table = pq.read_table(path)
    index = table.schema.get_field_index("person_key")
    if pa.types.is_string(table.schema.field(index).type):
        return  # already converted through a hard link (the good list is one to accepted)
    hexes = pa.array([None if k is None else k.hex() for k in table.column(index).to_pylist()])
    pq.write_table(table.set_column(index, "person_key", hexes.cast(pa.string())), path)


def test_a_home_written_with_hex_keys_continues_the_same(
    home_factory: Callable[..., Home], published_home: Home
):
    """A home whose first month was written before keys were bytes (validated files, last good
    list and ledger holding 64-hex text) runs its next month exactly as a home written in bytes
    throughout: the same movements, bill and people billed."""
    first, second = MONTHS
    home = home_factory("hex_home")
    for month in MONTHS:
        home.berjasa("demo-data", "--period", month, "--scale", DEMO_SCALE, check=True)
    home.berjasa("run", "--period", first, check=True)
    state_files = [
        home.path / "validated" / first / "accepted.parquet",
        home.path / "validated" / "dtsen" / f"{first}.parquet",
        home.path / "state" / "ledger" / f"{first}.parquet",
        home.path / "state" / "good" / f"{first}.parquet",
    ]
    for path in state_files:
        _keys_to_hex(path)
    assert pq.read_schema(state_files[2]).field("person_key").type == pa.string()
    home.berjasa("run", "--period", second, check=True)

    queries = {
        "membership_changes": "select cohort_code, new, continuing, exited, active"
        " from berjasa.membership_changes where period = ? order by 1",
        "billing_monthly": "select cohort_code, program, participants, premium_idr"
        " from berjasa.billing_monthly where period = ? order by 1, 2",
        "billing_detail": "select count(*), sum(hash(person_key, program, premium_idr))"
        " from berjasa.billing_detail where period = ?",
    }
    day = dt.date.fromisoformat(second + "-01")
    results = []
    for source in (home, published_home):
        con = _warehouse(source)
        try:
            results.append(
                {name: con.execute(sql, [day]).fetchall() for name, sql in queries.items()}
            )
        finally:
            con.close()
    assert results[0] == results[1]
    assert sum(row[2] for row in results[0]["membership_changes"]) > 0  # continuity was found
