"""What a file in a landing folder is, judged by its name alone (SPEC §2).

`<cohort_code>.<ext>` or `<cohort_code>__<anything>.<ext>` (ext csv/xlsx/parquet in any case) is a
cohort list; `_dtsen` / `_bpjs_active` (csv/parquet) are reference inputs; anything else is
reported with what to do, never silently skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COHORT_EXTS = ("csv", "xlsx", "parquet")
REFERENCE_EXTS = ("csv", "parquet")
REFERENCE_KINDS = {"_dtsen": "dtsen", "_bpjs_active": "bpjs_active"}
OPENING_STEM = "_opening_members"

_SPLIT = re.compile(r"^(?P<stem>.*)\.(?P<ext>[^.]+)$")


@dataclass(frozen=True)
class NameVerdict:
    kind: str  # 'cohort' | 'dtsen' | 'bpjs_active' | 'unknown'
    cohort_code: str | None
    ext: str | None  # lower-case extension of a readable file
    message: str  # empty when the name is fine


def _cohort_naming_hint(cohort_codes: list[str]) -> str:
    return (
        "name cohort files <cohort_code>.csv|.xlsx|.parquet or <cohort_code>__<anything>.<ext> "
        f"with cohort_code one of: {', '.join(cohort_codes)}"
    )


def _unknown(message: str) -> NameVerdict:
    return NameVerdict("unknown", None, None, message)


def classify_name(name: str, cohort_codes: list[str], is_dir: bool = False) -> NameVerdict:
    """Classify one entry of `<landing>/<YYYY-MM>/`; the message says what to do when unusable."""
    if is_dir:
        return _unknown(
            "is a folder: sub-folders are not read; put the files directly in the period folder"
        )
    if name.startswith("~$") or name.startswith("."):
        return _unknown(
            "hidden or temporary file (e.g. an Excel lock file): close the program "
            "that holds it or delete it"
        )
    match = _SPLIT.match(name)
    stem, ext = (match["stem"], match["ext"].lower()) if match else (name, "")
    if stem.startswith("_"):
        return _classify_reference(stem, ext)
    cohort = _cohort_of(stem, cohort_codes)
    if cohort is not None:
        if ext in COHORT_EXTS:
            return NameVerdict("cohort", cohort, ext, "")
        if ext == "xls":
            return _unknown(
                "old Excel format (.xls) is not read: open it in Excel and save as "
                ".xlsx (Excel Workbook) or as CSV"
            )
        return _unknown(f"extension '.{ext}' is not read: save the list as .csv, .xlsx or .parquet")
    near = _near_miss(stem, cohort_codes)
    if near is not None:
        code, rest = near
        suggestion = f"{code}__{rest}.{ext or 'csv'}" if rest else f"{code}.{ext or 'csv'}"
        return _unknown(
            f"name does not match a cohort: rename it to {suggestion} "
            "(two underscores after the cohort code)"
        )
    hint = _cohort_naming_hint(cohort_codes)
    if ext == "xls":
        return _unknown(f"old Excel format (.xls) with an unknown name: save as .xlsx and {hint}")
    return _unknown(
        f"unknown file name: {hint}; reference inputs are _dtsen.csv|.parquet and "
        "_bpjs_active.csv|.parquet"
    )


def _cohort_of(stem: str, cohort_codes: list[str]) -> str | None:
    lowered = stem.lower()
    for code in cohort_codes:
        if lowered == code or lowered.startswith(code + "__"):
            return code
    return None


def _near_miss(stem: str, cohort_codes: list[str]) -> tuple[str, str] | None:
    """`rt_rw_tallo` / `RT-RW tallo` -> ('rt_rw', 'tallo'): a cohort name with a wrong separator."""
    squashed = re.sub(r"[\s\-_.]+", "_", stem.lower()).strip("_")
    for code in sorted(cohort_codes, key=len, reverse=True):
        if squashed == code or squashed.startswith(code + "_"):
            return code, squashed[len(code) :].strip("_")
    return None


def _classify_reference(stem: str, ext: str) -> NameVerdict:
    kind = REFERENCE_KINDS.get(stem.lower())
    if kind is not None:
        if ext in REFERENCE_EXTS:
            return NameVerdict(kind, None, ext, "")
        return _unknown(f"{stem} must be .csv or .parquet: save it as CSV (UTF-8)")
    if stem.lower() == OPENING_STEM:
        return _unknown(
            "the opening member list belongs at the landing root "
            "(<landing>/_opening_members.csv), not in a period folder: move it there"
        )
    return _unknown(
        "unknown reference input (names starting with '_' are reserved): expected "
        "_dtsen.csv|.parquet or _bpjs_active.csv|.parquet"
    )
