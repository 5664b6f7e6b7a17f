"""`generate_demo_data`: one period of a realistic synthetic landing folder, plus its truth.

Writes `<landing>/<YYYY-MM>/` (cohort files, `_bpjs_active.csv`, `_dtsen.parquet` in the first
month of a quarter or when no earlier extract exists), `<landing>/_opening_members.csv` the
first time anything is generated into this landing folder (never overwritten), and
`<landing>/_truth/<YYYY-MM>.parquet`: one row per data row written with the expected outcome.

Deterministic for (period, seed, scale). Assumptions the truth relies on (see truth.py): one
landing folder holds one (seed, scale); every month generated into it before this one is taken
as published (for the age rule's three-month continuity); a month generated later that inserts
a new DTSEN extract before an already generated month does not update that month's truth.
Streaming: rows are rendered and written in chunks of 250,000, so memory stays bounded at
any scale. Nothing here logs a NIK or a name.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from berjasa.demo.areas import load_areas
from berjasa.demo.faults import applicable, assign_kinds, duplicate_sources
from berjasa.demo.formats import FileSpec, plan_files
from berjasa.demo.population import COHORTS, Population, month_index
from berjasa.demo.references import (
    read_dtsen_max,
    write_bpjs_active,
    write_dtsen,
    write_opening_members,
)
from berjasa.demo.render import Renderer
from berjasa.demo.rng import tag
from berjasa.demo.truth import OK, REASONS, Continuity, descriptions, resolve, row_stage_reason
from berjasa.demo.writers import WRITERS
from berjasa.periods import parse_period, shift_period

CHUNK = 250_000
_PERIOD_DIR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_DTSEN_NAME = re.compile(r"^_dtsen\.(csv|parquet)$", re.IGNORECASE)


@dataclass(frozen=True)
class DemoSummary:
    period: str
    landing_dir: Path
    files: list[str]
    rows_per_cohort: dict[str, int]
    total_rows: int
    truth_path: Path
    faults_per_reason: dict[str, int]
    dtsen_written: bool = False
    dtsen_used: str | None = None
    opening_members_path: Path | None = None
    seconds: float = 0.0
    notes: dict[str, int] = field(default_factory=dict)


def _split(n: int, specs: list[FileSpec]) -> list[tuple[int, int]]:
    """Row ranges (start, end) of each file of one cohort list."""
    bounds, start = [], 0
    for i, spec in enumerate(specs):
        end = n if i == len(specs) - 1 else start + max(1, round(n * spec.share))
        bounds.append((start, end))
        start = end
    return bounds


def _dtsen_files(landing: Path) -> list[tuple[str, Path]]:
    found = []
    if landing.exists():
        for folder in sorted(landing.iterdir()):
            if folder.is_dir() and _PERIOD_DIR.match(folder.name):
                found += [
                    (folder.name, f)
                    for f in sorted(folder.iterdir())
                    if f.is_file() and _DTSEN_NAME.match(f.name)
                ]
    return found


def _clear_period_dir(folder: Path) -> None:
    """Remove what an earlier run wrote here (a rerun at another scale writes other names)."""
    cohort_name = re.compile(rf"^({'|'.join(COHORTS)})(__.*)?\.(csv|xlsx|parquet)$", re.I)
    for path in folder.iterdir():
        if path.is_file() and (
            cohort_name.match(path.name)
            or _DTSEN_NAME.match(path.name)
            or path.name.lower().startswith("_bpjs_active.")
        ):
            path.unlink()


def generate_demo_data(
    period: str, landing: Path, scale: float = 1.0, seed: int = 0, progress: bool = True
) -> DemoSummary:
    """Write one period of synthetic landing data and its truth file; see the module doc."""
    started = time.monotonic()
    period_start = parse_period(period)
    if scale <= 0:
        raise ValueError("scale must be positive")
    landing = Path(landing)
    folder = landing / period
    folder.mkdir(parents=True, exist_ok=True)
    _clear_period_dir(folder)
    m = month_index(period)
    areas = load_areas()
    population = Population(seed, scale, areas.kel_kec)
    renderer = Renderer(population, areas, period_start, m)
    specs = plan_files(scale)
    opening_exists = any((landing / f"_opening_members.{x}").exists() for x in ("csv", "parquet"))

    truth_parts: dict[str, list[np.ndarray]] = {
        k: []
        for k in ("file", "row", "cohort", "kind", "nik", "age", "copied", "senior", "outside")
    }
    participants_by_kec = np.zeros(16, dtype=np.int64)
    file_names = [spec.name for spec in specs]
    bar = tqdm(
        total=population.total_rows, unit="rows", disable=not progress, desc=f"demo {period}"
    )
    for c, cohort in enumerate(COHORTS):
        cohort_specs = [s for s in specs if s.cohort == cohort]
        n = population.sizes[cohort]
        bounds = _split(n, cohort_specs)
        protected = np.zeros(n, dtype=bool)
        if cohort == "rt_rw":
            protected[population.senior_rows()] = True
        kind = np.concatenate(
            [
                assign_kinds(
                    seed,
                    m,
                    tag(spec.name),
                    a,
                    b - a,
                    applicable(cohort, spec.fmt, spec.nik_int, spec.date_style),
                    protected[a:b],
                )
                for spec, (a, b) in zip(cohort_specs, bounds, strict=True)
            ]
        )
        source = duplicate_sources(
            seed, m, c, kind, protected, file_break=bounds[1][0] if len(bounds) > 1 else None
        )
        for spec, (a, b) in zip(cohort_specs, bounds, strict=True):
            writer = WRITERS[spec.fmt](folder / spec.name, spec, b - a)
            for lo in range(a, b, CHUNK):
                rows = np.arange(lo, min(lo + CHUNK, b), dtype=np.int64)
                chunk = renderer.render(spec, rows, kind[rows], source[rows])
                source_rows = writer.write(chunk)
                k = len(rows)
                truth_parts["file"].append(np.full(k, file_names.index(spec.name), np.int16))
                truth_parts["row"].append(source_rows.astype(np.int64))
                truth_parts["cohort"].append(np.full(k, c, np.int8))
                truth_parts["kind"].append(chunk.kind.astype(np.int8))
                truth_parts["nik"].append(chunk.nik)
                truth_parts["age"].append(chunk.age.astype(np.int16))
                truth_parts["copied"].append(chunk.copied)
                truth_parts["senior"].append(chunk.senior)
                truth_parts["outside"].append(chunk.kel < 0)
                clean = (chunk.kind == 0) & (chunk.kel >= 0)
                participants_by_kec += np.bincount(areas.kel_kec[chunk.kel[clean]], minlength=16)
                bar.update(k)
            writer.close()
    bar.close()

    written = list(file_names)
    earlier = [p for p, _ in _dtsen_files(landing) if p < period]
    dtsen_written = period_start.month in (1, 4, 7, 10) or not earlier
    if dtsen_written:
        write_dtsen(folder / "_dtsen.parquet", population, m)
        written.append("_dtsen.parquet")
    write_bpjs_active(folder / "_bpjs_active.csv", seed, m, areas.kec_codes, participants_by_kec)
    written.append("_bpjs_active.csv")
    opening_path = None
    if not opening_exists:
        opening_path = landing / "_opening_members.csv"
        write_opening_members(opening_path, population, m, shift_period(period, -1))

    usable = [(p, f) for p, f in _dtsen_files(landing) if p <= period]
    dtsen_used = usable[-1] if usable else None
    parts = {k: np.concatenate(truth_parts.pop(k)) for k in list(truth_parts)}
    rentan = COHORTS.index("pekerja_rentan")
    reason = resolve(
        row_stage_reason(parts["kind"]),
        parts["cohort"],
        parts["nik"],
        parts["age"],
        rentan,
        Continuity(landing, population, m),
        read_dtsen_max(dtsen_used[1], parts["nik"][parts["cohort"] == rentan])
        if dtsen_used
        else None,
    )
    truth_path = _write_truth(landing, period, parts, reason, file_names)

    counts = np.bincount(reason[reason != OK], minlength=len(REASONS))
    rows_per_cohort = {c: population.sizes[c] for c in COHORTS}
    ok = reason == OK
    notes = {
        "continuing_aged_65_plus": int((ok & parts["senior"] & (parts["age"] >= 65)).sum()),
        "living_outside_makassar": int((ok & parts["outside"]).sum()),
        "also_in_another_cohort": int((ok & parts["copied"]).sum()),
    }
    return DemoSummary(
        period=period,
        landing_dir=folder,
        files=written,
        rows_per_cohort=rows_per_cohort,
        total_rows=int(len(reason)),
        truth_path=truth_path,
        faults_per_reason={r: int(n) for r, n in zip(REASONS, counts, strict=True) if n},
        dtsen_written=dtsen_written,
        dtsen_used=f"{dtsen_used[0]}/{dtsen_used[1].name}" if dtsen_used else None,
        opening_members_path=opening_path,
        seconds=round(time.monotonic() - started, 2),
        notes=notes,
    )


def _dictionary(index: np.ndarray, labels: list[str]) -> pa.DictionaryArray:
    mask = index < 0
    return pa.DictionaryArray.from_arrays(
        pa.array(np.where(mask, 0, index).astype(np.int32), mask=mask), pa.array(labels)
    )


def _write_truth(
    landing: Path,
    period: str,
    parts: dict[str, np.ndarray],
    reason: np.ndarray,
    file_names: list[str],
) -> Path:
    stage_of = np.array([0, 0, 0, 0, 0, 0, 0, 1, 1, 1], dtype=np.int64)  # 0 row, 1 period
    stage = np.where(reason == OK, -1, stage_of[np.maximum(reason, 0)])
    age_rule = reason == REASONS.index("age_out_of_range")
    stage = np.where(age_rule, np.where(parts["age"] < 15, 0, 1), stage)
    fault_index, fault_labels = descriptions(parts["kind"], reason)
    ok = reason == OK
    note = np.full(len(reason), -1, dtype=np.int64)
    note[ok & parts["copied"]] = 0
    note[ok & parts["outside"]] = 1
    note[ok & parts["senior"] & (parts["age"] >= 65)] = 2
    table = pa.table(
        {
            "source_file": _dictionary(parts["file"].astype(np.int64), file_names),
            "source_row": pa.array(parts["row"], type=pa.int64()),
            "cohort_code": _dictionary(parts["cohort"].astype(np.int64), list(COHORTS)),
            "expected": _dictionary(np.where(ok, 0, reason + 1), ["ok", *REASONS]),
            "stage": _dictionary(stage, ["row", "period"]),
            "fault": _dictionary(fault_index, fault_labels),
            "note": _dictionary(
                note,
                [
                    "person also listed in another cohort",
                    "city employee living outside Makassar (accepted)",
                    "continuing member aged 65 or older (accepted)",
                ],
            ),
        }
    )
    path = landing / "_truth" / f"{period}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    return path
