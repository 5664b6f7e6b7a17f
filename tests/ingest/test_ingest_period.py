"""ingest_period: file naming, ordering, reference inputs, report and the write-once raw layer."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from berjasa.errors import BerjasaInputError
from berjasa.ingest import LandingError, ingest_period, load_ingest_report, read_raw
from berjasa.ingest.names import classify_name
from berjasa.seeds import cohort_codes

from .conftest import HEADER, ROW_A, ROW_B, write_parquet, write_text, write_xlsx


def _by_name(report):
    return {f.name: f for f in report.files}


def test_cohort_files_ordered_by_name_with_ordinals_and_unknowns_reported(
    landing: Path, tmp_path: Path
) -> None:
    write_text(landing / "rt_rw__b_tallo.csv", f"{HEADER}\n{ROW_B}\n")
    write_text(landing / "rt_rw.CSV", f"{HEADER}\n{ROW_A}\n{ROW_B}\n")
    write_text(landing / "rt_rw__a.csv", f"{HEADER}\n{ROW_A}\n")
    write_xlsx(landing / "kader_posyandu_kb.XLSX", {"data": [HEADER.split(";"), ROW_A.split(";")]})
    (landing / "pekerja_keagamaan.xls").write_bytes(b"\xd0\xcf\x11\xe0old excel")
    (landing / "rt-rw tamalate.csv").write_text("x")
    (landing / "daftar.csv").write_text("x")
    (landing / "_notes.csv").write_text("x")
    (landing / "sub").mkdir()
    raw = tmp_path / "raw"

    report = ingest_period(landing.parent, "2025-03", raw)

    rt = report.cohort_files("rt_rw")
    assert [f.name for f in rt] == ["rt_rw.CSV", "rt_rw__a.csv", "rt_rw__b_tallo.csv"]
    assert [f.file_ordinal for f in rt] == [1, 2, 3]
    assert [f.rows_read for f in rt] == [2, 1, 1]
    assert all(f.status == "ok" and f.kind == "cohort" for f in rt)
    kader = report.cohort_files("kader_posyandu_kb")
    assert [(f.file_ordinal, f.rows_read, f.status) for f in kader] == [(1, 1, "ok")]

    files = _by_name(report)
    assert files["pekerja_keagamaan.xls"].status == "ignored"
    assert files["pekerja_keagamaan.xls"].kind == "unknown"
    assert "save as .xlsx" in files["pekerja_keagamaan.xls"].message
    assert "rename it to rt_rw__tamalate.csv" in files["rt-rw tamalate.csv"].message
    assert "unknown file name" in files["daftar.csv"].message
    assert "_dtsen.csv" in files["_notes.csv"].message
    assert "folder" in files["sub"].message
    assert report.unreadable_cohorts() == []

    # raw layer: one Parquet per content hash, plus the report
    first = rt[0]
    assert first.raw_path == str(raw / "2025-03" / f"{first.sha256}.parquet")
    table = pq.read_table(first.raw_path)
    assert table.column("source_file").to_pylist() == ["rt_rw.CSV", "rt_rw.CSV"]
    assert table.column("nik").to_pylist() == ["7371014506900001", "7371015506900002"]
    saved = json.loads((raw / "2025-03" / "_ingest_report.json").read_text())
    assert saved == report.to_dict()
    assert load_ingest_report(raw, "2025-03") == report


def test_file_level_errors_mark_the_cohort_unreadable_and_others_go_on(
    landing: Path, tmp_path: Path
) -> None:
    write_text(landing / "non_asn.csv", f"{HEADER}\n{ROW_A}\n")  # no upah
    write_text(landing / "rt_rw.csv", "")
    (landing / "rt_rw__2.xlsx").write_bytes(b"not a zip")
    write_text(landing / "pekerja_rentan.csv", f"{HEADER}\n{ROW_A}\n")
    report = ingest_period(landing.parent, "2025-03", tmp_path / "raw")
    files = _by_name(report)
    assert files["non_asn.csv"].status == "error"
    assert "'upah'" in files["non_asn.csv"].message
    assert files["non_asn.csv"].raw_path is None and files["non_asn.csv"].rows_read == 0
    assert "empty" in files["rt_rw.csv"].message
    assert "Excel workbook" in files["rt_rw__2.xlsx"].message
    assert files["pekerja_rentan.csv"].status == "ok"
    assert report.unreadable_cohorts() == ["non_asn", "rt_rw"]


def test_reference_inputs_and_opening_members(landing: Path, tmp_path: Path) -> None:
    write_text(landing / "_dtsen.csv", "NIK;Desil\n7371014506900001;3\n\n7371015506900002;10\n")
    write_parquet(
        landing / "_bpjs_active.parquet",
        {
            "area_code": pa.array(["73.71", "73.71.09"]),
            "active_participants": pa.array([250000, 12000]),
        },
    )
    opening_csv = "nik,last_billed\n7371014506900001,2024-12\n"
    write_text(landing.parent / "_opening_members.csv", opening_csv)
    report = ingest_period(landing.parent, "2025-03", tmp_path / "raw")
    dtsen = pq.read_table(report.dtsen_path)
    assert dtsen.column("nik").to_pylist() == ["7371014506900001", "7371015506900002"]
    assert dtsen.column("desil").to_pylist() == ["3", "10"]
    assert dtsen.column("source_row").to_pylist() == [2, 4]
    bpjs = pq.read_table(report.bpjs_active_path)
    assert bpjs.column("active_participants").to_pylist() == ["250000", "12000"]
    assert bpjs.column("area_code").to_pylist() == ["73.71", "73.71.09"]
    opening = pq.read_table(report.opening_members_path)
    assert opening.column("last_billed").to_pylist() == ["2024-12"]
    kinds = {f.name: f.kind for f in report.files}
    assert kinds == {
        "_dtsen.csv": "dtsen",
        "_bpjs_active.parquet": "bpjs_active",
        "_opening_members.csv": "opening_members",
    }


def test_two_dtsen_files_are_both_errors(landing: Path, tmp_path: Path) -> None:
    write_text(landing / "_dtsen.csv", "nik;desil\n7371014506900001;3\n")
    write_text(landing / "_dtsen.parquet", "x")
    report = ingest_period(landing.parent, "2025-03", tmp_path / "raw")
    assert report.dtsen_path is None
    assert {f.status for f in report.files} == {"error"}
    assert "keep exactly one" in report.files[0].message


def test_raw_file_is_write_once_and_rechecked_per_cohort(landing: Path, tmp_path: Path) -> None:
    write_text(landing / "rt_rw.csv", f"{HEADER}\n{ROW_A}\n")
    raw = tmp_path / "raw"
    first = ingest_period(landing.parent, "2025-03", raw).files[0]
    raw_file = Path(first.raw_path)
    stamp = raw_file.stat().st_mtime_ns
    again = ingest_period(landing.parent, "2025-03", raw).files[0]
    assert again == first and raw_file.stat().st_mtime_ns == stamp
    # the same bytes landed as non_asn must still fail for lack of upah
    (landing / "rt_rw.csv").rename(landing / "non_asn.csv")
    reused = ingest_period(landing.parent, "2025-03", raw).files[0]
    assert reused.status == "error" and "'upah'" in reused.message


def test_missing_landing_folder_and_bad_period_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(LandingError, match="landing folder for period 2025-04 not found"):
        ingest_period(tmp_path, "2025-04", tmp_path / "raw")
    with pytest.raises(BerjasaInputError, match="YYYY-MM"):
        ingest_period(tmp_path, "2025/04", tmp_path / "raw")


@pytest.mark.parametrize(
    ("name", "kind", "cohort"),
    [
        ("non_asn.csv", "cohort", "non_asn"),
        ("non_asn__jan revisi.Parquet", "cohort", "non_asn"),
        ("PEKERJA_RENTAN.xlsx", "cohort", "pekerja_rentan"),
        ("non_asn_x.csv", "unknown", None),
        ("non_asnx.csv", "unknown", None),
        ("_dtsen.PARQUET", "dtsen", None),
        ("_dtsen.xlsx", "unknown", None),
        ("_bpjs_active.csv", "bpjs_active", None),
        ("~$non_asn.xlsx", "unknown", None),
    ],
)
def test_classify_name(name: str, kind: str, cohort: str | None) -> None:
    verdict = classify_name(name, cohort_codes())
    assert (verdict.kind, verdict.cohort_code) == (kind, cohort)
    assert (verdict.message == "") == (kind != "unknown")


def test_identical_content_under_two_names_shares_raw_but_keeps_its_name(
    landing: Path, tmp_path: Path
) -> None:
    write_text(landing / "rt_rw.csv", f"{HEADER}\n{ROW_A}\n")
    write_text(landing / "rt_rw__copy.csv", f"{HEADER}\n{ROW_A}\n")
    first, second = ingest_period(landing.parent, "2025-03", tmp_path / "raw").files
    assert first.raw_path == second.raw_path and first.sha256 == second.sha256
    assert read_raw(second).column("source_file").to_pylist() == ["rt_rw__copy.csv"]
    assert read_raw(first, ["nik", "source_file"]).column("source_file").to_pylist() == [
        "rt_rw.csv"
    ]
