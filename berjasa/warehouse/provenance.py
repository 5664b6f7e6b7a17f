"""What a publication was made from, as recorded in `publication_log`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from berjasa import duck
from berjasa.config import REPO_ROOT


@dataclass(frozen=True)
class InputFile:
    name: str
    sha256: str


@cache
def code_version() -> str:
    """`git describe` of the repository when available, else the installed package version."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        if out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("berjasa")
    except PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class Provenance:
    input_files: tuple[InputFile, ...] = ()
    dtsen_file: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    code_version: str = field(default_factory=code_version)

    def input_files_json(self) -> str:
        """Stable JSON (sorted by name) so re-publishing the same inputs logs the same text."""
        items = sorted(
            ({"name": f.name, "sha256": f.sha256} for f in self.input_files),
            key=lambda item: (item["name"], item["sha256"]),
        )
        return json.dumps(items, ensure_ascii=False, separators=(",", ":"))


def provenance_from_source(
    source_db: Path, period: dt.date, *, dtsen_file: str | None = None
) -> Provenance:
    """Convenience: input files and row counts as dbt recorded them (source_file_stats)."""
    con = duck.connect(str(source_db), read_only=True)
    try:
        files = con.execute(
            "select source_file, file_sha256 from berjasa.source_file_stats"
            " where period = ? order by 1, 2",
            [period],
        ).fetchall()
        read, accepted, rejected = con.execute(
            "select coalesce(sum(rows_read), 0), coalesce(sum(rows_accepted), 0),"
            " coalesce(sum(rows_rejected), 0) from berjasa.source_file_stats where period = ?",
            [period],
        ).fetchone()
    finally:
        con.close()
    return Provenance(
        input_files=tuple(InputFile(str(n), str(s)) for n, s in files),
        dtsen_file=dtsen_file,
        rows_read=int(read),
        rows_accepted=int(accepted),
        rows_rejected=int(rejected),
    )
