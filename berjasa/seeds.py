"""Read the configuration seeds of `dbt_project/seeds/` from Python.

The seeds are the one place where rules and rates are decided; dbt loads them as tables and the
Python contracts read the same files, so a rule is never written twice.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from berjasa.config import SEEDS_DIR

_NON_ALNUM = re.compile(r"[^0-9a-z]")


def normalise_area_name(name: str) -> str:
    """Lower-case and drop every character that is not a letter or digit (SPEC §2)."""
    return _NON_ALNUM.sub("", name.lower())


@cache
def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS_DIR / f"{name}.csv", dtype=str, keep_default_na=False)


def cohorts() -> pd.DataFrame:
    """One row per cohort: scheme, priority, max_desil, min_age, max_new_age, ..."""
    frame = _read("cohorts").copy()
    for column in ("priority", "min_age", "max_new_age"):
        frame[column] = frame[column].astype(int)
    return frame


def cohort_codes() -> list[str]:
    return list(cohorts().sort_values("priority")["cohort_code"])


def reason_codes() -> pd.DataFrame:
    """Reason codes in precedence order, with Indonesian (`label_id`) and English labels."""
    frame = _read("reason_codes").copy()
    frame["precedence"] = frame["precedence"].astype(int)
    return frame.sort_values("precedence").reset_index(drop=True)


def wilayah() -> pd.DataFrame:
    """Kemendagri reference with normalised names for matching."""
    frame = _read("ref_wilayah").copy()
    frame["kecamatan_norm"] = frame["kecamatan"].map(normalise_area_name)
    frame["kelurahan_norm"] = frame["kelurahan"].map(normalise_area_name)
    return frame
