"""Facts read back from the validated layer for run metadata (no person-level values)."""

from __future__ import annotations

from pathlib import Path


def dtsen_extract_used(validated_dir: Path, period: str) -> str | None:
    """The DTSEN extract a period uses (SPEC §2): its own, else the latest earlier one, as
    `YYYY-MM/_dtsen` (None when there is none on or before the period)."""
    extracts = sorted(
        p.stem for p in (validated_dir / "dtsen").glob("*.parquet") if p.stem <= period
    )
    return f"{extracts[-1]}/_dtsen" if extracts else None
