"""The benchmark's targets, pass/fail per target, and the markdown report.

Targets (issue "Scale: a benchmark from city size to national size"):
- scale 100: `berjasa run` wall time at most 8 times the I/O floor;
- scale 100: at least 150,000 input rows per second;
- scale 100: peak memory of the process tree at most 6 GB (6 GiB = 6,144 MiB);
- scale 1: `berjasa run` at most 25 s wall time, start-up included;
- linear growth: time(scale 100) / time(scale 10) at most 12.
A target whose scale was not run is `not measured`; a run that exited 1 fails its targets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PASS, FAIL, NOT_MEASURED = "pass", "fail", "not measured"
OK_EXIT_CODES = (0, 2)  # 2: published with a cohort held back (SPEC §3), still a full run

Result = dict[str, Any]


@dataclass(frozen=True)
class Target:
    key: str
    description: str
    scales: tuple[float, ...]
    value: Callable[[list[Result]], float]
    limit: float
    at_most: bool  # True: value ≤ limit passes; False: value ≥ limit passes
    unit: str

    def format(self, value: float) -> str:
        if self.unit == "×":
            return f"{value:.2f}×"
        if self.unit == "rows/s":
            return f"{value:,.0f} rows/s"
        if self.unit == "MB":
            return f"{value:,.0f} MB"
        return f"{value:.1f} s" if self.unit == "s" else f"{value:.2f}"

    @property
    def threshold(self) -> str:
        return ("≤ " if self.at_most else "≥ ") + self.format(self.limit)


def _at(results: list[Result], scale: float) -> Result:
    return next(r for r in results if r["scale"] == scale)


TARGETS: tuple[Target, ...] = (
    Target(
        "scale100_vs_io_floor",
        "scale 100: berjasa run vs the I/O floor",
        (100.0,),
        lambda rs: _at(rs, 100.0)["ratio"],
        8.0,
        True,
        "×",
    ),
    Target(
        "scale100_rows_per_s",
        "scale 100: throughput",
        (100.0,),
        lambda rs: _at(rs, 100.0)["rows_per_s"],
        150_000.0,
        False,
        "rows/s",
    ),
    Target(
        "scale100_peak_memory",
        "scale 100: peak memory (6 GB)",
        (100.0,),
        lambda rs: _at(rs, 100.0)["peak_mb"],
        6 * 1024.0,
        True,
        "MB",
    ),
    Target(
        "scale1_wall",
        "scale 1: berjasa run wall time",
        (1.0,),
        lambda rs: _at(rs, 1.0)["total_s"],
        25.0,
        True,
        "s",
    ),
    Target(
        "linear_growth",
        "linear growth: time(100) / time(10)",
        (10.0, 100.0),
        lambda rs: _at(rs, 100.0)["total_s"] / _at(rs, 10.0)["total_s"],
        12.0,
        True,
        "×",
    ),
)


def evaluate_targets(results: list[Result]) -> list[Result]:
    """One row per target: key, description, threshold, value, measured (text), status."""
    measured_scales = {r["scale"] for r in results}
    rows = []
    for target in TARGETS:
        row: Result = {
            "key": target.key,
            "description": target.description,
            "threshold": target.threshold,
            "value": None,
        }
        if not set(target.scales) <= measured_scales:
            row.update(measured="—", status=NOT_MEASURED)
        elif any(_at(results, s)["exit_code"] not in OK_EXIT_CODES for s in target.scales):
            row.update(measured="run failed", status=FAIL)
        else:
            value = float(target.value(results))
            ok = value <= target.limit if target.at_most else value >= target.limit
            row.update(
                value=round(value, 3), measured=target.format(value), status=PASS if ok else FAIL
            )
        rows.append(row)
    return rows


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def kernel_row(result: Result) -> list[str]:
    """User and system time, page faults and bytes written of one scale's run ("—" where a
    result file predates these figures)."""
    user, system = result.get("user_s"), result.get("system_s")
    share = "—" if user is None or system is None else f"{system / (user + system):.0%}"
    faults, written = result.get("minor_faults"), result.get("written_mb")
    return [
        f"{result['scale']:g}",
        _s(user),
        _s(system),
        share,
        "—" if faults is None else f"{faults:,}",
        "—" if written is None else f"{written:,.0f}",
    ]


def stage_names(results: list[Result]) -> list[str]:
    """startup, then the steps in the order they first ran, then other."""
    names: list[str] = []
    for result in results:
        names += [k for k in result["stages_s"] if k not in names and k not in ("startup", "other")]
    return ["startup", *names, "other"]


def calibration_text(machine: Result) -> str:
    """The machine-speed calibration in one sentence ("not measured" for a result file that
    predates it)."""
    cal = machine.get("calibration")
    if cal is None:
        return "Calibration: not measured."
    return (
        f"Calibration (best of {cal['repetitions']}, one thread): pure Python "
        f"{cal['python_s']:.2f} s, DuckDB {cal['duckdb_s']:.2f} s; lower is a faster machine."
    )


def to_markdown(doc: Result) -> str:
    """The report: machine and its calibration, results per scale, per-stage times, targets
    with pass/fail."""
    m, results = doc["machine"], doc["scales"]
    lines = [
        f"# Berjasa benchmark, period {doc['period']}",
        "",
        f"Commit `{doc['git_commit'][:12]}`{' (uncommitted changes)' if doc['git_dirty'] else ''}"
        f", {doc['date']}; {m['cores']} cores, {m['memory_total_mb'] / 1024:.1f} GB RAM, "
        f"Python {m['python']}, load average at start {m['load_average_start'][0]:.2f}.",
        calibration_text(m),
        "",
        "## Results",
        "",
    ]
    lines += _table(
        [
            "scale",
            "rows",
            "input MB",
            "generation s",
            "berjasa run s",
            "CPU s",
            "rows/s",
            "peak MB",
            "I/O floor s",
            "ratio",
            "exit",
        ],
        [
            [
                f"{r['scale']:g}",
                f"{r['rows']:,}",
                f"{r['input_mb']:,.1f}",
                _s(r["generation_s"]),
                _s(r["total_s"]),
                _s(r["cpu_s"]),
                f"{r['rows_per_s']:,.0f}",
                f"{r['peak_mb']:,.0f}",
                _s(r["io_floor_s"]),
                f"{r['ratio']:.1f}×",
                str(r["exit_code"]),
            ]
            for r in results
        ],
    )
    lines += ["", "## The kernel's share of the run", ""]
    lines += _table(
        ["scale", "user s", "system s", "system share", "minor page faults", "written MB"],
        [kernel_row(r) for r in results],
    )
    names = stage_names(results)
    lines += ["", "## Wall time per stage (s)", ""]
    lines += _table(
        ["stage", *(f"scale {r['scale']:g}" for r in results)],
        [[name, *(_s(r["stages_s"].get(name)) for r in results)] for name in names],
    )
    lines += ["", "## Targets", ""]
    lines += _table(
        ["target", "threshold", "measured", "result"],
        [
            [t["description"], t["threshold"], t["measured"], t["status"].upper()]
            for t in doc["targets"]
        ],
    )
    notes = [
        f"scale {r['scale']:g}: the I/O floor excludes {', '.join(r['io_floor_excluded'])}"
        for r in results
        if r["io_floor_excluded"]
    ]
    if notes:
        lines += ["", "Notes:", "", *(f"- {n}" for n in notes)]
    return "\n".join(lines) + "\n"
