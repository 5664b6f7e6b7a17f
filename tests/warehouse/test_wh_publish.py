"""Publication to both targets: same contents and types, idempotency, atomicity, lifecycle."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import psycopg
import pyarrow.parquet as pq
import pytest
from fake_marts import SIZES_1, SIZES_2, expected_total

from berjasa.config import DEMO_PII_KEY, Settings
from berjasa.pii import key_fingerprint
from berjasa.warehouse import (
    PUBLISHED_TABLES,
    DemoKeyError,
    InputFile,
    PeriodFinalError,
    PrivacyGuardError,
    Provenance,
    SourceError,
    column_types,
    finalize_period,
    period_status,
    publish_period,
    read_table,
)
from berjasa.warehouse import targets as targets_module
from berjasa.warehouse.tables import pg_type
from berjasa.warehouse.targets import CODE_COLUMNS, WarehouseError

PROV = Provenance(
    input_files=(InputFile("rt_rw.csv", "a" * 64), InputFile("non_asn.csv", "b" * 64)),
    dtsen_file="_dtsen.parquet",
    rows_read=66,
    rows_accepted=60,
    rows_rejected=6,
    code_version="test-1.0",
)
ALL_TABLES = PUBLISHED_TABLES


def _publish(settings: Settings, source_db: Path, warehouse: str, period: str, **kw):
    return publish_period(
        settings,
        period,
        run_id=f"run-{period}",
        source_db=source_db,
        warehouse=warehouse,
        provenance=PROV,
        **kw,
    )


def _rows(warehouse: str, table: str) -> list[tuple]:
    rows = [tuple(r.values()) for r in read_table(warehouse, table).to_pylist()]
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


def _snapshot(warehouse: str) -> dict[str, list[tuple]]:
    return {t: _rows(warehouse, t) for t in ALL_TABLES}


def _log(warehouse: str) -> list[dict]:
    rows = read_table(warehouse, "publication_log").to_pylist()
    return sorted(rows, key=lambda r: r["publication_id"])


def test_two_periods_same_contents_and_types_in_duckdb_and_postgres(settings, source_db, pg_url):
    wh = settings.warehouse
    for period in ("2025-01", "2025-02"):
        r_duck = _publish(settings, source_db, wh, period)
        r_pg = _publish(settings, source_db, pg_url, period)
        assert (r_duck.target, r_pg.target) == ("duckdb", "postgresql")
        assert r_duck.total_premium_idr == r_pg.total_premium_idr

    assert r_duck.total_premium_idr == expected_total(SIZES_2) == 984_048
    duck, pg = _snapshot(wh), _snapshot(pg_url)
    assert duck == pg
    # both periods present, each billed once per person and program
    detail = duck["billing_detail"]
    assert len(detail) == 2 * (sum(SIZES_1.values()) + sum(SIZES_2.values()))
    periods = {r[0] for r in duck["billing_monthly"]}
    assert periods == {dt.date(2025, 1, 1), dt.date(2025, 2, 1)}
    # column names and mapped types agree, table by table
    src_types = column_types(str(source_db), "coverage_monthly")
    assert src_types["program_share"] == "DECIMAL(12,6)"
    for table in (*ALL_TABLES, "publication_log"):
        duck_types = column_types(wh, table)
        pg_types = column_types(pg_url, table)
        assert list(duck_types) == list(pg_types), table
        # billing_detail's code columns are ENUMs on DuckDB, text on PostgreSQL
        codes = {column for (name, column) in CODE_COLUMNS if name == table}
        plain = {c: "VARCHAR" if c in codes else t for c, t in duck_types.items()}
        assert {c: pg_type(t) for c, t in plain.items()} == pg_types, table
    assert column_types(wh, "billing_detail")["program"] == "ENUM('JHT', 'JKK', 'JKM')"
    assert column_types(pg_url, "coverage_monthly")["program_share"] == "numeric(12,6)"
    assert column_types(pg_url, "coverage_monthly")["ucj_above_one"] == "boolean"
    assert column_types(pg_url, "billing_monthly")["premium_idr"] == "bigint"
    # the log: one draft row per publication, identical provenance on both targets
    for target in (wh, pg_url):
        log = _log(target)
        assert [(r["publication_id"], r["period"], r["status"]) for r in log] == [
            (1, dt.date(2025, 1, 1), "draft"),
            (2, dt.date(2025, 2, 1), "draft"),
        ]
        assert log[1]["total_premium_idr"] == 984_048
        assert log[0]["total_premium_idr"] == expected_total(SIZES_1) == 1_002_040
        assert log[1]["pii_key_fingerprint"] == key_fingerprint(settings.pii_key)
        assert settings.pii_key not in json.dumps(log, default=str)
        assert json.loads(log[1]["input_files"]) == [
            {"name": "non_asn.csv", "sha256": "b" * 64},
            {"name": "rt_rw.csv", "sha256": "a" * 64},
        ]
        assert (log[1]["rows_read"], log[1]["rows_accepted"], log[1]["rows_rejected"]) == (
            66,
            60,
            6,
        )
        assert log[1]["code_version"] == "test-1.0"
        assert len(log[1]["rates_hash"]) == 64
    # comments reached both warehouses
    with duckdb.connect(wh, read_only=True) as con:
        (comment,) = con.execute(
            "select comment from duckdb_tables() where table_name = 'publication_log'"
        ).fetchone()
    assert comment.startswith("One row per publication")
    with psycopg.connect(pg_url) as conn:
        (pg_comment,) = conn.execute(
            "select obj_description('berjasa.publication_log'::regclass)"
        ).fetchone()
    assert pg_comment == comment


def test_republish_is_idempotent_and_replaces_only_its_period(settings, source_db, pg_url):
    for target in (settings.warehouse, pg_url):
        _publish(settings, source_db, target, "2025-01")
        _publish(settings, source_db, target, "2025-02")
        first = _snapshot(target)
        _publish(settings, source_db, target, "2025-02")
        assert _snapshot(target) == first
    # the marts change for 2025-02 only: 2025-01 rows stay untouched
    from fake_marts import build_period

    build_period(source_db, "2025-02", {"rt_rw": 6}, home=settings.home)
    for target in (settings.warehouse, pg_url):
        result = _publish(settings, source_db, target, "2025-02")
        assert result.total_premium_idr == 6 * 16_800
        monthly = read_table(target, "billing_monthly", "2025-02").to_pylist()
        assert [(r["cohort_code"], r["program"], r["participants"]) for r in monthly] == [
            ("rt_rw", "JKK", 6),
            ("rt_rw", "JKM", 6),
        ]
        jan = read_table(target, "billing_monthly", "2025-01")
        assert jan.num_rows == 12
        assert sum(jan.column("premium_idr").to_pylist()) == 1_002_040


def _fail_third_load(monkeypatch, name: str) -> list[str]:
    calls: list[str] = []
    original = getattr(targets_module, name)

    def failing(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 3:
            raise RuntimeError("injected failure while loading the third table")
        return original(*args, **kwargs)

    monkeypatch.setattr(targets_module, name, failing)
    return calls


def test_failure_halfway_leaves_previous_publication_intact(
    settings, source_db, pg_url, monkeypatch
):
    wh = settings.warehouse
    _publish(settings, source_db, wh, "2025-01")
    _publish(settings, source_db, pg_url, "2025-01")
    before_duck, before_pg = _snapshot(wh), _snapshot(pg_url)
    file_hash = hashlib.sha256(Path(wh).read_bytes()).hexdigest()

    duck_calls = _fail_third_load(monkeypatch, "load_duckdb")
    pg_calls = _fail_third_load(monkeypatch, "copy_postgres")
    for target in (wh, pg_url):
        with pytest.raises(RuntimeError, match="injected failure"):
            _publish(settings, source_db, target, "2025-02")
    assert duck_calls == pg_calls == ["billing_monthly", "billing_detail", "membership_changes"]

    assert hashlib.sha256(Path(wh).read_bytes()).hexdigest() == file_hash
    assert sorted(p.name for p in Path(wh).parent.iterdir() if "warehouse" in p.name) == [
        "warehouse.duckdb",
        "warehouse.duckdb.lock",
    ]  # no temp file left behind
    assert _snapshot(wh) == before_duck
    assert _snapshot(pg_url) == before_pg
    assert [r["period"] for r in _log(pg_url)] == [dt.date(2025, 1, 1)]
    # state was not advanced either
    assert not (settings.state_dir / "ledger" / "2025-02.parquet").exists()


def test_finalize_refuses_republish_unless_superseded(settings, source_db, pg_url):
    for target in (settings.warehouse, pg_url):
        _publish(settings, source_db, target, "2025-01")
        assert period_status(settings, "2025-01", target) == "draft"
        final = finalize_period(settings, "2025-01", target)
        assert (final.status, final.publication_id) == ("final", 2)
        assert finalize_period(settings, "2025-01", target).publication_id == 2  # no-op
        with pytest.raises(PeriodFinalError, match="--supersede --reason"):
            _publish(settings, source_db, target, "2025-01")
        assert len(_log(target)) == 2
        # another period is not affected
        assert _publish(settings, source_db, target, "2025-02").status == "draft"
        again = _publish(
            settings,
            source_db,
            target,
            "2025-01",
            supersede_reason="Koreksi daftar RT/RW dari Bagian Pemerintahan",
        )
        assert again.status == "final"
        log = _log(target)
        assert [(r["status"], r["supersede_reason"]) for r in log] == [
            ("draft", None),
            ("final", None),
            ("draft", None),
            ("final", "Koreksi daftar RT/RW dari Bagian Pemerintahan"),
        ]
        assert period_status(settings, "2025-01", target) == "final"


def test_demo_key_refused_for_postgres(settings, source_db, pg_url):
    demo = Settings(
        home=settings.home, landing=settings.landing, warehouse=pg_url, pii_key=DEMO_PII_KEY
    )
    with pytest.raises(DemoKeyError, match="demo PII key"):
        _publish(demo, source_db, pg_url, "2025-01")
    with psycopg.connect(pg_url) as conn:
        (exists,) = conn.execute("select to_regclass('berjasa.billing_monthly')").fetchone()
    assert exists is None
    # the demo key is fine for the embedded DuckDB warehouse
    assert _publish(demo, source_db, settings.warehouse, "2025-01").status == "draft"


def test_privacy_guard_names_table_and_column_not_the_value(settings, source_db):
    from fake_marts import build_period

    nik = "7371014101900001"
    build_period(source_db, "2025-01", SIZES_1, reject_detail=f"nik {nik} bad")
    with pytest.raises(PrivacyGuardError) as err:
        _publish(settings, source_db, settings.warehouse, "2025-01")
    assert "berjasa.rejected_records.reason_detail" in str(err.value)
    assert nik not in str(err.value)
    assert not Path(settings.warehouse).exists()


def test_privacy_guard_runs_in_sql_on_the_published_rows_before_any_write(
    settings, source_db, pg_url
):
    """A NIK planted in one billing_detail row of the period refuses the publication on both
    targets before anything is written; a NIK in another period's rows (not published now) and
    a key whose 64 hex characters are all digits do not. (The codes as text, so that one row can
    hold a NIK: dbt's ENUM codes are checked on their codes, in the next test.)"""
    nik = "7371014101900001"
    wh = settings.warehouse
    for target in (wh, pg_url):
        _publish(settings, source_db, target, "2025-01")
    _codes_as_text(source_db)
    before_duck, before_pg = _snapshot(wh), _snapshot(pg_url)
    file_hash = hashlib.sha256(Path(wh).read_bytes()).hexdigest()
    feb, jan = dt.date(2025, 2, 1), dt.date(2025, 1, 1)
    digits_key = nik * 4  # a 32-byte digest whose hex is 64 digits: a key, not a NIK
    with duckdb.connect(str(source_db)) as con:
        (victim,) = con.execute(
            "select min(person_key) from berjasa.billing_detail where period = ?", [feb]
        ).fetchone()
        con.execute(
            "update berjasa.billing_detail set rate_id = ? where period = ? and person_key = ?"
            " and program = 'JKK'",
            [f"BPU-{nik}", feb, victim],
        )
        con.execute(
            "update berjasa.billing_detail set person_key = ? where period = ? and person_key = ?"
            " and program = 'JKM'",
            [bytes.fromhex(digits_key), feb, victim],
        )
    for target in (wh, pg_url):
        with pytest.raises(PrivacyGuardError) as err:
            _publish(settings, source_db, target, "2025-02")
        assert str(err.value) == (
            "berjasa.billing_detail.rate_id: 1 value(s) contain a 16-digit run (a raw NIK?);"
            " publication refused"
        )
        assert nik not in str(err.value)
    # nothing reached either target, and state was not advanced
    assert hashlib.sha256(Path(wh).read_bytes()).hexdigest() == file_hash
    assert _snapshot(wh) == before_duck
    assert _snapshot(pg_url) == before_pg
    assert [r["period"] for r in _log(pg_url)] == [jan]
    assert not (settings.state_dir / "ledger" / "2025-02.parquet").exists()
    assert not (settings.state_dir / "good" / "2025-02.parquet").exists()

    # the guard reads exactly the rows to publish: a NIK in January does not stop February
    with duckdb.connect(str(source_db)) as con:
        con.execute(
            "update berjasa.billing_detail set rate_id = 'BPU-JKK-2015' where rate_id = ?",
            [f"BPU-{nik}"],
        )
        con.execute(
            "update berjasa.cross_cohort_duplicates set programs_billed = ? where period = ?",
            [nik, jan],
        )
    for target in (wh, pg_url):
        result = _publish(settings, source_db, target, "2025-02")
        assert result.rows["billing_detail"] == 2 * sum(SIZES_2.values()) == 118
        keys = read_table(target, "billing_detail", "2025-02").column("person_key").to_pylist()
        assert keys.count(digits_key) == 1
        assert keys.count(victim.hex()) == 1


def test_privacy_guard_checks_enum_codes_on_their_codes(settings, source_db, pg_url):
    """dbt's ENUM code columns hold only their type's codes (the seed's): a code with a NIK in it
    refuses the publication on both targets, by table and column, before anything is written,
    whether or not a row of the period uses it."""
    nik = "7371014101900001"
    with duckdb.connect(str(source_db)) as con:
        con.execute(
            "alter table berjasa.billing_detail alter column rate_id"
            f" type enum('BPU-JKK-2015', 'BPU-JKM-2015', 'PU-JKK-2015', 'PU-JKM-2015', 'BPU-{nik}')"
        )
    for target in (settings.warehouse, pg_url):
        with pytest.raises(PrivacyGuardError) as err:
            _publish(settings, source_db, target, "2025-01")
        assert str(err.value) == (
            "berjasa.billing_detail.rate_id: 1 code(s) contain a 16-digit run (a raw NIK?);"
            " publication refused"
        )
    assert not Path(settings.warehouse).exists()
    with psycopg.connect(pg_url) as conn:
        (exists,) = conn.execute("select to_regclass('berjasa.billing_detail')").fetchone()
    assert exists is None
    # the same type without that code publishes, its codes as text in PostgreSQL
    with duckdb.connect(str(source_db)) as con:
        con.execute(
            "alter table berjasa.billing_detail alter column rate_id"
            " type enum('BPU-JKK-2015', 'BPU-JKM-2015', 'PU-JKK-2015', 'PU-JKM-2015')"
        )
    for target in (settings.warehouse, pg_url):
        assert _publish(settings, source_db, target, "2025-01").total_premium_idr == (
            expected_total(SIZES_1)
        )
    assert column_types(pg_url, "billing_detail")["rate_id"] == "text"


def test_privacy_guard_refuses_a_key_that_is_not_a_32_byte_digest(settings, source_db, pg_url):
    """dbt holds keys as bytes and the warehouse gets their hex: a key of another length (here a
    NIK's 16 characters as bytes, whose hex is 32 digits) refuses the publication on both
    targets, naming table and column, never the value."""
    nik = "7371014101900001"
    with duckdb.connect(str(source_db)) as con:
        con.execute(
            "update berjasa.cross_cohort_duplicates set person_key = ? where period = ?",
            [nik.encode(), dt.date(2025, 1, 1)],
        )
    for target in (settings.warehouse, pg_url):
        with pytest.raises(PrivacyGuardError) as err:
            _publish(settings, source_db, target, "2025-01")
        assert str(err.value) == (
            "berjasa.cross_cohort_duplicates.person_key: 1 value(s) are not a 32-byte HMAC"
            " digest; publication refused"
        )
    assert not Path(settings.warehouse).exists()


def test_reader_holding_duckdb_open_does_not_block(settings, source_db):
    wh = settings.warehouse
    _publish(settings, source_db, wh, "2025-01")
    reader = duckdb.connect(wh, read_only=True)
    try:
        query = "select count(distinct period) from berjasa.billing_monthly"
        assert reader.execute(query).fetchone() == (1,)
        result = _publish(settings, source_db, wh, "2025-02")
        assert result.status == "draft"
        assert reader.execute(query).fetchone() == (1,)  # the old file, whole and consistent
    finally:
        reader.close()
    with duckdb.connect(wh, read_only=True) as fresh:
        assert fresh.execute(query).fetchone() == (2,)


def test_state_ledger_and_good_files(settings, source_db):
    good = settings.state_dir / "good" / "2025-02.parquet"
    good.parent.mkdir(parents=True)
    # an earlier good list: pekerja_rentan (held back now) must survive, rt_rw gets replaced
    with duckdb.connect() as con:
        con.execute(
            "copy (select date '2025-02-01' as period, c as cohort_code, 'old.csv' as source_file,"
            " 1 as file_ordinal, 2 as source_row, repeat('c', 64) as person_key,"
            " '737101******9999' as nik_masked from (values ('pekerja_rentan'), ('rt_rw')) t(c))"
            f" to '{good}' (format parquet)"
        )
    result = _publish(settings, source_db, settings.warehouse, "2025-02")
    ledger = pq.read_table(result.ledger_file)
    assert ledger.column_names == ["period", "person_key", "primary_cohort"]
    assert ledger.num_rows == sum(SIZES_2.values())
    # written uncompressed: its keys are digests, in which compression finds nothing
    metadata = pq.ParquetFile(result.ledger_file).metadata
    assert {
        metadata.row_group(g).column(c).compression
        for g in range(metadata.num_row_groups)
        for c in range(metadata.num_columns)
    } == {"UNCOMPRESSED"}
    rows = pq.read_table(good).to_pylist()
    by_cohort: dict[str, set[str]] = {}
    for row in rows:
        by_cohort.setdefault(row["cohort_code"], set()).add(row["source_file"])
    assert by_cohort == {
        "non_asn": {"non_asn.csv"},
        "rt_rw": {"rt_rw.csv"},
        "kader_posyandu_kb": {"kader_posyandu_kb.csv"},
        "pekerja_keagamaan": {"pekerja_keagamaan.csv"},
        "penyelenggara_pemilu": {"penyelenggara_pemilu.csv"},
        "pekerja_rentan": {"old.csv"},
    }
    assert len(rows) == 12 + 3 + 10 + 7 + 2 + 1


def test_postgres_connect_retries_with_backoff(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(targets_module, "_sleep", slept.append)
    with pytest.raises(psycopg.OperationalError):
        targets_module.pg_connect("postgresql://postgres@127.0.0.1:1/postgres")
    assert slept == [0.5, 1.0]


def test_new_mart_column_is_added_type_change_refused(settings, source_db, pg_url):
    from berjasa.warehouse import SchemaChangedError

    for target in (settings.warehouse, pg_url):
        _publish(settings, source_db, target, "2025-01")
    with duckdb.connect(str(source_db)) as con:
        con.execute("alter table berjasa.billing_monthly add column note varchar default 'ok'")
    for target in (settings.warehouse, pg_url):
        _publish(settings, source_db, target, "2025-02")
        notes = {
            (r["period"].month, r["note"])
            for r in read_table(target, "billing_monthly").to_pylist()
        }
        assert notes == {(1, None), (2, "ok")}
    with duckdb.connect(str(source_db)) as con:
        con.execute("alter table berjasa.billing_monthly alter participants type integer")
    for target in (settings.warehouse, pg_url):
        with pytest.raises(SchemaChangedError, match="billing_monthly.participants"):
            _publish(settings, source_db, target, "2025-02")


def test_comments_come_from_dbt_yaml_when_present(tmp_path):
    from berjasa.warehouse.tables import load_comments

    (tmp_path / "billing.yml").write_text(
        "version: 2\nmodels:\n  - name: billing_monthly\n    description: Tagihan per bulan\n"
        "    columns:\n      - name: premium_idr\n        description: Iuran dalam rupiah\n",
        encoding="utf-8",
    )
    tables, columns = load_comments(tmp_path)
    assert tables["billing_monthly"] == "Tagihan per bulan"
    assert columns["billing_monthly"]["premium_idr"] == "Iuran dalam rupiah"
    assert tables["dim_reason"].startswith("Rejection reason codes")


def test_the_projects_mart_descriptions_reach_the_warehouse_comments():
    """The marts' YAML lives in marts/period and marts/dims: both are read."""
    from berjasa.warehouse.tables import load_comments

    tables, columns = load_comments()
    assert tables["billing_detail"].startswith("Grain: period x person x program.")
    assert columns["billing_detail"]["person_key"] == (
        "HMAC-SHA256 of the NIK (pseudonym, stable across months): its 32 bytes in dbt,"
        " 64 lowercase hex characters in the warehouse."
    )
    assert tables["dim_reason"] == (
        "Grain: reason_code. Reason codes with precedence and labels (id/en)."
    )


def test_duckdb_stores_person_keys_with_fsst_only(settings, source_db):
    """The unique 64-hex keys skip DuckDB's dictionary analysis (the cost of a national write);
    billing_detail's code columns are ENUMs, so the key is its only text column, while the other
    tables' text columns keep DuckDB's own choice."""
    _publish(settings, source_db, settings.warehouse, "2025-01")
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:

        def methods(table: str) -> dict[str, list[str]]:
            return dict(
                con.execute(
                    "select column_name, list(distinct compression order by compression)"
                    f" from pragma_storage_info('berjasa.{table}')"
                    " where segment_type = 'VARCHAR' group by column_name"
                ).fetchall()
            )

        assert methods("billing_detail") == {"person_key": ["FSST"]}
        assert methods("cross_cohort_duplicates")["person_key"] == ["FSST"]
        assert methods("billing_monthly")["program"] != ["FSST"]


def _code_counts(warehouse: str, column: str) -> list[tuple]:
    with duckdb.connect(warehouse, read_only=True) as con:
        return con.execute(
            f"select period, {column}::varchar, count(*) from berjasa.billing_detail"
            " group by all order by all"
        ).fetchall()


_CODES = ("cohort_code", "program", "rate_id")


def _codes_as_text(source_db: Path) -> None:
    """billing_detail's codes as text: a dbt database written before they were ENUMs."""
    with duckdb.connect(str(source_db)) as con:
        for column in _CODES:
            con.execute(f"alter table berjasa.billing_detail alter column {column} type varchar")


@pytest.mark.parametrize("source_codes", ["enum", "text"])
def test_code_columns_widen_when_a_dimension_gains_a_code(settings, source_db, source_codes):
    """A new rate (or cohort) in the dimensions widens the ENUM in place; published months keep
    their codes. dbt's codes are ENUMs of the seeds' codes (made again when a seed gains one) or,
    in a database written before, text."""
    wh = settings.warehouse
    _publish(settings, source_db, wh, "2025-01")
    before = _code_counts(wh, "rate_id")
    if source_codes == "text":
        _codes_as_text(source_db)
    with duckdb.connect(str(source_db)) as con:
        old = con.execute(
            "select min(rate_id) from berjasa.billing_detail where period = date '2025-02-01'"
        ).fetchone()[0]
        con.execute(
            "insert into berjasa.dim_rate by name select 'ZZ-NEW-2026' as rate_id,"
            " * exclude (rate_id) from berjasa.dim_rate where rate_id = ?",
            [old],
        )
        if source_codes == "enum":  # the type made again from the seed (macros/code_types.sql)
            con.execute(
                "create or replace type main.rate_id_enum as enum ("
                " select distinct rate_id from berjasa.dim_rate order by 1)"
            )
            con.execute(
                "alter table berjasa.billing_detail alter column rate_id type main.rate_id_enum"
            )
        moved = con.execute(
            "update berjasa.billing_detail set rate_id = 'ZZ-NEW-2026'"
            " where period = date '2025-02-01' and rate_id = ?",
            [old],
        ).fetchone()[0]
    assert moved > 0
    _publish(settings, source_db, wh, "2025-02")
    rate_type = column_types(wh, "billing_detail")["rate_id"]
    assert (
        rate_type.startswith("ENUM(") and "'ZZ-NEW-2026'" in rate_type and f"'{old}'" in rate_type
    )
    after = _code_counts(wh, "rate_id")
    assert [r for r in after if r[0] == dt.date(2025, 1, 1)] == before
    assert (dt.date(2025, 2, 1), "ZZ-NEW-2026", moved) in after


def test_a_code_missing_from_its_dimension_is_refused(settings, source_db):
    """Only text codes can lack their dimension's code (dbt's ENUMs are the seeds' codes)."""
    wh = settings.warehouse
    _publish(settings, source_db, wh, "2025-01")
    before = _snapshot(wh)
    _codes_as_text(source_db)
    with duckdb.connect(str(source_db)) as con:
        con.execute(
            "update berjasa.billing_detail set cohort_code = 'not_a_cohort'"
            " where period = date '2025-02-01' and cohort_code = 'rt_rw'"
        )
    with pytest.raises(WarehouseError, match=r"billing_detail: a value of cohort_code, program"):
        _publish(settings, source_db, wh, "2025-02")
    assert _snapshot(wh) == before


def test_an_older_warehouse_keeps_its_text_code_columns(settings, source_db):
    """A warehouse made when the code columns were VARCHAR keeps them: they take the same text."""
    wh = settings.warehouse
    _publish(settings, source_db, wh, "2025-01")
    with duckdb.connect(wh) as con:
        for column in _CODES:
            con.execute(f"alter table berjasa.billing_detail alter column {column} type varchar")
    before = _code_counts(wh, "cohort_code")
    _publish(settings, source_db, wh, "2025-02")
    types = column_types(wh, "billing_detail")
    assert [types[c] for c in _CODES] == ["VARCHAR"] * 3
    after = _code_counts(wh, "cohort_code")
    assert [r for r in after if r[0] == dt.date(2025, 1, 1)] == before
    assert {r[0] for r in after} == {dt.date(2025, 1, 1), dt.date(2025, 2, 1)}


def test_a_billed_month_whose_detail_dbt_no_longer_holds_is_refused(settings, source_db, pg_url):
    """dbt's database keeps the person-level marts of the month it built last only: publishing a
    billed month it no longer holds would lose its bill lines and ledger, so it is refused, by
    name, before anything is written."""
    for target in (settings.warehouse, pg_url):
        _publish(settings, source_db, target, "2025-02")
    before_duck, before_pg = _snapshot(settings.warehouse), _snapshot(pg_url)
    with duckdb.connect(str(source_db)) as con:
        con.execute("delete from berjasa.people_monthly where period = ?", [dt.date(2025, 1, 1)])
    for target in (settings.warehouse, pg_url):
        with pytest.raises(SourceError) as err:
            _publish(settings, source_db, target, "2025-01")
        assert str(err.value) == (
            "dbt's database holds no berjasa.people_monthly rows of 2025-01 (it keeps the"
            " person-level tables of the month it built last only): run 2025-01 again to"
            " publish it"
        )
    assert _snapshot(settings.warehouse) == before_duck
    assert _snapshot(pg_url) == before_pg
    with duckdb.connect(str(source_db)) as con:
        con.execute("delete from berjasa.billing_detail where period = ?", [dt.date(2025, 2, 1)])
    with pytest.raises(SourceError, match="no berjasa.billing_detail rows of 2025-02"):
        _publish(settings, source_db, settings.warehouse, "2025-02")


def test_both_targets_read_dbt_tables_through_their_own_connection(settings, source_db, pg_url):
    """The guard reads dbt's rows where the target copies them from (publish_period): DuckDB's
    connection with dbt's file attached, PostgreSQL's streaming source; both see the same rows."""
    from berjasa.warehouse.source import SourceTable

    detail = SourceTable(
        "billing_detail",
        (("person_key", "VARCHAR"), ("premium_idr", "BIGINT")),
        dt.date(2025, 1, 1),
    )
    with duckdb.connect(str(source_db), read_only=True) as con:
        sql, params = detail.select()
        expected = con.execute(f"select count(*), sum(premium_idr) from ({sql})", params).fetchone()
    assert expected[0] > 0
    for target in (settings.warehouse, pg_url):
        with targets_module.open_target(target, source_db) as adapter:
            con, catalog = adapter.source_reader()
            assert catalog == ("dbt_src" if adapter.kind == "duckdb" else None)
            sql, params = detail.select(catalog)
            got = con.execute(f"select count(*), sum(premium_idr) from ({sql})", params).fetchone()
            assert got == expected
