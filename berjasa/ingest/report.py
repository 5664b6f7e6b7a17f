"""The ingest report: every file found in a period's landing folder, what it is, whether it was
read, and where its raw table is. Written beside the raw files as `_ingest_report.json` so the
validation step (and a person) can see exactly what was landed, by name and SHA-256."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPORT_NAME = "_ingest_report.json"


@dataclass(frozen=True)
class LandedFile:
    name: str
    kind: str  # 'cohort' | 'dtsen' | 'bpjs_active' | 'opening_members' | 'unknown'
    cohort_code: str | None
    file_ordinal: int | None  # 1..n within the cohort's list, by file name
    sha256: str
    status: str  # 'ok' | 'error' | 'ignored'
    message: str  # what is wrong and what to do; '' when ok
    rows_read: int  # non-blank records; 0 unless ok
    raw_path: str | None  # raw Parquet (string path) when ok


@dataclass(frozen=True)
class IngestReport:
    period: str
    files: list[LandedFile] = field(default_factory=list)
    dtsen_path: str | None = None
    bpjs_active_path: str | None = None
    opening_members_path: str | None = None

    def cohort_files(self, cohort_code: str) -> list[LandedFile]:
        """The cohort's list, in file-name order (file_ordinal 1..n), error files included."""
        files = [f for f in self.files if f.kind == "cohort" and f.cohort_code == cohort_code]
        return sorted(files, key=lambda f: f.file_ordinal or 0)

    def cohorts_with_files(self) -> list[str]:
        return sorted({f.cohort_code for f in self.files if f.kind == "cohort" and f.cohort_code})

    def unreadable_cohorts(self) -> list[str]:
        """Cohorts with at least one file-level error: the whole cohort is unreadable (SPEC §3)."""
        return sorted(
            {
                f.cohort_code
                for f in self.files
                if f.kind == "cohort" and f.status == "error" and f.cohort_code
            }
        )

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> IngestReport:
        files = [LandedFile(**f) for f in data.get("files", [])]  # type: ignore[union-attr]
        return cls(
            period=str(data["period"]),
            files=files,
            dtsen_path=data.get("dtsen_path"),  # type: ignore[arg-type]
            bpjs_active_path=data.get("bpjs_active_path"),  # type: ignore[arg-type]
            opening_members_path=data.get("opening_members_path"),  # type: ignore[arg-type]
        )

    def write(self, raw_period_dir: Path) -> Path:
        target = raw_period_dir / REPORT_NAME
        tmp = target.with_name(f".{REPORT_NAME}.{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        os.replace(tmp, target)
        return target


def load_ingest_report(raw_dir: Path, period: str) -> IngestReport:
    """The report `ingest_period` wrote for `period` under `raw_dir`."""
    path = Path(raw_dir) / period / REPORT_NAME
    return IngestReport.from_dict(json.loads(path.read_text(encoding="utf-8")))
