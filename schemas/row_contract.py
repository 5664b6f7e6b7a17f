"""Row contract: SPEC §3's row-local rules as a Pandera schema over normalised rows.

Every check is named by its reason code (`Check.name`) and carries the rejected field and rule
as its error text (`reason_detail`: the field and the rule, never the value). The schema is run
with `validate(lazy=True)` so all failures of all rows are collected; the failure cases' value
column is dropped immediately (it may hold PII) and each row keeps the FIRST reason in the
precedence order of `berjasa.seeds.reason_codes()`; within one reason, the first check listed.

Every check is a column check (it sees one column's value and nothing else), so whether a row
fails a check depends only on that one value. The schema is therefore run on the DISTINCT values
of each contract column (a million rows hold at most some 15 000 birth dates and a handful of
each status), side by side in one frame, and each row gets the first reason among the checks its
values fail. Pandera still judges every value that occurs, with the same checks; it is just not
asked the same question a million times. Its verdicts are kept per cohort and period (`_Contract`),
so a later batch only sends Pandera the values it has not judged yet.

The 65+ new-registration rule needs history (was the person billed before?) and lives in dbt;
here only the age floor (`min_age` of cohorts.csv) is checked.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa_schema
import pyarrow as pa
import pyarrow.compute as pc
from pandera.errors import SchemaErrors

from berjasa import seeds
from berjasa.periods import parse_period
from schemas.normalise import cohort_rules, value_codes, youngest_birth_date

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


class _Contract:
    """One cohort's row contract in one period: the schema, its reason table, and the verdicts
    Pandera has given so far, per column and distinct value.

    A verdict (the first failed check of a value) depends on nothing but the value, the cohort
    and the period, so each distinct value meets Pandera once per process rather than once per
    batch: a batch with any failing value costs Pandera some 50 ms of failure-case bookkeeping,
    however few the values. Batches of one file are judged on two threads, hence the lock.
    """

    def __init__(self, cohort_code: str, period: str) -> None:
        self.schema = build_row_schema(cohort_code, period)
        if self.schema.checks:  # a check across columns would not be a function of one value
            raise ContractError("row contract checks must be column checks")
        self.ranks, self.labels = _rank_table(cohort_code, period)
        self.passed = len(self.labels)  # the rank of a value no check rejects
        self._values: dict[str, pa.Array] = {}
        self._verdicts: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def judge(self, distinct: dict[str, pa.Array], rows: dict[str, np.ndarray]) -> dict:
        """Per column, the rank of each of its distinct values (`rows`: each row's value index,
        used to pad with a common value); Pandera runs on the values not judged before."""
        with self._lock:
            known = {name: (self._values[name], self._verdicts[name]) for name in self._values}
        verdicts: dict[str, np.ndarray] = {}
        new: dict[str, np.ndarray] = {}
        for name, values in distinct.items():
            seen_values, seen = known.get(name, (None, None))
            if seen_values is None or seen_values.type != values.type:
                position = np.full(len(values), -1, dtype=np.int64)
            else:
                found = pc.index_in(values, value_set=seen_values)
                position = pc.fill_null(found, -1).to_numpy().astype(np.int64)
            found_rank = seen[position] if seen is not None else 0
            verdicts[name] = np.where(position >= 0, found_rank, 0).astype(np.int16)
            new[name] = np.flatnonzero(position < 0)
        if any(len(positions) for positions in new.values()):
            fresh = self._validate(distinct, new, rows, known)
            with self._lock:
                for name, positions in new.items():
                    verdicts[name][positions] = fresh[name]
                    if not len(positions):
                        continue
                    values = distinct[name].take(pa.array(positions))
                    if name in self._values and self._values[name].type == values.type:
                        values = pa.concat_arrays([self._values[name], values])
                        fresh[name] = np.concatenate([self._verdicts[name], fresh[name]])
                    self._values[name], self._verdicts[name] = values, fresh[name]
        return verdicts

    def _filler(self, name: str, values: pa.Array, rows: np.ndarray, known: dict) -> pa.Scalar:
        """What pads a column's new values: null where the column may be null (checks skip
        nulls), else a value already seen to pass, else its most frequent value (which nearly
        always passes), so padding adds no failure cases for Pandera to collect."""
        if self.schema.columns[name].nullable:
            return pa.scalar(None, values.type)
        seen_values, seen = known.get(name, (None, None))
        if seen is not None and seen_values.type == values.type and (seen == self.passed).any():
            return seen_values[int(np.argmax(seen == self.passed))]
        return values[int(np.bincount(rows, minlength=len(values)).argmax())]

    def _validate(self, distinct: dict, new: dict, rows: dict, known: dict) -> dict:
        """Pandera on the new values of every column side by side (shorter columns padded; the
        padding's verdicts are ignored): per column, the rank of each new value."""
        size = max(len(positions) for positions in new.values())
        padded = {}
        for name in CONTRACT_COLUMNS:
            values = distinct[name].take(pa.array(new[name]))
            if len(values) < size:
                filler = self._filler(name, distinct[name], rows[name], known)
                values = pa.concat_arrays([values, pa.repeat(filler, size - len(values))])
            padded[name] = values
        frame = pa.table(padded).to_pandas(types_mapper=pd.ArrowDtype)
        frame.index = pd.RangeIndex(size)
        fresh = {name: np.full(len(new[name]), self.passed, dtype=np.int16) for name in new}
        try:
            self.schema.validate(frame, lazy=True)
        except SchemaErrors as errors:
            failures = errors.failure_cases.drop(columns=["failure_case"])  # raw values: PII
            rank = failures["check"].map(self.ranks)
            unexpected = rank.isna() | failures["index"].isna()
            if unexpected.any():
                checks = sorted(set(failures.loc[unexpected, "check"].astype(str)))
                columns = sorted(set(failures.loc[unexpected, "column"].astype(str)))
                raise ContractError(
                    f"row contract could not run: checks {checks} on columns {columns}"
                ) from None
            index = failures["index"].to_numpy(dtype=np.int64)
            ranks = rank.to_numpy(dtype=np.int16)
            column = failures["column"].to_numpy()
            for name, verdicts in fresh.items():
                mine = (column == name) & (index < len(verdicts))  # past it: padding
                np.minimum.at(verdicts, index[mine], ranks[mine])
        return fresh


@functools.lru_cache(maxsize=32)
def _contract(cohort_code: str, period: str) -> _Contract:
    return _Contract(cohort_code, period)


def first_reasons(normalised: pa.Table, cohort_code: str, period: str) -> tuple[pa.Array, pa.Array]:
    """Run the contract on a normalised batch; per row the winning (reason_code, reason_detail),
    both null for an accepted row."""
    contract = _contract(cohort_code, period)
    distinct: dict[str, pa.Array] = {}
    rows: dict[str, np.ndarray] = {}
    for name in CONTRACT_COLUMNS:
        values, codes = value_codes(normalised.column(name))
        if pa.types.is_dictionary(values.type):  # pragma: no cover - dictionaries are flat
            values = values.cast(values.type.value_type)
        distinct[name], rows[name] = values, codes
    per_row = np.full(normalised.num_rows, contract.passed, dtype=np.int16)
    if normalised.num_rows:
        for name, verdicts in contract.judge(distinct, rows).items():
            if (verdicts < contract.passed).any():
                np.minimum(per_row, verdicts[rows[name]], out=per_row)
    missing = per_row == contract.passed
    indices = pa.array(per_row.astype(np.int32), mask=missing)
    labels = contract.labels
    codes_out = pa.DictionaryArray.from_arrays(indices, pa.array([c for c, _ in labels]))
    details = pa.DictionaryArray.from_arrays(indices, pa.array([d for _, d in labels]))
    return codes_out.cast(pa.string()), details.cast(pa.string())
