"""The benchmark script end to end at a tiny scale (a real pipeline run and the full-size
calibration, ~1 min), its target evaluation and report on fixed figures, and the calibration
on a small workload. No timing is asserted: only structure and arithmetic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.calibration import measure_calibration, python_workload
from benchmarks.io_floor import csv_dialect
from benchmarks.report import (
    FAIL,
    NOT_MEASURED,
    PASS,
    calibration_text,
    evaluate_targets,
    kernel_row,
    to_markdown,
)

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "run_benchmark.py"
SCALE_KEYS = {
    "scale",
    "rows",
    "input_files",
    "input_mb",
    "generation_s",
    "generation_peak_mb",
    "total_s",
    "cpu_s",
    "user_s",
    "system_s",
    "minor_faults",
    "written_mb",
    "exit_code",
    "run_id",
    "run_status",
    "stages_s",
    "rows_per_s",
    "peak_mb",
    "memory_samples",
    "io_floor_s",
    "io_floor_files",
    "io_floor_excluded",
    "ratio",
    "load_average_before",
    "logs",
}
CALIBRATION_KEYS = {
    "python_s",
    "duckdb_s",
    "repetitions",
    "python_iterations",
    "duckdb_rows",
    "load_average_before",
}
TARGET_KEYS = [
    "scale100_vs_io_floor",
    "scale100_rows_per_s",
    "scale100_peak_memory",
    "scale1_wall",
    "linear_growth",
]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    base = tmp_path_factory.mktemp("bench")
    work, out = base / "work", base / "out"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--scales", "0.005", "--work", str(work), "--out", str(out)],
        cwd=base,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return work, out, done.stdout


def test_json_structure(tiny_run: tuple[Path, Path, str]) -> None:
    _, out, _ = tiny_run
    doc = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    assert set(doc) == {"git_commit", "git_dirty", "date", "period", "machine", "scales", "targets"}
    assert len(doc["git_commit"]) == 40
    assert doc["period"] == "2026-01"
    assert set(doc["machine"]) == {
        "cores",
        "memory_total_mb",
        "python",
        "platform",
        "load_average_start",
        "calibration",
    }
    calibration = doc["machine"]["calibration"]
    assert set(calibration) == CALIBRATION_KEYS
    assert calibration["python_s"] > 0 and calibration["duckdb_s"] > 0
    assert calibration["repetitions"] == 3
    assert len(calibration["load_average_before"]) == 3
    (entry,) = doc["scales"]
    assert set(entry) == SCALE_KEYS
    assert entry["scale"] == 0.005
    assert entry["rows"] == 508  # the demo generator's rows at this scale and seed 0
    assert entry["exit_code"] == 0 and entry["run_status"] == "SUCCESS"
    stages = list(entry["stages_s"])
    assert stages[0] == "startup" and stages[-1] == "other"
    assert {
        "landing_files",
        "validated_rows",
        "berjasa_dbt_models",
        "great_expectations_checks",
        "warehouse_publication",
    } <= set(stages)
    assert sum(entry["stages_s"].values()) == pytest.approx(entry["total_s"], abs=0.01)
    assert entry["rows_per_s"] == pytest.approx(entry["rows"] / entry["total_s"], abs=0.05)
    assert entry["ratio"] == pytest.approx(entry["total_s"] / entry["io_floor_s"], abs=0.005)
    assert entry["peak_mb"] > 0 and entry["memory_samples"] > 1
    assert entry["cpu_s"] > 0
    assert entry["user_s"] + entry["system_s"] == pytest.approx(entry["cpu_s"], abs=0.002)
    # the run writes the raw layer, validated files, dbt's database and the warehouse
    assert entry["minor_faults"] > 0 and entry["written_mb"] > 1
    # Below scale 10 the two XLSX lists are left out of the floor and said so.
    assert entry["io_floor_excluded"] == ["kader_posyandu_kb__kb.xlsx", "non_asn.xlsx"]
    floor_rows = {f["name"]: f["rows"] for f in entry["io_floor_files"]}
    assert set(floor_rows) == {
        "_bpjs_active.csv",
        "_dtsen.parquet",
        "kader_posyandu_kb__posyandu.csv",
        "pekerja_keagamaan.csv",
        "pekerja_rentan.csv",
        "penyelenggara_pemilu.parquet",
        "rt_rw.csv",
        "_opening_members.csv",
    }
    assert floor_rows["_bpjs_active.csv"] == 16  # 15 kecamatan + the city row
    assert [t["key"] for t in doc["targets"]] == TARGET_KEYS
    assert {t["status"] for t in doc["targets"]} == {NOT_MEASURED}


def test_markdown_and_cleanup(tiny_run: tuple[Path, Path, str]) -> None:
    work, out, stdout = tiny_run
    markdown = (out / "latest.md").read_text(encoding="utf-8")
    for heading in ("## Results", "## Wall time per stage (s)", "## Targets"):
        assert heading in markdown
    assert "| 0.005 | 508 |" in markdown
    assert "| scale 1: berjasa run wall time | ≤ 25.0 s | — | NOT MEASURED |" in markdown
    assert "| berjasa_dbt_models |" in markdown
    assert "\nCalibration (best of 3, one thread): pure Python " in markdown
    assert "[calibration] Calibration (best of 3" in stdout  # printed before the scales
    assert markdown in stdout  # the table is printed at the end
    # Without --keep the home is deleted after measuring; the logs stay.
    assert not (work / "scale-0.005" / "home").exists()
    assert (work / "scale-0.005" / "run.log").exists()


def _result(scale: float, total: float, **extra: object) -> dict[str, object]:
    return {"scale": scale, "total_s": total, "exit_code": 0, **extra}


def test_targets_pass_and_fail() -> None:
    results = [
        _result(1.0, 25.5),
        _result(10.0, 40.0),
        _result(100.0, 480.0, ratio=8.0, rows_per_s=149_999.0, peak_mb=6144.0),
    ]
    got = {t["key"]: (t["status"], t["measured"]) for t in evaluate_targets(results)}
    assert got == {
        "scale100_vs_io_floor": (PASS, "8.00×"),
        "scale100_rows_per_s": (FAIL, "149,999 rows/s"),
        "scale100_peak_memory": (PASS, "6,144 MB"),
        "scale1_wall": (FAIL, "25.5 s"),
        "linear_growth": (PASS, "12.00×"),
    }


def test_failed_run_fails_its_targets() -> None:
    results = [_result(1.0, 10.0) | {"exit_code": 1}, _result(10.0, 40.0)]
    got = {t["key"]: (t["status"], t["measured"]) for t in evaluate_targets(results)}
    assert got["scale1_wall"] == (FAIL, "run failed")
    assert got["linear_growth"] == (NOT_MEASURED, "—")


def _doc(entry: dict[str, object], **machine: object) -> dict[str, object]:
    return {
        "period": "2026-01",
        "git_commit": "0" * 40,
        "git_dirty": True,
        "date": "d",
        "machine": {
            "cores": 2,
            "memory_total_mb": 2048,
            "python": "3.11",
            "load_average_start": [1.0, 1.0, 1.0],
            **machine,
        },
        "scales": [entry],
        "targets": evaluate_targets([entry]),
    }


def _entry() -> dict[str, object]:
    return _result(
        1.0,
        10.0,
        cpu_s=9.0,
        rows=100,
        input_mb=1.0,
        generation_s=1.0,
        rows_per_s=10.0,
        peak_mb=500.0,
        io_floor_s=0.5,
        ratio=20.0,
        io_floor_excluded=[],
        stages_s={"startup": 2.0, "a_step": 7.0, "other": 1.0},
    )


def test_markdown_stage_table_orders_startup_steps_other() -> None:
    lines = to_markdown(_doc(_entry())).splitlines()
    start = lines.index("| stage | scale 1 |")
    assert lines[start + 2 : start + 5] == [
        "| startup | 2.00 |",
        "| a_step | 7.00 |",
        "| other | 1.00 |",
    ]
    assert "| scale 1: berjasa run wall time | ≤ 25.0 s | 10.0 s | PASS |" in lines
    assert "| 1 | 100 | 1.0 | 1.00 | 10.00 | 9.00 | 10 | 500 | 0.50 | 20.0× | 0 |" in lines
    # a result file from before the kernel figures: its row says so rather than failing
    assert "| 1 | — | — | — | — | — |" in lines
    # ... and from before the calibration
    assert lines[2].endswith("load average at start 1.00.")
    assert lines[3] == "Calibration: not measured."


def test_markdown_shows_the_calibration_under_the_machine_line() -> None:
    calibration = {
        "python_s": 1.234,
        "duckdb_s": 2.346,
        "repetitions": 3,
        "python_iterations": 8_000_000,
        "duckdb_rows": 10_000_000,
        "load_average_before": [0.5, 0.5, 0.5],
    }
    lines = to_markdown(_doc(_entry(), calibration=calibration)).splitlines()
    expected = (
        "Calibration (best of 3, one thread): pure Python 1.23 s, DuckDB 2.35 s; "
        "lower is a faster machine."
    )
    assert lines[2].startswith("Commit `000000000000` (uncommitted changes), d; 2 cores")
    assert lines[3] == expected
    assert calibration_text({"calibration": calibration}) == expected


def test_calibration_on_a_small_workload() -> None:
    cal = measure_calibration(python_iterations=200_000, duckdb_rows=100_000, repetitions=2)
    assert cal.python_s > 0 and cal.duckdb_s > 0
    assert (cal.repetitions, cal.python_iterations, cal.duckdb_rows) == (2, 200_000, 100_000)
    assert len(cal.load_average_before) == 3
    assert python_workload(8) == sum(i * i % 7 for i in range(8))
    with pytest.raises(ValueError):
        measure_calibration(repetitions=0)


def test_kernel_row_gives_the_system_share_faults_and_bytes() -> None:
    entry = _result(
        100.0,
        100.0,
        user_s=120.0,
        system_s=60.0,
        minor_faults=8_250_877,
        written_mb=10_340.4,
    )
    assert kernel_row(entry) == ["100", "120.00", "60.00", "33%", "8,250,877", "10,340"]


def test_csv_dialect(tmp_path: Path) -> None:
    semicolon = tmp_path / "a.csv"
    semicolon.write_bytes("NIK;Nama;Alamat\n1;Andi;Jl. Ratulangi, No 5\n".encode("cp1252"))
    assert csv_dialect(semicolon) == (";", "utf-8")
    cp1252 = tmp_path / "b.csv"
    cp1252.write_bytes("NIK;Nama\n1;Andi Muh\u00e2d\n".encode("cp1252"))
    assert csv_dialect(cp1252) == (";", "latin-1")
    bom = tmp_path / "c.csv"
    bom.write_bytes("nik,nama;x\n".encode("utf-8-sig"))
    assert csv_dialect(bom) == (",", "utf-8")
