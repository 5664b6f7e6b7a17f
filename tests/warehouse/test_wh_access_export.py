"""Roles, suppressed BI views, finance exports and raw-layer retention."""

from __future__ import annotations

from collections import defaultdict

import psycopg
import pytest
from fake_marts import INJECTION_DETAIL
from python_calamine import CalamineWorkbook

from berjasa.export import export_period, sheet_name
from berjasa.retention import purge_raw_layer
from berjasa.warehouse import InputFile, Provenance, grant_roles, publish_period, read_table
from berjasa.warehouse.access import BI_VIEWS

PROV = Provenance(input_files=(InputFile("rt_rw.csv", "a" * 64),), code_version="test")


def _publish_both(settings, source_db, targets):
    for target in targets:
        for period in ("2025-01", "2025-02"):
            publish_period(
                settings, period, run_id="r", source_db=source_db, warehouse=target, provenance=PROV
            )


def test_bi_role_denied_billing_detail_finance_allowed(settings, source_db, pg_url):
    _publish_both(settings, source_db, [pg_url])
    grant_roles(settings, pg_url)
    grant_roles(settings, pg_url)  # idempotent
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("set role berjasa_bi")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            conn.execute("select count(*) from berjasa.billing_detail")
        (rows,) = conn.execute("select count(*) from berjasa_bi.billing_by_cohort").fetchone()
        assert rows == 24
        (cohorts,) = conn.execute("select count(*) from berjasa_bi.dim_cohort").fetchone()
        assert cohorts == 6
        conn.execute("reset role")
        conn.execute("set role berjasa_finance")
        (detail,) = conn.execute(
            "select sum(premium_idr) from berjasa.billing_detail where period = date '2025-01-01'"
        ).fetchone()
        assert detail == 1_002_040
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select count(*) from berjasa.coverage_monthly")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select count(*) from berjasa_bi.billing_by_cohort")


def _check_unrecoverable(target: str) -> int:
    """For every view, measure and row group: total - visible never equals a hidden cell."""
    hidden_total = 0
    for view in BI_VIEWS:
        base = read_table(target, view.source).to_pylist()
        shown = read_table(target, view.name, schema="berjasa_bi").to_pylist()
        key_cols = (*view.group, *view.key)
        truth = {tuple(r[c] for c in key_cols): r for r in base}
        for measure in view.measures:
            groups: dict[tuple, list[tuple[int, int | None]]] = defaultdict(list)
            for row in shown:
                key = tuple(row[c] for c in key_cols)
                if view.name == "coverage_by_area" and row["area_code"] == "73.71":
                    continue  # the city row is the published total
                groups[tuple(row[c] for c in view.group)].append(
                    (truth[key][measure.column], row[measure.column])
                )
                if row[measure.column] is None:
                    assert all(row[d] is None for d in measure.dependents)
                    assert row[measure.column + "_suppressed"] is True
            for cells in groups.values():
                hidden = [true for true, visible in cells if visible is None]
                total = sum(true for true, _ in cells)
                residual = total - sum(v for _, v in cells if v is not None)
                assert len(hidden) != 1, (view.name, measure.column)
                assert residual not in hidden
                assert all(not (0 < v < 5) for _, v in cells if v is not None)
                hidden_total += len(hidden)
    return hidden_total


def test_suppression_cannot_be_recovered(settings, source_db, pg_url):
    _publish_both(settings, source_db, [settings.warehouse, pg_url])
    grant_roles(settings, pg_url)
    grant_roles(settings)  # DuckDB: views only
    for target in (settings.warehouse, pg_url):
        assert _check_unrecoverable(target) == 10
        members = {
            r["cohort_code"]: (r["active"], r["new"], r["exited"])
            for r in read_table(
                target, "membership_by_cohort", "2025-02", schema="berjasa_bi"
            ).to_pylist()
        }
        # active: rt_rw 3 and pemilu 2 are two primaries; new: non_asn 2 (primary) and
        # pekerja_rentan 15 (complement); exited: keagamaan 3 (primary) and rt_rw 7 (complement)
        assert members == {
            "non_asn": (12, None, 0),
            "rt_rw": (None, 0, None),
            "kader_posyandu_kb": (10, 0, 0),
            "pekerja_keagamaan": (7, 0, None),
            "penyelenggara_pemilu": (None, 0, 8),
            "pekerja_rentan": (25, None, 0),
        }
        billing = read_table(target, "billing_by_cohort", "2025-02", schema="berjasa_bi")
        hidden = sorted(
            {
                (r["cohort_code"], r["premium_idr"])
                for r in billing.to_pylist()
                if r["participants"] is None
            }
        )
        assert hidden == [("penyelenggara_pemilu", None), ("rt_rw", None)]


def test_export_xlsx_summary_statuses_and_department_sheets(settings, source_db, tmp_path):
    _publish_both(settings, source_db, [settings.warehouse])
    (path,) = export_period(settings, "2025-01", "xlsx", tmp_path / "out")
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names[:2] == ["Rekap Tagihan Iuran", "Status Kelompok"]
    rows = book.get_sheet_by_name("Rekap Tagihan Iuran").to_python()
    assert rows[2] == ["Periode", "Kelompok", "Program", "Jumlah Peserta", "Iuran (Rp)"]
    body = {(r[1], r[2]): (r[3], r[4]) for r in rows[3:]}
    assert body[("Pegawai non-ASN Pemkot Makassar", "JKK")] == (10, 72_020)
    assert body[("Jumlah Pegawai non-ASN Pemkot Makassar", "")] == ("", 162_040)
    assert body[("Total per program", "JKM")] == (60, 50 * 6_800 + 10 * 9_002)
    assert rows[-1][1:] == ["TOTAL KESELURUHAN", "", "", 1_002_040]
    status = book.get_sheet_by_name("Status Kelompok").to_python()
    assert status[0][:3] == ["Periode", "Kelompok", "Status"]
    assert status[1][:3] == ["2025-01", "Pegawai non-ASN Pemkot Makassar", "published"]
    health = sheet_name("Dinas Kesehatan / DP3A-Dalduk KB", set())
    assert health == "Dinas Kesehatan - DP3A-Dalduk K" and len(health) == 31
    rejects = book.get_sheet_by_name(health).to_python()
    assert rejects[0] == ["Kelompok", "Berkas", "Baris", "NIK (tersamar)", "Alasan", "Keterangan"]
    assert rejects[1] == [
        "Kader Posyandu dan KB",
        "kader_posyandu_kb.xlsx",
        12,
        "737102******0002",
        "Tanggal lahir tidak valid",
        "'" + INJECTION_DETAIL,
    ]
    assert len(book.sheet_names) == 2 + 6  # six departments in the seeds


def test_export_csv_and_parquet_from_postgres(settings, source_db, pg_url, tmp_path):
    _publish_both(settings, source_db, [pg_url])
    files = export_period(settings, "2025-01", "csv", tmp_path / "csv", warehouse=pg_url)
    names = sorted(p.name for p in files)
    assert "billing_detail_2025-01.csv" in names and "dim_reason.csv" in names
    text = (tmp_path / "csv" / "rejected_records_2025-01.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    parquet = export_period(settings, "2025-01", "parquet", tmp_path / "pq", warehouse=pg_url)
    import pyarrow.parquet as pq

    detail = pq.read_table(tmp_path / "pq" / "billing_detail_2025-01.parquet")
    assert detail.num_rows == 120 and sum(detail.column("premium_idr").to_pylist()) == 1_002_040
    assert len(parquet) == len(files) == 13


def test_purge_raw_layer_is_relative_to_the_given_period(settings):
    for name in ("2024-11", "2024-12", "2025-01", "2026-12", "notes"):
        folder = settings.raw_dir / name
        folder.mkdir(parents=True)
        (folder / "x.parquet").write_bytes(b"x")
    deleted = purge_raw_layer(settings, keep_months=24, today_period="2026-12")
    assert [p.name for p in deleted] == ["2024-11", "2024-12"]
    assert sorted(p.name for p in settings.raw_dir.iterdir()) == ["2025-01", "2026-12", "notes"]
    assert purge_raw_layer(settings, today_period="2026-12") == []  # default 24 from settings
    assert [p.name for p in purge_raw_layer(settings, 1, "2026-12")] == ["2025-01"]


def test_sheet_names_are_unique_and_sanitised():
    taken: set[str] = set()
    assert sheet_name("A/B:C*D?", taken) == "A-B-C-D-"
    long = "Dinas Pemberdayaan Perempuan dan Perlindungan Anak"
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert first == "Dinas Pemberdayaan Perempuan da"
    assert second == "Dinas Pemberdayaan Perempuan~2"
    assert sheet_name("dinas pemberdayaan perempuan da", taken) == "dinas pemberdayaan perempuan~3"
