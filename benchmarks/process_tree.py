"""Run a command as a subprocess and measure it: wall time, and the peak memory of the whole
process tree (dbt, DuckDB and any helper processes count, not just the first Python process).

Peak memory is sampled: every `interval` seconds the resident set sizes (RSS) of the process and
all its descendants are summed, and the largest sum is kept. A spike shorter than the interval
can be missed; pages shared between processes are counted once per process.

CPU time (user + system) of the tree comes from the kernel's accounting of reaped children
(`getrusage(RUSAGE_CHILDREN)` before and after): compared with the wall time it shows how much a
busy machine stretched the run (CPU time barely depends on other load; wall time does). The same
accounting gives the kernel's share of the work: system time, minor page faults (fresh memory
the kernel had to supply) and bytes written to files (512-byte blocks). At national scale a third
of the run's CPU was the kernel's (README, "Where the CPU goes").
"""

from __future__ import annotations

import resource
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

MIB = 1024 * 1024
# the unit of getrusage's ru_oublock on Linux, whatever the file system's block size
BLOCK_BYTES = 512


@dataclass(frozen=True)
class Measured:
    returncode: int
    started_epoch: float  # time.time() just before the process was started
    seconds: float  # wall time until the process exited
    peak_rss_bytes: int
    samples: int
    user_seconds: float  # user time of the process and its reaped descendants
    system_seconds: float  # system (kernel) time of the same
    minor_faults: int  # page faults served without I/O, i.e. fresh or reclaimed memory
    written_bytes: int  # bytes the tree wrote to files (the kernel counts 512-byte blocks)

    @property
    def cpu_seconds(self) -> float:
        return self.user_seconds + self.system_seconds

    @property
    def peak_mb(self) -> float:
        return self.peak_rss_bytes / MIB


def tree_rss(root: psutil.Process) -> int:
    """Sum of RSS over a process and its descendants (0 once the process is gone)."""
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue  # exited between listing and reading: nothing resident any more
    return total


def run_measured(
    command: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    log_path: Path,
    interval: float = 0.1,
) -> Measured:
    """Runs `command` (stdout and stderr to `log_path`) and polls its tree's memory until exit."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log_path, "wb") as log:
        started_epoch = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            list(command), env=dict(env), cwd=cwd, stdout=log, stderr=subprocess.STDOUT
        )
        root = psutil.Process(proc.pid)
        peak, samples = 0, 0
        while True:
            peak = max(peak, tree_rss(root))
            samples += 1
            try:
                # Returns as soon as the process exits, so the wall time is not rounded up.
                returncode = proc.wait(timeout=interval)
                break
            except subprocess.TimeoutExpired:
                continue
        seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Measured(
        returncode,
        started_epoch,
        seconds,
        peak,
        samples,
        user_seconds=after.ru_utime - before.ru_utime,
        system_seconds=after.ru_stime - before.ru_stime,
        minor_faults=after.ru_minflt - before.ru_minflt,
        written_bytes=(after.ru_oublock - before.ru_oublock) * BLOCK_BYTES,
    )
