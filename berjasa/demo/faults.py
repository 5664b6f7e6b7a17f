"""The injected faults: which row of which file gets which single fault.

Each fault breaks exactly one rule of SPEC §3 so the expected reason is unambiguous. Rows are
drawn per file and month from a hash (a few percent in all), and every fault that the file's
format can carry is also forced at least once (as long as the file is big enough to absorb it
without being held back), so a small demo still shows every reason code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from berjasa.demo.rng import hash64, tag, uniform


@dataclass(frozen=True)
class Fault:
    code: str
    reason: str
    stage: str
    description: str
    rate: float


FAULTS: tuple[Fault, ...] = (
    Fault("empty_nama", "missing_field", "row", "empty nama", 0.0025),
    Fault("empty_kelurahan", "missing_field", "row", "empty kelurahan", 0.0015),
    Fault("bad_sex", "missing_field", "row", "unrecognised jenis_kelamin code", 0.001),
    Fault("nik_wrong_length", "nik_format", "row", "NIK with a wrong number of digits", 0.0015),
    Fault("nik_letter", "nik_format", "row", "NIK containing a letter", 0.001),
    Fault("nik_scientific", "nik_format", "row", "NIK in scientific notation", 0.0003),
    Fault("nik_serial_0000", "nik_format", "row", "NIK serial 0000", 0.001),
    Fault(
        "nik_number_cell",
        "nik_format",
        "row",
        "NIK in an XLSX number cell (16th digit lost)",
        0.0005,
    ),
    Fault(
        "date_impossible", "invalid_date", "row", "impossible calendar date (31 February)", 0.001
    ),
    Fault("date_bare_number", "invalid_date", "row", "birth date as a bare number", 0.0005),
    Fault("date_future", "invalid_date", "row", "birth date after the period start", 0.0004),
    Fault(
        "nik_sex_day",
        "nik_birthdate_mismatch",
        "row",
        "NIK day not adjusted for sex (+40 for women)",
        0.002,
    ),
    Fault(
        "nik_wrong_day",
        "nik_birthdate_mismatch",
        "row",
        "NIK birth day differs from tanggal_lahir",
        0.0015,
    ),
    Fault("kelurahan_misspelt", "unknown_area", "row", "misspelt kelurahan", 0.002),
    Fault(
        "kelurahan_other_kecamatan",
        "unknown_area",
        "row",
        "kelurahan belongs to another kecamatan",
        0.0015,
    ),
    Fault(
        "kecamatan_outside_city",
        "unknown_area",
        "row",
        "kecamatan outside Makassar in a Makassar-only cohort",
        0.0004,
    ),
    Fault("wage_empty", "wage_missing", "row", "empty wage", 0.002),
    Fault("wage_dash", "wage_missing", "row", "wage given as a dash", 0.002),
    Fault("wage_zero", "wage_missing", "row", "zero wage", 0.002),
    Fault("wage_negative", "wage_missing", "row", "negative wage", 0.002),
    Fault("age_14", "age_out_of_range", "row", "aged 14 on the period start", 0.0003),
    Fault("age_65_new", "age_out_of_range", "period", "new registration aged 65 or older", 0.0003),
    Fault(
        "duplicate", "duplicate_in_list", "period", "same NIK as an earlier row of this list", 0.002
    ),
)
FAULT_INDEX = {f.code: i + 1 for i, f in enumerate(FAULTS)}  # 0 = no fault
# Rarer or format-specific faults first, so a small file forces those before the common ones.
_FORCE_ORDER = (
    "nik_number_cell",
    "nik_scientific",
    "wage_empty",
    "wage_dash",
    "wage_zero",
    "wage_negative",
    "age_65_new",
    "age_14",
    "date_bare_number",
    "date_future",
    "date_impossible",
    "kecamatan_outside_city",
    "nik_serial_0000",
    "duplicate",
    "kelurahan_other_kecamatan",
    "kelurahan_misspelt",
    "nik_sex_day",
    "nik_wrong_day",
    "nik_wrong_length",
    "nik_letter",
    "empty_nama",
    "empty_kelurahan",
    "bad_sex",
)
FORCE_SHARE = 0.08  # forced faults never exceed this share of a file's rows
T_FAULT, T_FORCE = tag("fault"), tag("force")


def applicable(cohort: str, fmt: str, nik_int: bool, date_style: str) -> list[str]:
    """Fault codes a file of this shape can carry."""
    codes = []
    for fault in FAULTS:
        code = fault.code
        if code.startswith("wage_") and cohort != "non_asn":
            continue
        if code == "kecamatan_outside_city" and cohort == "non_asn":
            continue  # accepted as "luar Makassar" for city employees
        if code == "nik_number_cell" and fmt != "xlsx":
            continue
        if code in ("nik_letter", "nik_scientific") and nik_int:
            continue
        if code in ("date_impossible", "date_bare_number") and date_style == "date32":
            continue
        if code == "age_65_new" and cohort == "pekerja_rentan":
            continue
        codes.append(code)
    return codes


def assign_kinds(
    seed: int, m: int, file_key: int, start: int, n: int, codes: list[str], protected: np.ndarray
) -> np.ndarray:
    """Fault index (0 = none) for each of the file's n rows (cohort positions start..start+n)."""
    rows = np.arange(start, start + n, dtype=np.int64)
    u = uniform(seed, T_FAULT, file_key, m, rows)
    kind = np.zeros(n, dtype=np.int8)
    low = 0.0
    for code in codes:
        rate = FAULTS[FAULT_INDEX[code] - 1].rate
        kind[(u >= low) & (u < low + rate)] = FAULT_INDEX[code]
        low += rate
    n_force = min(len(codes), int(n * FORCE_SHARE))
    if n_force:
        order = np.argsort(hash64(seed, T_FORCE, file_key, m, rows), kind="stable")
        order = order[~protected[order]]
        forced = [c for c in _FORCE_ORDER if c in codes][:n_force]
        # Skip the first rows so that a forced duplicate has an earlier row to copy.
        order = order[order >= 3]
        for position, code in zip(order, forced, strict=False):
            kind[position] = FAULT_INDEX[code]
    kind[protected] = 0
    return kind


def duplicate_sources(
    seed: int,
    m: int,
    cohort_key: int,
    kind: np.ndarray,
    protected: np.ndarray,
    file_break: int | None = None,
) -> np.ndarray:
    """For each `duplicate` row, the earlier clean row whose person it repeats (-1 otherwise).
    A duplicate with no clean row before it is dropped (its kind reset to 0 in place). With
    `file_break` (first position of a cohort's second file), one row just after the break
    repeats a row of the first file: a duplicate across the two files of a split list."""
    n = len(kind)
    source = np.full(n, -1, dtype=np.int64)
    idx = np.arange(n, dtype=np.int64)
    clean = (kind == 0) & ~protected
    last_clean = np.maximum.accumulate(np.where(clean, idx, -1))
    if file_break is not None and 0 < file_break < n - 2:
        row = file_break + 1
        if not protected[row] and last_clean[file_break - 1] >= 0:
            kind[row] = FAULT_INDEX["duplicate"]
            source[row] = last_clean[file_break - 1]
            clean[row] = False
            last_clean = np.maximum.accumulate(np.where(clean, idx, -1))
    dup_rows = np.nonzero((kind == FAULT_INDEX["duplicate"]) & (source < 0))[0]
    if len(dup_rows) == 0:
        return source
    back = 1 + (hash64(seed, T_FORCE, cohort_key, m, dup_rows) % np.uint64(500)).astype(np.int64)
    probe = np.maximum(dup_rows - back, 0)
    candidate = np.where(dup_rows > 0, last_clean[probe], -1)
    candidate = np.where(candidate < dup_rows, candidate, -1)
    source[dup_rows] = candidate
    kind[dup_rows[candidate < 0]] = 0
    return source
