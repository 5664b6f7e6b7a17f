"""End-to-end benchmark: `berjasa run` on demo months from city size to national size.

    .venv/bin/python benchmarks/run_benchmark.py --scales 1 10 100 [--period 2026-01]
        [--work benchmarks/work] [--out benchmarks/results] [--keep] [--interval 0.1]

First a machine-speed calibration (a fixed CPU-bound workload, benchmarks/calibration.py). Then
per scale, in a fresh BERJASA_HOME under --work: generate the demo month (timed apart, not part
of the pipeline), run `berjasa run --period P` as a subprocess (wall time, peak memory of its
process tree, per-stage times from its Dagster instance), then the DuckDB I/O floor on the same
landing files. Writes <out>/latest.json and <out>/latest.md and prints the markdown table.
See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(REPO))

import psutil  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from benchmarks.calibration import measure_calibration  # noqa: E402
from benchmarks.io_floor import landing_inputs, measure_io_floor  # noqa: E402
from benchmarks.process_tree import MIB, run_measured  # noqa: E402
from benchmarks.report import calibration_text, evaluate_targets, to_markdown  # noqa: E402
from benchmarks.stages import read_run_stages  # noqa: E402

BERJASA = Path(sys.executable).parent / "berjasa"


class BenchmarkError(RuntimeError):
    pass


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def machine_info() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "memory_total_mb": round(psutil.virtual_memory().total / MIB),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }


def pipeline_env(home: Path, pii_key: str) -> dict[str, str]:
    """The caller's environment without Berjasa/Dagster settings, pointed at `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BERJASA_", "DAGSTER_"))}
    env.update(
        BERJASA_HOME=str(home),
        BERJASA_PII_KEY=pii_key,
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        GX_ANALYTICS_ENABLED="false",
    )
    return env


def bench_scale(
    scale: float, period: str, work: Path, keep: bool, pii_key: str, interval: float
) -> dict[str, Any]:
    """Generate, run and measure one scale; returns its JSON entry."""
    label = f"{scale:g}"
    scale_dir = work / f"scale-{label}"
    if scale_dir.exists():
        shutil.rmtree(scale_dir)
    home, floor_dir = scale_dir / "home", scale_dir / "io_floor"
    landing = home / "landing"
    home.mkdir(parents=True)
    env = pipeline_env(home, pii_key)

    print(f"[scale {label}] generating the demo month {period} …", flush=True)
    gen_log = scale_dir / "generate.log"
    gen = run_measured(
        [
            str(BERJASA),
            "demo-data",
            "--period",
            period,
            "--scale",
            repr(scale),
            "--landing",
            str(landing),
        ],
        env,
        scale_dir,
        gen_log,
        interval,
    )
    if gen.returncode != 0:
        raise BenchmarkError(
            f"demo-data failed at scale {label} (exit {gen.returncode}); see {gen_log}"
        )
    rows = pq.ParquetFile(landing / "_truth" / f"{period}.parquet").metadata.num_rows
    inputs, excluded = landing_inputs(landing, period)
    input_bytes = sum(p.stat().st_size for p in [*inputs, *excluded])

    load_before = [round(x, 2) for x in os.getloadavg()]
    print(f"[scale {label}] berjasa run --period {period} ({rows:,} rows) …", flush=True)
    run_log = scale_dir / "run.log"
    run = run_measured([str(BERJASA), "run", "--period", period], env, scale_dir, run_log, interval)
    if run.returncode not in (0, 2):
        print(f"[scale {label}] berjasa run exited {run.returncode}; see {run_log}", flush=True)
    try:
        stages = read_run_stages(home / "dagster", run.started_epoch, run.seconds)
        run_id, run_status, stages_s = stages.run_id, stages.run_status, stages.stages
    except Exception as error:  # no run recorded: the figures stay, the stages do not
        print(f"[scale {label}] no per-stage times: {error}", flush=True)
        run_id, run_status, stages_s = None, None, {"startup": None, "other": None}

    print(f"[scale {label}] I/O floor (DuckDB read + Parquet write) …", flush=True)
    floor = measure_io_floor(landing, period, floor_dir)
    if not keep:
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(floor_dir, ignore_errors=True)

    # Ratio and rate from the rounded figures, so the JSON is consistent with itself.
    total, floor_s = round(run.seconds, 3), round(floor.seconds, 4)
    entry = {
        "scale": float(scale),
        "rows": int(rows),
        "input_files": len(inputs) + len(excluded),
        "input_mb": round(input_bytes / MIB, 1),
        "generation_s": round(gen.seconds, 3),
        "generation_peak_mb": round(gen.peak_mb, 1),
        "total_s": total,
        "cpu_s": round(run.cpu_seconds, 3),
        "user_s": round(run.user_seconds, 3),
        "system_s": round(run.system_seconds, 3),
        "minor_faults": run.minor_faults,
        "written_mb": round(run.written_bytes / MIB, 1),
        "exit_code": run.returncode,
        "run_id": run_id,
        "run_status": run_status,
        "stages_s": stages_s,
        "rows_per_s": round(rows / total, 1),
        "peak_mb": round(run.peak_mb, 1),
        "memory_samples": run.samples,
        "io_floor_s": floor_s,
        "io_floor_files": [vars(f) for f in floor.files],
        "io_floor_excluded": floor.excluded,
        "ratio": round(total / floor_s, 2),
        "load_average_before": load_before,
        "logs": {"generate": str(gen_log), "run": str(run_log)},
    }
    print(
        f"[scale {label}] {total:.1f} s, {entry['rows_per_s']:,.0f} rows/s, "
        f"peak {entry['peak_mb']:,.0f} MB, I/O floor {floor.seconds:.2f} s",
        flush=True,
    )
    return entry


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scales",
        type=float,
        nargs="+",
        required=True,
        help="demo scales (1 = Makassar's ~100k rows), e.g. 1 10 100",
    )
    parser.add_argument("--period", default="2026-01", help="demo month, YYYY-MM")
    parser.add_argument(
        "--work",
        type=Path,
        default=REPO / "benchmarks" / "work",
        help="where each scale's BERJASA_HOME is made (git-ignored default)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "benchmarks" / "results",
        help="where latest.json and latest.md are written",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep each scale's home (default: delete it after measuring)",
    )
    parser.add_argument(
        "--interval", type=float, default=0.1, help="memory polling interval in seconds"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if any(s <= 0 for s in args.scales):
        raise SystemExit("run_benchmark: scales must be positive")
    work, out = args.work.resolve(), args.out.resolve()
    work.mkdir(parents=True, exist_ok=True)
    # A non-demo key, as in production (HMAC cost is the same; the key is never written out).
    pii_key = "benchmark-" + secrets.token_hex(16)
    doc: dict[str, Any] = {
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "period": args.period,
        "machine": machine_info(),
        "scales": [],
    }
    print("[calibration] the reference workloads on one thread …", flush=True)
    calibration = measure_calibration()
    doc["machine"]["calibration"] = asdict(calibration)
    print(f"[calibration] {calibration_text(doc['machine'])}", flush=True)
    try:
        for scale in args.scales:
            doc["scales"].append(
                bench_scale(scale, args.period, work, args.keep, pii_key, args.interval)
            )
    except BenchmarkError as error:
        print(f"run_benchmark: {error}", file=sys.stderr)
        return 1
    doc["targets"] = evaluate_targets(doc["scales"])
    out.mkdir(parents=True, exist_ok=True)

    (out / "latest.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    markdown = to_markdown(doc)
    (out / "latest.md").write_text(markdown, encoding="utf-8")
    print()
    print(markdown)
    print(f"Written {out / 'latest.json'} and {out / 'latest.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
