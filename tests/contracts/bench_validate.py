"""Throughput benchmark of the validated layer (not collected by pytest).

    .venv/bin/python tests/contracts/bench_validate.py [rows=3600000] [workdir]

Builds a synthetic raw-layer Parquet (valid NIK structure, real areas, ~3% faults) in a child
process (so its memory does not count), runs `validate_period` on it (one `non_asn` file: the
costliest cohort, wage parsed on every row) and prints wall/CPU time, rows/s and peak RSS.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from berjasa import seeds
from berjasa.config import Settings
from berjasa.validate import validate_period


def _pad(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pa.array(values.astype(str)), width, "0")


def synthetic_raw(n: int, seed: int = 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    ref = seeds.wilayah()
    pick = rng.integers(0, len(ref), n)
    day, month = rng.integers(1, 29, n), rng.integers(1, 13, n)
    year = rng.integers(1960, 2005, n)
    female = rng.random(n) < 0.5
    nik = pc.binary_join_element_wise(
        pa.array(np.full(n, "737101")),
        _pad(day + np.where(female, 40, 0), 2),
        _pad(month, 2),
        _pad(year % 100, 2),
        _pad(rng.integers(1, 9999, n), 4),
        "",
    )
    birth = pc.binary_join_element_wise(
        pa.array(year.astype(str)), _pad(month, 2), _pad(day, 2), "-"
    )
    fault = rng.random(n)
    nik = pc.if_else(pa.array(fault < 0.01), pa.scalar("7.37E+15"), nik)
    birth = pc.if_else(pa.array((fault >= 0.01) & (fault < 0.02)), "31/02/1990", birth)
    kel = pa.array(ref["kelurahan"].to_numpy()[pick])
    kel = pc.if_else(pa.array((fault >= 0.02) & (fault < 0.03)), "Antah Berantah", kel)

    def const(value: str) -> pa.Array:
        return pa.array(np.full(n, value))

    return pa.table(
        {
            "nik": nik,
            "nama": const("Nama Peserta Contoh"),
            "tanggal_lahir": birth,
            "jenis_kelamin": pa.array(np.where(female, "P", "L")),
            "kecamatan": pa.array(ref["kecamatan"].to_numpy()[pick]),
            "kelurahan": kel,
            "upah": const("Rp 3.000.625,00"),
            "no_hp": const("081234567890"),
            "alamat": const("Jl. Contoh No. 1"),
            "pekerjaan": pa.nulls(n, pa.string()),
            "disabilitas": const("N"),
            "source_file": const("non_asn.csv"),
            "source_row": pc.cast(pa.array(np.arange(2, n + 2)), pa.string()),
            "file_sha256": const("ab" * 32),
            "nik_cell_type": const("text"),
            "tanggal_lahir_cell_type": const("text"),
        }
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3_600_000
    work = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="vbench"))
    raw_path = work / "raw" / "2025-03" / "bench.parquet"
    if len(sys.argv) > 3 and sys.argv[3] == "--generate":
        raw_path.parent.mkdir(parents=True, exist_ok=True)
        for start in range(0, n, 1_000_000):  # written in slices to bound the generator's memory
            part = synthetic_raw(min(1_000_000, n - start), seed=start + 1)
            if start == 0:
                writer = pq.ParquetWriter(raw_path, part.schema)
            writer.write_table(part)
        writer.close()
        return
    subprocess.run([sys.executable, __file__, str(n), str(work), "--generate"], check=True)
    settings = Settings(home=work, landing=work / "landing", warehouse="-", pii_key="bench-key")
    report = {
        "files": [
            {
                "name": "non_asn.csv",
                "kind": "cohort",
                "cohort_code": "non_asn",
                "file_ordinal": 1,
                "sha256": "s",
                "status": "ok",
                "message": None,
                "rows_read": n,
                "raw_path": str(raw_path),
            }
        ]
    }
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    result = validate_period("2025-03", report, settings)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        f"rows={n:,} wall={wall:.1f}s cpu={cpu:.1f}s rows/s={n / wall:,.0f} "
        f"peak_rss={after.ru_maxrss / 1024:,.0f} MB accepted={result.rows_accepted:,} "
        f"rejects={result.rejects_by_reason}"
    )


if __name__ == "__main__":
    main()
