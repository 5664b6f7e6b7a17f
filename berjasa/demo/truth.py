"""The expected outcome of every written row, from how the row was made (not by validating it).

Row-stage reasons come straight from the injected fault. Period-stage reasons need the period's
context and are derived here from the generator's own knowledge:

* age 65+: only the fixed seniors and the injected new registrations are that old. A senior is
  *continuing* when billed in one of the three months before — assuming every month generated
  into this landing folder (one with a truth file) was published — or when the opening list
  says so; otherwise the row is a new registration aged 65+ and rejected.
* DTSEN: joined against the extract the pipeline will actually use (latest on or before the
  period), with its rules: invalid rows skipped, a NIK listed twice takes its highest desil.
* duplicates: among rows that pass everything else, the first occurrence of a NIK in the
  cohort's list (files in name order) is kept and later ones are rejected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from berjasa.demo.faults import FAULTS
from berjasa.demo.population import Population, age_on
from berjasa.demo.references import first_of, read_opening_members

REASONS = (
    "missing_field",
    "nik_format",
    "invalid_date",
    "nik_birthdate_mismatch",
    "unknown_area",
    "wage_missing",
    "age_out_of_range",
    "not_in_dtsen",
    "desil_too_high",
    "duplicate_in_list",
)
PERIOD_DESCRIPTION = {
    "age_out_of_range": "aged 65 or older and not billed in the three months before",
    "not_in_dtsen": "person absent from the DTSEN extract in use",
    "desil_too_high": "DTSEN desil above 5",
    "duplicate_in_list": "same NIK as an earlier row of this list",
}
OK = -1  # reason index of an accepted row


def row_stage_reason(kind: np.ndarray) -> np.ndarray:
    """Reason index (into REASONS) decided by the row alone, OK otherwise."""
    table = np.full(len(FAULTS) + 1, OK, dtype=np.int64)
    for i, fault in enumerate(FAULTS, start=1):
        if fault.stage == "row":
            table[i] = REASONS.index(fault.reason)
    return table[kind]


class Continuity:
    """Who counts as continuing (billed in one of the three months before) for the age rule."""

    def __init__(self, landing: Path, population: Population, m: int) -> None:
        self.landing = landing
        self.pop = population
        self.m = m
        self.opening_path: Path | None = None
        for name in ("_opening_members.csv", "_opening_members.parquet"):
            if (landing / name).exists():
                self.opening_path = landing / name
                break
        self.opening: tuple[np.ndarray, np.ndarray] | None = None
        self._memo: dict[tuple[int, int], bool] = {}
        year = m // 12
        self.eras = np.arange(year - 3, year + 6)  # every senior that can be listed near m
        self.senior_niks = population.senior_persons(self.eras).nik

    def _load_opening(self, candidates: np.ndarray) -> None:
        if self.opening_path is not None:
            self.opening = read_opening_members(
                self.opening_path, np.concatenate([candidates, self.senior_niks])
            )

    def _generated(self, month: int) -> bool:
        period = f"{month // 12:04d}-{month % 12 + 1:02d}"
        return month < self.m and (self.landing / "_truth" / f"{period}.parquet").exists()

    def _in_opening(self, nik: np.ndarray, month: int) -> np.ndarray:
        if self.opening is None:
            return np.zeros(len(nik), dtype=bool)
        o_nik, o_month = self.opening
        window = (o_month >= month - 3) & (o_month <= month - 1)
        return np.isin(nik, o_nik[window])

    def _senior_billed(self, era: int, month: int) -> bool:
        key = (era, month)
        if key not in self._memo:
            present = (era - 2) * 12 <= month <= era * 12 + 11
            billed = present and self._generated(month)
            if billed:
                senior = self.pop.senior_persons(np.array([era]))
                if age_on(senior.dob, first_of(month))[0] >= 65:
                    billed = self._senior_continuing(era, month)
            self._memo[key] = billed
        return self._memo[key]

    def _senior_continuing(self, era: int, month: int) -> bool:
        senior = self.pop.senior_persons(np.array([era]))
        if self._in_opening(senior.nik, month)[0]:
            return True
        return any(self._senior_billed(era, month - k) for k in (1, 2, 3))

    def continuing(self, nik: np.ndarray) -> np.ndarray:
        self._load_opening(nik)
        result = self._in_opening(nik, self.m)
        for era, senior_nik in zip(self.eras, self.senior_niks, strict=True):
            hit = nik == senior_nik
            if hit.any() and self._senior_continuing(int(era), self.m):
                result |= hit
        return result


def resolve(
    reason: np.ndarray,
    cohort: np.ndarray,
    nik: np.ndarray,
    age: np.ndarray,
    rentan_code: int,
    continuity: Continuity,
    dtsen: tuple[np.ndarray, np.ndarray] | None,
) -> np.ndarray:
    """Apply the period-stage rules, in precedence order, to the rows still OK."""
    reason = reason.copy()
    old = np.nonzero((reason == OK) & (age >= 65))[0]
    if len(old):
        reason[old[~continuity.continuing(nik[old])]] = REASONS.index("age_out_of_range")
    rentan = np.nonzero((reason == OK) & (cohort == rentan_code))[0]
    if len(rentan):
        if dtsen is None:
            known = np.zeros(len(rentan), dtype=bool)
            desil = np.zeros(len(rentan), dtype=np.int64)
        else:
            d_nik, d_desil = dtsen
            pos = np.clip(np.searchsorted(d_nik, nik[rentan]), 0, max(len(d_nik) - 1, 0))
            known = (d_nik[pos] == nik[rentan]) if len(d_nik) else np.zeros(len(rentan), bool)
            desil = np.where(known, d_desil[pos] if len(d_nik) else 0, 0)
        reason[rentan[~known]] = REASONS.index("not_in_dtsen")
        reason[rentan[known & (desil > 5)]] = REASONS.index("desil_too_high")
    ok = np.nonzero(reason == OK)[0]
    # Rows are in list order (cohort, file name, row); a stable sort keeps it within a key.
    key = cohort[ok].astype(np.int64) * 10**17 + nik[ok]
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    repeat = np.zeros(len(ok), dtype=bool)
    repeat[order[1:]] = sorted_key[1:] == sorted_key[:-1]
    reason[ok[repeat]] = REASONS.index("duplicate_in_list")
    return reason


def descriptions(kind: np.ndarray, reason: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Index into a label list of the short English description of why each row is expected
    to be rejected (-1 when accepted): the injected fault when it decides the outcome, else
    the period rule that does."""
    kind_reason = np.array([-2] + [REASONS.index(f.reason) for f in FAULTS], dtype=np.int64)
    labels = [f.description for f in FAULTS]
    labels += [PERIOD_DESCRIPTION.get(r, r) for r in REASONS]
    own = (kind > 0) & (kind_reason[kind] == reason)
    index = np.where(own, kind.astype(np.int64) - 1, len(FAULTS) + reason)
    unique = list(dict.fromkeys(labels))  # a dictionary column needs distinct values
    remap = np.array([unique.index(label) for label in labels], dtype=np.int64)
    return np.where(reason == OK, -1, remap[np.maximum(index, 0)]), unique
