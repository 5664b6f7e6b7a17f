"""Ingest one period: every file of `<landing>/<YYYY-MM>/` into the immutable raw layer.

Files are read two at a time (the CSV/Parquet readers, hashing and the Parquet writer run in
C++ without the GIL, so two files use both cores; each is streamed, so memory stays at one raw
row group, 1 M rows, per file), costliest first so the last file does not run alone, and
reported in name order. Files of the same size could be the same bytes, i.e. the same
write-once raw file, so they are handled one after the other in name order, exactly as a
sequential ingest would. A bad file is recorded in the report with what to do and the others
go on; only a missing landing folder or a bad period stops the whole ingest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from berjasa.ingest.columns import (
    BPJS_ACTIVE_SPEC,
    DTSEN_SPEC,
    OPENING_SPEC,
    TableSpec,
    cohort_spec,
)
from berjasa.ingest.errors import FileLevelError, LandingError
from berjasa.ingest.fileinfo import scan_file
from berjasa.ingest.names import OPENING_STEM, REFERENCE_EXTS, classify_name
from berjasa.ingest.reader import write_raw
from berjasa.ingest.report import IngestReport, LandedFile
from berjasa.periods import PeriodError, parse_period
from berjasa.seeds import cohort_codes

log = logging.getLogger(__name__)

_REFERENCE_SPECS = {"dtsen": DTSEN_SPEC, "bpjs_active": BPJS_ACTIVE_SPEC}
PARALLEL_FILES = 2
# Rough reading cost per landed byte, to start the costliest files first: a Parquet byte holds
# about twice the rows of a CSV byte, and an XLSX cell goes through Python.
_COST_PER_BYTE = {".csv": 1, ".parquet": 2, ".xlsx": 20}


def _run_reads(jobs: list[tuple[Path, Callable[[], LandedFile]]]) -> list[LandedFile]:
    """Run the file reads, two at a time, and return their results in `jobs` order.

    Same-size files form one group read sequentially in order (identical bytes share a raw
    file); groups run largest first.
    """
    groups: dict[int, list[int]] = {}
    for index, (path, _) in enumerate(jobs):
        groups.setdefault(path.stat().st_size, []).append(index)
    results: list[LandedFile | None] = [None] * len(jobs)

    def run(indices: list[int]) -> None:
        for index in indices:
            results[index] = jobs[index][1]()

    def cost(item: tuple[int, list[int]]) -> int:
        size, indices = item
        return sum(size * _COST_PER_BYTE.get(jobs[i][0].suffix.lower(), 1) for i in indices)

    ordered = sorted(groups.items(), key=cost, reverse=True)
    with ThreadPoolExecutor(max_workers=PARALLEL_FILES) as pool:
        for future in [pool.submit(run, indices) for _, indices in ordered]:
            future.result()
    return [r for r in results if r is not None]


def _read_one(path: Path, spec: TableSpec, out_dir: Path, base: dict[str, object]) -> LandedFile:
    facts = scan_file(path, detect_encoding=path.suffix.lower() == ".csv")
    raw_path = out_dir / f"{facts.sha256}.parquet"
    try:
        rows = write_raw(path, spec, facts, raw_path)
    except FileLevelError as error:
        log.warning("ingest: %s", error)
        return LandedFile(
            **base,
            sha256=facts.sha256,
            status="error",
            message=error.problem if error.row is None else f"row {error.row}: {error.problem}",
            rows_read=0,
            raw_path=None,
        )
    log.info("ingest: %s -> %s rows", path.name, rows)
    return LandedFile(
        **base, sha256=facts.sha256, status="ok", message="", rows_read=rows, raw_path=str(raw_path)
    )


def _ignored(path: Path, kind: str, message: str) -> LandedFile:
    sha = scan_file(path, detect_encoding=False).sha256 if path.is_file() else ""
    log.warning("ingest: %s ignored: %s", path.name, message)
    return LandedFile(path.name, kind, None, None, sha, "ignored", message, 0, None)


def ingest_period(landing: Path, period: str, raw_dir: Path) -> IngestReport:
    """Read `<landing>/<period>/` into `<raw_dir>/<period>/` and write `_ingest_report.json`."""
    try:
        parse_period(period)
    except PeriodError as error:
        raise LandingError(str(error)) from None
    folder = Path(landing) / period
    if not folder.is_dir():
        raise LandingError(
            f"landing folder for period {period} not found: {folder} — put the period's files "
            "there (or point --landing / BERJASA_LANDING at the folder that holds <YYYY-MM>/)"
        )
    out_dir = Path(raw_dir) / period
    out_dir.mkdir(parents=True, exist_ok=True)
    codes = cohort_codes()

    entries = sorted(folder.iterdir(), key=lambda p: p.name)
    verdicts = [(p, classify_name(p.name, codes, is_dir=p.is_dir())) for p in entries]
    ordinals: dict[str, int] = {}
    reference_counts: dict[str, int] = {}
    for _, verdict in verdicts:
        if verdict.kind in _REFERENCE_SPECS:
            reference_counts[verdict.kind] = reference_counts.get(verdict.kind, 0) + 1

    files: list[LandedFile | None] = []
    jobs: list[tuple[Path, Callable[[], LandedFile]]] = []
    slots: list[int] = []
    for path, verdict in verdicts:
        if verdict.kind == "unknown":
            files.append(_ignored(path, "unknown", verdict.message))
            continue
        ordinal = None
        if verdict.kind == "cohort":
            assert verdict.cohort_code is not None
            ordinals[verdict.cohort_code] = ordinal = ordinals.get(verdict.cohort_code, 0) + 1
        base = {
            "name": path.name,
            "kind": verdict.kind,
            "cohort_code": verdict.cohort_code,
            "file_ordinal": ordinal,
        }
        if verdict.kind in _REFERENCE_SPECS and reference_counts[verdict.kind] > 1:
            sha = scan_file(path, detect_encoding=False).sha256
            files.append(
                LandedFile(
                    **base,
                    sha256=sha,
                    status="error",
                    rows_read=0,
                    raw_path=None,
                    message=f"more than one _{verdict.kind} file "
                    "in the period folder: keep exactly one (.csv or .parquet)",
                )
            )
            continue
        spec = (
            cohort_spec(verdict.cohort_code)
            if verdict.kind == "cohort"
            else _REFERENCE_SPECS[verdict.kind]
        )
        slots.append(len(files))
        files.append(None)
        jobs.append((path, _reader(path, spec, out_dir, base)))

    opening = _opening_members(Path(landing), out_dir)
    if isinstance(opening, list):
        files.extend(opening)
    else:
        slots.append(len(files))
        files.append(None)
        jobs.append(opening)
    for slot, landed in zip(slots, _run_reads(jobs), strict=True):
        files[slot] = landed
    done = [f for f in files if f is not None]

    def ok_path(kind: str) -> str | None:
        return next((f.raw_path for f in done if f.kind == kind and f.status == "ok"), None)

    report = IngestReport(
        period=period,
        files=done,
        dtsen_path=ok_path("dtsen"),
        bpjs_active_path=ok_path("bpjs_active"),
        opening_members_path=ok_path("opening_members"),
    )
    report.write(out_dir)
    return report


def _reader(
    path: Path, spec: TableSpec, out_dir: Path, base: dict[str, object]
) -> Callable[[], LandedFile]:
    return lambda: _read_one(path, spec, out_dir, base)


def _opening_members(
    landing: Path, out_dir: Path
) -> list[LandedFile] | tuple[Path, Callable[[], LandedFile]]:
    """`<landing>/_opening_members.(csv|parquet)` at the landing root, if present: the read to
    run, or the report entries when there is nothing to read (none, or more than one)."""
    candidates = sorted(
        p
        for p in landing.iterdir()
        if p.is_file()
        and p.stem.lower() == OPENING_STEM
        and p.suffix.lower().lstrip(".") in REFERENCE_EXTS
    )
    if not candidates:
        return []
    base = {"kind": "opening_members", "cohort_code": None, "file_ordinal": None}
    if len(candidates) > 1:
        return [
            LandedFile(
                **base,
                name=p.name,
                sha256=scan_file(p, False).sha256,
                status="error",
                rows_read=0,
                raw_path=None,
                message="more than one _opening_members file at the landing root: keep exactly one",
            )
            for p in candidates
        ]
    path = candidates[0]
    return path, _reader(path, OPENING_SPEC, out_dir, {**base, "name": path.name})
