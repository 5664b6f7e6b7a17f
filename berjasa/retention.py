"""Retention of the raw layer: `raw/<YYYY-MM>/` holds raw NIKs and names, so it is not kept
forever (UU 27/2022: no longer than needed). Validated, pseudonymised data is not touched.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from berjasa.config import Settings
from berjasa.periods import format_period, parse_period, shift_period

_PERIOD_DIR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def purge_raw_layer(
    settings: Settings, keep_months: int | None = None, today_period: str | None = None
) -> list[Path]:
    """Delete `raw/<YYYY-MM>/` folders older than the `keep_months` months ending at
    `today_period` (default: the current month; pass it explicitly to be deterministic).

    With today 2026-12 and 24 months, 2025-01 .. 2026-12 are kept and 2024-12 and older go.
    Folders whose name is not a period are left alone. Returns the deleted folders, oldest first.
    """
    keep = settings.raw_retention_months if keep_months is None else keep_months
    if keep < 1:
        raise ValueError("keep_months must be at least 1 (the current period is always kept)")
    today = today_period or format_period(dt.date.today())
    oldest_kept = parse_period(shift_period(today, -(keep - 1)))
    raw = settings.raw_dir
    if not raw.is_dir():
        return []
    deleted: list[Path] = []
    for folder in sorted(p for p in raw.iterdir() if p.is_dir() and _PERIOD_DIR.match(p.name)):
        if parse_period(folder.name) < oldest_kept:
            shutil.rmtree(folder)
            deleted.append(folder)
    return deleted
