"""Ingest one period: every file of `<landing>/<YYYY-MM>/` into the immutable raw layer.

Files are handled one at a time (never two big ones in memory) in name order. A bad file is
recorded in the report with what to do and the others go on; only a missing landing folder or a
bad period stops the whole ingest.
"""

from __future__ import annotations

import logging
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


def _read_one(path: Path, spec: TableSpec, out_dir: Path, base: dict[str, object]) -> LandedFile:
    facts = scan_file(path, detect_encoding=path.suffix.lower() == ".csv")
    raw_path = out_dir / f"{facts.sha256}.parquet"
    try:
        rows = write_raw(path, spec, facts, raw_path)
    except FileLevelError as error:
        log.warning("ingest: %s", error)
        return LandedFile(**base, sha256=facts.sha256, status="error", message=error.problem
                          if error.row is None else f"row {error.row}: {error.problem}",
                          rows_read=0, raw_path=None)
    log.info("ingest: %s -> %s rows", path.name, rows)
    return LandedFile(**base, sha256=facts.sha256, status="ok", message="", rows_read=rows,
                      raw_path=str(raw_path))


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

    files: list[LandedFile] = []
    for path, verdict in verdicts:
        if verdict.kind == "unknown":
            files.append(_ignored(path, "unknown", verdict.message))
            continue
        ordinal = None
        if verdict.kind == "cohort":
            assert verdict.cohort_code is not None
            ordinals[verdict.cohort_code] = ordinal = ordinals.get(verdict.cohort_code, 0) + 1
        base = {"name": path.name, "kind": verdict.kind, "cohort_code": verdict.cohort_code,
                "file_ordinal": ordinal}
        if verdict.kind in _REFERENCE_SPECS and reference_counts[verdict.kind] > 1:
            sha = scan_file(path, detect_encoding=False).sha256
            files.append(LandedFile(**base, sha256=sha, status="error", rows_read=0,
                                    raw_path=None, message=f"more than one _{verdict.kind} file "
                                    "in the period folder: keep exactly one (.csv or .parquet)"))
            continue
        spec = cohort_spec(verdict.cohort_code) if verdict.kind == "cohort" else \
            _REFERENCE_SPECS[verdict.kind]
        files.append(_read_one(path, spec, out_dir, base))

    opening, opening_path = _opening_members(Path(landing), out_dir)
    files.extend(opening)

    def ok_path(kind: str) -> str | None:
        return next((f.raw_path for f in files if f.kind == kind and f.status == "ok"), None)

    report = IngestReport(
        period=period,
        files=files,
        dtsen_path=ok_path("dtsen"),
        bpjs_active_path=ok_path("bpjs_active"),
        opening_members_path=opening_path,
    )
    report.write(out_dir)
    return report


def _opening_members(landing: Path, out_dir: Path) -> tuple[list[LandedFile], str | None]:
    """`<landing>/_opening_members.(csv|parquet)` at the landing root, if present."""
    candidates = sorted(
        p for p in landing.iterdir()
        if p.is_file() and p.stem.lower() == OPENING_STEM
        and p.suffix.lower().lstrip(".") in REFERENCE_EXTS
    )
    if not candidates:
        return [], None
    base = {"kind": "opening_members", "cohort_code": None, "file_ordinal": None}
    if len(candidates) > 1:
        return [LandedFile(**base, name=p.name, sha256=scan_file(p, False).sha256,
                           status="error", rows_read=0, raw_path=None,
                           message="more than one _opening_members file at the landing root: "
                           "keep exactly one") for p in candidates], None
    landed = _read_one(candidates[0], OPENING_SPEC, out_dir, {**base, "name": candidates[0].name})
    return [landed], landed.raw_path
