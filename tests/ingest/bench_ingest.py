"""Benchmark (not a test): a ~10 M-row landing period of CSV + Parquet through ingest_period.

.venv/bin/python tests/ingest/bench_ingest.py generate /tmp/bench   # once, ~1.4 GB
/usr/bin/time -v .venv/bin/python tests/ingest/bench_ingest.py run /tmp/bench
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

PERIOD = "2025-03"


def _people(n: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)

    def text(prefix: str, k: int) -> pa.Array:
        return pa.array(np.char.add(prefix, rng.integers(0, k, n).astype(str)))

    return pa.table(
        {
            "NIK": pa.array(np.char.mod("73710%011d", rng.integers(0, 10**11, n))),
            "Nama Lengkap": text("Andi Nama Panjang Sekali ", 100_000),
            "Tgl Lahir": text("1990-01-1", 10),
            "JK": text("L", 1),
            "Kecamatan": text("Tallo", 1),
            "Kelurahan": text("Kalukuang", 1),
            "Alamat": text("Jl. Veteran Selatan, Lorong 5, No. ", 500),
            "No HP": text("0812", 10**8),
            "Pekerjaan": text("buruh harian lepas ", 10),
            "Keterangan": text("catatan tambahan ", 10),
        }
    )


def generate(root: Path) -> None:
    folder = root / "landing" / PERIOD
    folder.mkdir(parents=True, exist_ok=True)
    plan = [
        ("pekerja_rentan.csv", 3_600_000, ";"),
        ("penyelenggara_pemilu.csv", 2_400_000, ","),
        ("rt_rw__kecamatan_a.csv", 1_000_000, ";"),
    ]
    for seed, (name, n, delimiter) in enumerate(plan):
        for start in range(0, n, 1_200_000):  # append in parts to keep the generator small
            part = _people(min(1_200_000, n - start), seed * 100 + start)
            with (folder / name).open("ab") as handle:
                pacsv.write_csv(
                    part, handle, pacsv.WriteOptions(delimiter=delimiter, include_header=start == 0)
                )
    pq.write_table(_people(2_000_000, 7), folder / "kader_posyandu_kb.parquet")
    rng = np.random.default_rng(9)
    niks = np.char.mod("73710%011d", rng.integers(0, 10**11, 1_500_000))
    dtsen = pa.table({"nik": pa.array(niks), "desil": pa.array(rng.integers(1, 11, niks.size))})
    pq.write_table(dtsen, folder / "_dtsen.parquet")


def run(root: Path) -> None:
    from berjasa.ingest import ingest_period

    started = time.perf_counter()
    report = ingest_period(root / "landing", PERIOD, root / "raw")
    elapsed = time.perf_counter() - started
    rows = sum(f.rows_read for f in report.files)
    size = sum(p.stat().st_size for p in (root / "landing" / PERIOD).iterdir())
    print(f"{rows:,} rows, {size / 1e9:.2f} GB landed, {elapsed:.1f} s")
    for landed in report.files:
        print(f"  {landed.name}: {landed.status} {landed.rows_read:,} {landed.message}")


if __name__ == "__main__":
    command, target = sys.argv[1], Path(sys.argv[2])
    generate(target) if command == "generate" else run(target)
