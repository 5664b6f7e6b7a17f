"""Counts read back from the validated layer (ARCHITECTURE.md schemas A, R, F), for run
metadata and checks. Aggregates only: nothing here returns a person-level value."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class FileStats:
    cohort_code: str
    source_file: str
    file_status: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rejects_by_reason: dict[str, int]

    @property
    def balanced(self) -> bool:
        """The SPEC §3 invariant at the row-contract stage: read = accepted + rejected."""
        return self.file_status != "ok" or self.rows_read == self.rows_accepted + self.rows_rejected


def validated_file_stats(validated_dir: Path, period: str) -> list[FileStats]:
    folder = validated_dir / period
    con = duckdb.connect()
    try:
        files = con.execute(
            "select cohort_code, source_file, file_status, rows_read from read_parquet(?) "
            "order by cohort_code, file_ordinal",
            [str(folder / "source_files.parquet")],
        ).fetchall()
        accepted = dict(
            con.execute(
                "select source_file, count(*) from read_parquet(?) group by 1",
                [str(folder / "accepted.parquet")],
            ).fetchall()
        )
        rejected: dict[str, dict[str, int]] = {}
        for source_file, reason, n in con.execute(
            "select source_file, reason_code, count(*) from read_parquet(?) group by 1, 2",
            [str(folder / "rejected.parquet")],
        ).fetchall():
            rejected.setdefault(source_file, {})[reason] = n
    finally:
        con.close()
    return [
        FileStats(
            cohort_code=cohort,
            source_file=name,
            file_status=status,
            rows_read=int(read or 0),
            rows_accepted=int(accepted.get(name, 0)),
            rows_rejected=sum(rejected.get(name, {}).values()),
            rejects_by_reason=dict(sorted(rejected.get(name, {}).items())),
        )
        for cohort, name, status, read in files
    ]


def total_rejects_by_reason(stats: list[FileStats]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for item in stats:
        for reason, n in item.rejects_by_reason.items():
            totals[reason] = totals.get(reason, 0) + n
    return dict(sorted(totals.items()))


def dtsen_extract_used(validated_dir: Path, period: str) -> str | None:
    """The DTSEN extract a period uses (SPEC §2): its own, else the latest earlier one, as
    `YYYY-MM/_dtsen` (None when there is none on or before the period)."""
    extracts = sorted(
        p.stem for p in (validated_dir / "dtsen").glob("*.parquet") if p.stem <= period
    )
    return f"{extracts[-1]}/_dtsen" if extracts else None
