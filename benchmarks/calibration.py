"""Machine-speed calibration: a fixed, small, CPU-bound reference workload timed in the same
benchmark run as the pipeline.

Why: the benchmark VM's speed varies from day to day by up to ~2x (the same commit took 105 s
one day and 186 s another, the I/O floor 6.8 s one day and 12-14 s another), so a slower
`berjasa run` may be a slower machine rather than a slower pipeline. The calibration does not
change between commits; the ratio of two runs' calibration figures estimates the ratio of the
machine's speed on those days, and no target depends on it.

What: two figures, each the best (minimum) of `repetitions` timings, in seconds:
- `python_s`: a single-threaded pure-Python loop (`total += i * i % 7` over `range(n)`):
  bytecode dispatch and small-int arithmetic, the interpreter's work in the pipeline;
- `duckdb_s`: DuckDB on one thread (fresh in-memory connection, `preserve_insertion_order`
  off, no progress bar) counting the distinct hashes of `range(rows)`: a hash aggregate over
  millions of keys, far larger than the CPU caches, the kind of work the pipeline's SQL does.
The minimum is taken because interference (other load, a cold cache) only makes a timing
slower. The load average just before is recorded to tell a busy machine from a slow one.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import duckdb

PYTHON_ITERATIONS = 8_000_000  # 0.75 s on the benchmark VM (2026-11-21)
DUCKDB_ROWS = 10_000_000  # 1.9 s on the benchmark VM (2026-11-21)
REPETITIONS = 3


@dataclass(frozen=True)
class Calibration:
    python_s: float
    duckdb_s: float
    repetitions: int
    python_iterations: int
    duckdb_rows: int
    load_average_before: list[float]


def python_workload(n: int) -> int:
    """The pure-Python reference loop; returns its result so that the work is not idle."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def measure_calibration(
    python_iterations: int = PYTHON_ITERATIONS,
    duckdb_rows: int = DUCKDB_ROWS,
    repetitions: int = REPETITIONS,
) -> Calibration:
    """Times both reference workloads `repetitions` times each; the best of each, rounded to ms.

    Figures from different workload sizes are not comparable, so the sizes are recorded too.
    """
    if repetitions < 1:
        raise ValueError("repetitions must be at least 1")
    load_before = [round(x, 2) for x in os.getloadavg()]

    python_times = []
    for _ in range(repetitions):
        t0 = time.perf_counter()
        python_workload(python_iterations)
        python_times.append(time.perf_counter() - t0)

    duckdb_times = []
    con = duckdb.connect(config={"threads": 1, "preserve_insertion_order": False})
    try:
        con.execute("set enable_progress_bar = false")
        query = f"select count(distinct hash(i)) from range({int(duckdb_rows)}) t(i)"
        for _ in range(repetitions):
            t0 = time.perf_counter()
            con.execute(query).fetchone()
            duckdb_times.append(time.perf_counter() - t0)
    finally:
        con.close()

    return Calibration(
        python_s=round(min(python_times), 3),
        duckdb_s=round(min(duckdb_times), 3),
        repetitions=repetitions,
        python_iterations=python_iterations,
        duckdb_rows=duckdb_rows,
        load_average_before=load_before,
    )
