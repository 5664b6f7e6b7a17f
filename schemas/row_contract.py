"""Row contract: SPEC §3's row-local rules as a Pandera schema over normalised rows.

Every check is named by its reason code (`Check.name`) and carries the rejected field and rule
as its error text (`reason_detail`: the field and the rule, never the value). The schema is run
with `validate(lazy=True)` so all failures of all rows are collected; the failure cases' value
column is dropped immediately (it may hold PII) and each row keeps the FIRST reason in the
precedence order of `berjasa.seeds.reason_codes()`; within one reason, the first check listed.

The 65+ new-registration rule needs history (was the person billed before?) and lives in dbt;
here only the age floor (`min_age` of cohorts.csv) is checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa_schema
import pyarrow as pa
from pandera.errors import SchemaErrors

from berjasa import seeds
from berjasa.periods import parse_period
from schemas.normalise import cohort_rules, youngest_birth_date

# Columns of the normalised table the contract looks at (no PII among them).
CONTRACT_COLUMNS: tuple[str, ...] = (
    "nik_status",
    "nama_present",
    "date_status",
    "birth_date",
    "sex_status",
    "nik_dob_match",
    "area_status",
    "wage_status",
)

_TEXT = pd.ArrowDtype(pa.string())
_BOOL = pd.ArrowDtype(pa.bool_())
_DATE = pd.ArrowDtype(pa.date32())

XLSX_NUMBER_DETAIL = "nik: XLSX number cell (15 significant digits) - format the column as Text"
NUMBER_COLUMN_DETAIL = "nik: stored as a decimal number (digits may be lost) - store it as text"


class ContractError(RuntimeError):
    """The contract itself failed to run (a bug or a dtype drift), not a data problem."""


@dataclass(frozen=True)
class RuleCheck:
    """One row-local rule: the column it reads, the reason code, the detail text, the test."""

    column: str
    reason_code: str
    detail: str
    # Failing values of the column (status columns) or None for a custom `test` on the column.
    failing_status: str | None = None
    test: object = None  # callable(pd.Series) -> boolean Series, True = row passes


def _status_is_not(value: str):
    return lambda s: s != value


def rule_checks(cohort_code: str, period: str) -> list[RuleCheck]:
    """The checks in evaluation order (within one reason code, earlier = reported first)."""
    rules = cohort_rules(cohort_code)
    start = parse_period(period)
    youngest = youngest_birth_date(period, rules.min_age)
    return [
        RuleCheck("nik_status", "missing_field", "nik: empty", "missing"),
        RuleCheck("nama_present", "missing_field", "nama: empty", test=lambda s: s),
        RuleCheck("date_status", "missing_field", "tanggal_lahir: empty", "missing"),
        RuleCheck("sex_status", "missing_field", "jenis_kelamin: empty", "missing"),
        RuleCheck(
            "sex_status",
            "missing_field",
            "jenis_kelamin: not L/P/Laki-laki/Perempuan",
            "unrecognised",
        ),
        RuleCheck("area_status", "missing_field", "kecamatan: empty", "kecamatan_missing"),
        RuleCheck("area_status", "missing_field", "kelurahan: empty", "kelurahan_missing"),
        RuleCheck("nik_status", "nik_format", XLSX_NUMBER_DETAIL, "number_cell"),
        RuleCheck("nik_status", "nik_format", NUMBER_COLUMN_DETAIL, "number_column"),
        RuleCheck(
            "nik_status",
            "nik_format",
            "nik: scientific notation - format the column as Text",
            "scientific",
        ),
        RuleCheck("nik_status", "nik_format", "nik: not 16 digits", "not_16_digits"),
        RuleCheck("nik_status", "nik_format", "nik: serial (last 4 digits) 0000", "serial_0000"),
        RuleCheck(
            "date_status",
            "invalid_date",
            "tanggal_lahir: not a date (YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY)",
            "unparseable",
        ),
        RuleCheck(
            "birth_date",
            "invalid_date",
            "tanggal_lahir: after period start",
            test=lambda s: s <= start,
        ),
        RuleCheck(
            "nik_dob_match",
            "nik_birthdate_mismatch",
            "nik: digits 7-12 do not match tanggal_lahir/jenis_kelamin",
            test=lambda s: s,
        ),
        RuleCheck(
            "area_status",
            "unknown_area",
            "kecamatan: not in Makassar reference",
            "kecamatan_unknown",
        ),
        RuleCheck(
            "area_status",
            "unknown_area",
            "kelurahan: not in Makassar reference",
            "kelurahan_unknown",
        ),
        RuleCheck(
            "area_status",
            "unknown_area",
            "kelurahan: not in kecamatan",
            "kelurahan_not_in_kecamatan",
        ),
        RuleCheck("wage_status", "wage_missing", "upah: empty", "missing"),
        RuleCheck("wage_status", "wage_missing", "upah: not a whole rupiah amount", "unparseable"),
        RuleCheck("wage_status", "wage_missing", "upah: zero or negative", "not_positive"),
        RuleCheck(
            "birth_date",
            "age_out_of_range",
            f"tanggal_lahir: younger than {rules.min_age} on period start",
            test=lambda s: s <= youngest,
        ),
    ]


_DTYPES = {
    "nik_status": _TEXT,
    "nama_present": _BOOL,
    "date_status": _TEXT,
    "birth_date": _DATE,
    "sex_status": _TEXT,
    "nik_dob_match": _BOOL,
    "area_status": _TEXT,
    "wage_status": _TEXT,
}
_NULLABLE = {"birth_date", "nik_dob_match"}


def build_row_schema(cohort_code: str, period: str) -> pa_schema.DataFrameSchema:
    """The Pandera schema of one cohort's rows in one period (checks named by reason code)."""
    known = set(seeds.reason_codes()["reason_code"])
    checks: dict[str, list[pa_schema.Check]] = {name: [] for name in CONTRACT_COLUMNS}
    for rule in rule_checks(cohort_code, period):
        if rule.reason_code not in known:
            raise ContractError(f"reason code {rule.reason_code!r} missing from reason_codes.csv")
        test = rule.test if rule.test is not None else _status_is_not(rule.failing_status)
        checks[rule.column].append(
            pa_schema.Check(test, name=rule.reason_code, error=rule.detail, ignore_na=True)
        )
    columns = {
        name: pa_schema.Column(
            _DTYPES[name], nullable=name in _NULLABLE, checks=checks[name], coerce=False
        )
        for name in CONTRACT_COLUMNS
    }
    return pa_schema.DataFrameSchema(
        columns, name=f"row_contract[{cohort_code}]", strict=False, ordered=False
    )


def _rank_table(cohort_code: str, period: str) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Detail text -> rank (lower wins), and rank -> (reason_code, reason_detail)."""
    precedence = dict(
        zip(
            seeds.reason_codes()["reason_code"],
            seeds.reason_codes()["precedence"],
            strict=True,
        )
    )
    rules = rule_checks(cohort_code, period)
    ordered = sorted(enumerate(rules), key=lambda item: (precedence[item[1].reason_code], item[0]))
    ranks = {rule.detail: rank for rank, (_, rule) in enumerate(ordered)}
    labels = [(rule.reason_code, rule.detail) for _, rule in ordered]
    return ranks, labels


def first_reasons(normalised: pa.Table, cohort_code: str, period: str) -> tuple[pa.Array, pa.Array]:
    """Run the contract on a normalised batch; per row the winning (reason_code, reason_detail),
    both null for an accepted row."""
    n = normalised.num_rows
    frame = normalised.select(list(CONTRACT_COLUMNS)).to_pandas(types_mapper=pd.ArrowDtype)
    frame.index = pd.RangeIndex(n)
    schema = build_row_schema(cohort_code, period)
    ranks, labels = _rank_table(cohort_code, period)
    best = np.full(n, len(labels), dtype=np.int64)
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        failures = errors.failure_cases.drop(columns=["failure_case"])  # holds raw values: PII
        rank = failures["check"].map(ranks)
        unexpected = rank.isna() | failures["index"].isna()
        if unexpected.any():
            checks = sorted(set(failures.loc[unexpected, "check"].astype(str)))
            columns = sorted(set(failures.loc[unexpected, "column"].astype(str)))
            raise ContractError(
                f"row contract could not run: checks {checks} on columns {columns}"
            ) from None
        index = failures["index"].to_numpy(dtype=np.int64)
        np.minimum.at(best, index, rank.to_numpy(dtype=np.int64))
    missing = best == len(labels)
    indices = pa.array(best.astype(np.int32), mask=missing)
    codes = pa.DictionaryArray.from_arrays(indices, pa.array([c for c, _ in labels]))
    details = pa.DictionaryArray.from_arrays(indices, pa.array([d for _, d in labels]))
    return codes.cast(pa.string()), details.cast(pa.string())
