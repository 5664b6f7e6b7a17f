"""Periods are calendar months, written `YYYY-MM`; as a date they are the first of the month."""

from __future__ import annotations

import datetime as dt
import re

_PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class PeriodError(ValueError):
    pass


def parse_period(text: str) -> dt.date:
    """`2025-03` -> date(2025, 3, 1); anything else raises PeriodError with a readable message."""
    match = _PERIOD_RE.match(text.strip())
    if not match:
        raise PeriodError(f"period must be YYYY-MM (e.g. 2025-03), got {text!r}")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def format_period(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def shift_period(period: str, months: int) -> str:
    return format_period(add_months(parse_period(period), months))
