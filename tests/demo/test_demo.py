"""Tests of the synthetic landing-folder generator and its truth file."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook

from berjasa.demo import generate_demo_data
from berjasa.demo.formats import formats_used, plan_files
from berjasa.demo.population import COHORT_SIZES
from berjasa.seeds import reason_codes

SMALL = 0.05


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    generate_demo_data("2025-03", root, scale=SMALL, seed=7, progress=False)
    generate_demo_data("2025-04", root, scale=SMALL, seed=7, progress=False)
    generate_demo_data("2025-05", root, scale=SMALL, seed=7, progress=False)
    return root


def _truth(root: Path, period: str) -> pd.DataFrame:
    frame = pq.read_table(root / "_truth" / f"{period}.parquet").to_pandas()
    return frame.astype(
        {c: "object" for c in ("source_file", "cohort_code", "expected", "stage", "fault", "note")}
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_exact_cohort_counts_at_scale_one(tmp_path: Path) -> None:
    summary = generate_demo_data("2025-01", tmp_path, scale=1.0, progress=False)
    assert summary.rows_per_cohort == {
        "non_asn": 11_815,
        "rt_rw": 6_004,
        "kader_posyandu_kb": 6_107,
        "pekerja_keagamaan": 5_750,
        "penyelenggara_pemilu": 36_000,
        "pekerja_rentan": 35_782,
    }
    assert summary.total_rows == 101_458
    truth = _truth(tmp_path, "2025-01")
    assert truth.groupby("cohort_code").size().to_dict() == summary.rows_per_cohort
    # Rows actually in the files agree with the truth (blank rows are not rows).
    rentan = (tmp_path / "2025-01" / "pekerja_rentan.csv").read_text("utf-8").splitlines()
    assert sum(1 for line in rentan[1:] if line.strip(",")) == 35_782
    assert len(pq.read_table(tmp_path / "2025-01" / "penyelenggara_pemilu.parquet")) == 36_000
    rejected = (truth["expected"] != "ok").mean()
    assert 0.02 < rejected < 0.04


def test_same_seed_same_bytes(tmp_path: Path, landing: Path) -> None:
    generate_demo_data("2025-03", tmp_path, scale=SMALL, seed=7, progress=False)
    for name in (
        "rt_rw.csv",
        "kader_posyandu_kb__posyandu.csv",
        "pekerja_rentan.csv",
        "penyelenggara_pemilu.parquet",
        "_dtsen.parquet",
        "_bpjs_active.csv",
        "non_asn.xlsx",
    ):
        assert _sha(tmp_path / "2025-03" / name) == _sha(landing / "2025-03" / name), name
    assert _sha(tmp_path / "_truth" / "2025-03.parquet") == _sha(
        landing / "_truth" / "2025-03.parquet"
    )
    other = generate_demo_data("2025-03", tmp_path / "other", scale=SMALL, seed=8, progress=False)
    assert _sha(other.landing_dir / "rt_rw.csv") != _sha(landing / "2025-03" / "rt_rw.csv")


def test_every_reason_code_present(landing: Path) -> None:
    truth = _truth(landing, "2025-03")
    assert set(truth["expected"]) - {"ok"} == set(reason_codes()["reason_code"])
    stages = truth[truth["expected"] != "ok"].groupby("expected")["stage"].agg(set).to_dict()
    assert stages["nik_format"] == {"row"}
    assert stages["not_in_dtsen"] == {"period"}
    assert stages["duplicate_in_list"] == {"period"}
    assert stages["age_out_of_range"] == {"row", "period"}  # aged 14 vs new aged 65+
    assert truth.loc[truth["expected"] == "ok", ["stage", "fault"]].isna().all().all()
    # Descriptions never carry a value: no digit runs that could be a NIK.
    assert not truth["fault"].dropna().str.contains(r"\d{6}").any()


def test_special_rows(landing: Path) -> None:
    truth = _truth(landing, "2025-03")
    notes = truth["note"].value_counts().to_dict()
    assert notes["continuing member aged 65 or older (accepted)"] == 2
    assert notes["city employee living outside Makassar (accepted)"] >= 1
    assert notes["person also listed in another cohort"] >= 1
    # A duplicate across the two files of the split kader list.
    kader = truth[
        (truth["cohort_code"] == "kader_posyandu_kb") & (truth["expected"] == "duplicate_in_list")
    ]
    assert "kader_posyandu_kb__posyandu.csv" in set(kader["source_file"])
    wages = truth[truth["expected"] == "wage_missing"]
    assert set(wages["cohort_code"]) == {"non_asn"}
    assert {"empty wage", "wage given as a dash", "zero wage", "negative wage"} <= set(
        wages["fault"]
    )


def test_xlsx_shapes_and_number_cell_nik(landing: Path) -> None:
    book = CalamineWorkbook.from_path(str(landing / "2025-03" / "non_asn.xlsx"))
    assert book.sheet_names == ["Petunjuk", "data"]
    rows = book.get_sheet_by_name("data").to_python()
    truth = _truth(landing, "2025-03")
    number = truth[
        (truth["source_file"] == "non_asn.xlsx")
        & (truth["fault"] == "NIK in an XLSX number cell (16th digit lost)")
    ]
    assert len(number) >= 1
    for source_row in number["source_row"]:
        value = rows[source_row - 1][0]
        assert isinstance(value, float) and int(value) % 10 == 0
    ok_row = truth[(truth["source_file"] == "non_asn.xlsx") & (truth["expected"] == "ok")][
        "source_row"
    ].iloc[0]
    assert isinstance(rows[ok_row - 1][2], dt.date)  # a real date cell
    kb = CalamineWorkbook.from_path(str(landing / "2025-03" / "kader_posyandu_kb__kb.xlsx"))
    assert "data" not in kb.sheet_names


def test_encodings(landing: Path) -> None:
    folder = landing / "2025-03"
    posyandu = (folder / "kader_posyandu_kb__posyandu.csv").read_bytes()
    assert b"\xe9" in posyandu  # é in Windows-1252
    with pytest.raises(UnicodeDecodeError):
        posyandu.decode("utf-8")
    assert posyandu.splitlines()[0].count(b";") == 6
    assert posyandu.endswith(b";;;;;;\n;;;;;;\n;;;;;;\n")
    rt = (folder / "rt_rw.csv").read_bytes()
    assert rt.startswith(b"\xef\xbb\xbfNo KTP,")
    assert "é".encode() in rt


def _ok_rows_with_values(root: Path, period: str) -> pd.DataFrame:
    truth = _truth(root, period)
    frames = []
    rt = pd.read_csv(
        root / period / "rt_rw.csv",
        dtype=str,
        encoding="utf-8-sig",
        keep_default_na=False,
        skip_blank_lines=False,
    )
    rt["source_row"] = rt.index + 2
    rt = rt.rename(columns={"No KTP": "nik", "Tgl Lahir": "date", "L/P": "sex"})
    rt["source_file"] = "rt_rw.csv"
    frames.append(rt[["source_file", "source_row", "nik", "date", "sex"]])
    pemilu = pq.read_table(root / period / "penyelenggara_pemilu.parquet").to_pandas()
    pemilu["source_row"] = pemilu.index + 2
    pemilu["source_file"] = "penyelenggara_pemilu.parquet"
    pemilu["nik"] = pemilu["nik"].astype("Int64").astype(str)
    pemilu["date"] = pemilu["tanggal_lahir"].astype(str)
    pemilu["sex"] = pemilu["jenis_kelamin"]
    frames.append(pemilu[["source_file", "source_row", "nik", "date", "sex"]])
    values = pd.concat(frames)
    merged = truth.merge(values, on=["source_file", "source_row"])
    return merged[merged["expected"] == "ok"]


def test_nik_structure_of_ok_rows(landing: Path) -> None:
    ok = _ok_rows_with_values(landing, "2025-03")
    assert len(ok) > 1500
    nik = ok["nik"]
    assert nik.str.fullmatch(r"7371(0[1-9]|1[0-5])\d{10}").all()
    assert (nik.str[-4:] != "0000").all()
    date = pd.to_datetime(ok["date"])
    female = ok["sex"].str.upper() == "P"
    day = nik.str[6:8].astype(int) - 40 * female.astype(int)
    assert (day == date.dt.day).all()
    assert (nik.str[8:10].astype(int) == date.dt.month).all()
    assert (nik.str[10:12].astype(int) == date.dt.year % 100).all()
    age = (pd.Timestamp("2025-03-01") - date).dt.days / 365.25
    assert age.min() >= 15
    assert (
        age[ok["source_file"] == "penyelenggara_pemilu.parquet"].mean()
        < age[ok["source_file"] == "rt_rw.csv"].mean()
    )


def test_turnover_between_consecutive_months(landing: Path) -> None:
    march = set(_ok_rows_with_values(landing, "2025-03")["nik"])
    april = set(_ok_rows_with_values(landing, "2025-04")["nik"])
    continuing = len(march & april) / len(march)
    assert 0.90 <= continuing <= 0.97
    assert len(april - march) > 0


def test_dtsen_written_quarterly_and_reused(landing: Path) -> None:
    assert (landing / "2025-03" / "_dtsen.parquet").exists()  # first ever: no earlier one
    assert (landing / "2025-04" / "_dtsen.parquet").exists()  # first month of a quarter
    assert not (landing / "2025-05" / "_dtsen.parquet").exists()  # falls back to April
    opening = pd.read_csv(landing / "_opening_members.csv", dtype=str)
    assert list(opening.columns) == ["nik", "last_billed"]
    assert set(opening["last_billed"]) == {"2025-02"}
    truth = _truth(landing, "2025-05")
    assert (truth["expected"] == "not_in_dtsen").sum() >= 1


def test_senior_without_recent_billing_is_new(landing: Path, tmp_path: Path) -> None:
    """A month generated long after the others: the seniors were not billed in the three
    months before, and the opening list is older, so they are new registrations aged 65+."""
    generate_demo_data("2025-03", tmp_path, scale=SMALL, seed=7, progress=False)
    generate_demo_data("2026-06", tmp_path, scale=SMALL, seed=7, progress=False)
    truth = _truth(tmp_path, "2026-06")
    assert "continuing member aged 65 or older (accepted)" not in set(truth["note"].dropna())
    seniors = truth[
        (truth["fault"] == "aged 65 or older and not billed in the three months before")
    ]
    assert len(seniors) == 2
    assert set(seniors["stage"]) == {"period"}


def test_format_selection() -> None:
    assert formats_used(10) == {"csv", "parquet"}
    assert formats_used(100) == {"csv", "parquet"}
    assert formats_used(1) == {"csv", "xlsx", "parquet"}
    small = plan_files(1)
    assert {s.delimiter for s in small if s.fmt == "csv"} == {",", ";"}
    assert {"cp1252", "utf-8-sig"} <= {s.encoding for s in small}
    assert [s.name for s in small if s.cohort == "kader_posyandu_kb"] == [
        "kader_posyandu_kb__kb.xlsx",
        "kader_posyandu_kb__posyandu.csv",
    ]
    assert {s.cohort for s in plan_files(10)} == set(COHORT_SIZES)
