"""Drift and distribution checks on the period's aggregates (WARN-level quality signals).

Each check: one small DuckDB aggregate (one row per cohort or area) -> one GE suite -> a
`QualityResult` whose metadata names the failing cohorts/areas with their observed values.
Nothing person-level leaves DuckDB, so neither the metadata nor the Data Docs can show a NIK,
a name or a person_key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from berjasa import seeds
from berjasa.periods import add_months, format_period, parse_period
from berjasa.quality import aggregates
from berjasa.quality._gx import Between, Session, Validation, records


@dataclass(frozen=True)
class QualityResult:
    """Outcome of one check. `metadata` is plain JSON: `observed` values per cohort/area,
    `thresholds`, `failing` (the cohort or area codes that broke a rule), `failed_expectations`
    and `notes`. `data_docs_path` is the Data Docs index.html (set by `run_all`)."""

    name: str
    passed: bool
    description: str
    metadata: dict
    data_docs_path: str | None


@dataclass(frozen=True)
class _Check:
    """A check ready for GE: its aggregate frame, rules and what to say about it."""

    name: str
    frame: pd.DataFrame
    rules: list[Between]
    key_column: str
    ok_text: str
    metadata: dict[str, Any]
    notes: list[str]


def _evaluate(check: _Check, session: Session) -> QualityResult:
    validation = session.validate(check.name, check.frame, check.rules, check.key_column)
    metadata = {
        **check.metadata,
        "observed": records(check.frame, check.key_column),
        **_failure_metadata(validation),
        "notes": check.notes,
    }
    if validation.success:
        notes = " (" + "; ".join(check.notes) + ")" if check.notes else ""
        description = check.ok_text + notes
    else:
        description = _describe_failures(validation)
    return QualityResult(
        name=check.name,
        passed=validation.success,
        description=description,
        metadata=metadata,
        data_docs_path=None,
    )


def _failure_metadata(validation: Validation) -> dict[str, Any]:
    return {
        "failing": sorted({key for failure in validation.failures for key in failure.keys}),
        "failed_expectations": [
            {
                "column": failure.column,
                "expectation": failure.description,
                "keys": failure.keys,
                "values": failure.values,
            }
            for failure in validation.failures
        ],
    }


def _describe_failures(validation: Validation) -> str:
    parts = []
    for failure in validation.failures:
        pairs = ", ".join(
            f"{key}={value}" for key, value in zip(failure.keys, failure.values, strict=False)
        )
        parts.append(f"{failure.description}: {pairs}")
    return "; ".join(parts)


# --- the four checks: aggregate + rules -------------------------------------------------------


def _participants_drift(db_path: Path | str, period: str, tolerance: float) -> _Check:
    current = parse_period(period)
    previous = add_months(current, -1)
    with aggregates.connect(db_path) as con:
        frame = aggregates.participants_by_cohort(con, current, previous)
        has_previous = aggregates.has_period(con, "berjasa.billing_monthly", previous)
    notes: list[str] = []
    if not has_previous:
        notes.append(f"no billing for {format_period(previous)}: nothing to compare with")
    else:
        new = frame.loc[frame["previous_participants"].isna(), "cohort_code"].tolist()
        if new:
            notes.append(f"not billed in {format_period(previous)}: {', '.join(new)}")
    low, high = 1 - tolerance, 1 + tolerance
    return _Check(
        name="participants_drift",
        frame=frame,
        rules=[
            Between("ratio", low, high, f"participants / last month within [{low:g}, {high:g}]")
        ],
        key_column="cohort_code",
        ok_text=f"participants within ±{tolerance:.0%} of last month",
        metadata={
            "period": period,
            "previous_period": format_period(previous),
            "thresholds": {"tolerance": tolerance, "min_ratio": low, "max_ratio": high},
        },
        notes=notes,
    )


def _ucj_rates_plausible(db_path: Path | str, period: str) -> _Check:
    with aggregates.connect(db_path) as con:
        frame = aggregates.coverage_rates(con, parse_period(period))
    notes = [] if len(frame) else [f"no coverage rows for {period}"]
    if len(frame) and frame["ucj_rate"].isna().all():
        notes.append("ucj_rate is null everywhere (no _bpjs_active file or no denominator)")
    return _Check(
        name="ucj_rates_plausible",
        frame=frame,
        rules=[
            Between("ucj_rate", 0, 1, "ucj_rate (BPJS active / potential workers) in [0, 1]"),
            Between("program_share", 0, 1, "program_share in [0, 1]"),
        ],
        key_column="area_code",
        ok_text="UCJ rates and program shares within [0, 1]",
        metadata={"period": period, "thresholds": {"ucj_rate": [0, 1], "program_share": [0, 1]}},
        notes=notes,
    )


def _age_distribution(
    db_path: Path | str,
    period: str,
    min_share: float,
    age_range: tuple[int, int],
    median_bounds: tuple[float, float],
) -> _Check:
    with aggregates.connect(db_path) as con:
        frame = aggregates.age_by_cohort(con, parse_period(period), *age_range)
    low, high = age_range
    return _Check(
        name="age_distribution",
        frame=frame,
        rules=[
            Between("share_in_age_range", min_share, 1, f"share aged {low}-{high} >= {min_share}"),
            Between(
                "median_age",
                median_bounds[0],
                median_bounds[1],
                f"median age in [{median_bounds[0]:g}, {median_bounds[1]:g}]",
            ),
        ],
        key_column="cohort_code",
        ok_text="age distribution plausible",
        metadata={
            "period": period,
            "thresholds": {
                "min_share_in_age_range": min_share,
                "age_range": list(age_range),
                "median_age_bounds": list(median_bounds),
            },
        },
        notes=[] if len(frame) else [f"no accepted rows for {period}"],
    )


def _dtsen_cohorts() -> dict[str, int]:
    """Cohorts that require DTSEN, with their maximum desil, from the cohorts seed."""
    frame = seeds.cohorts()
    frame = frame[frame["requires_dtsen"].str.lower() == "true"]
    return {row.cohort_code: int(row.max_desil or 10) for row in frame.itertuples()}


def _desil_distribution(db_path: Path | str, period: str, min_share: float) -> _Check:
    current = parse_period(period)
    limits = _dtsen_cohorts()
    with aggregates.connect(db_path) as con:
        extract = aggregates.dtsen_extract_used(con, current)
        if extract is None:
            columns = ["cohort_code", "min_desil", "max_desil", "share_within_max_desil"]
            frame = pd.DataFrame({column: pd.Series(dtype="float64") for column in columns})
        else:
            frame = aggregates.desil_by_cohort(con, current, extract, limits)
    notes = []
    if extract is None:
        notes.append(f"no DTSEN extract on or before {period}")
    elif not len(frame):
        notes.append(f"no accepted rows of {', '.join(limits)} for {period}")
    return _Check(
        name="desil_distribution",
        frame=frame,
        rules=[
            Between("min_desil", 1, 10, "desil in 1..10 (lowest)"),
            Between("max_desil", 1, 10, "desil in 1..10 (highest)"),
            Between(
                "share_within_max_desil",
                min_share,
                1,
                f"share of matched people within the cohort's max desil >= {min_share}",
            ),
        ],
        key_column="cohort_code",
        ok_text="desil distribution plausible",
        metadata={
            "period": period,
            "dtsen_extract": None if extract is None else format_period(extract),
            "thresholds": {"min_share_within_max_desil": min_share, "max_desil": limits},
        },
        notes=notes,
    )


# --- public API --------------------------------------------------------------------------------


def participants_drift(db_path: Path | str, period: str, tolerance: float = 0.25) -> QualityResult:
    """Each cohort's participants (JKM) within ±tolerance of the calendar month before.

    Why: a cohort that jumps or halves from one month to the next usually means a wrong or
    partial list from its department, not a real change in membership. The first month, or a
    cohort absent last month, passes with a note; a cohort billed last month and absent now
    fails (ratio 0).
    """
    return _evaluate(_participants_drift(db_path, period, tolerance), Session())


def ucj_rates_plausible(db_path: Path | str, period: str) -> QualityResult:
    """`ucj_rate` <= 1 and `program_share` in [0, 1] for every area of `coverage_monthly`.

    A UCJ rate above 1 is plausible for a kecamatan (BPJS counts employer-registered workers at
    the employer's address): the mart publishes it with a flag and this check warns, it never
    caps. Null rates (no `_bpjs_active` file, no denominator) are not checked.
    """
    return _evaluate(_ucj_rates_plausible(db_path, period), Session())


def age_distribution(
    db_path: Path | str,
    period: str,
    min_share: float = 0.95,
    age_range: tuple[int, int] = (15, 70),
    median_bounds: tuple[float, float] = (20, 65),
) -> QualityResult:
    """Per cohort, at least `min_share` of accepted rows aged within `age_range` (completed
    years on the period's first day) and the median age within `median_bounds`.

    Why: the age rule rejects the under-15s and new members over 65, so a cohort whose
    accepted rows sit outside working age points at a shifted date column (day/month swapped,
    a wrong century) that still passed row validation.
    """
    check = _age_distribution(db_path, period, min_share, age_range, median_bounds)
    return _evaluate(check, Session())


def desil_distribution(db_path: Path | str, period: str, min_share: float = 0.80) -> QualityResult:
    """DTSEN cohorts (`pekerja_rentan`): desil histogram from the extract the period used (its
    own, else the latest earlier one); every desil in 1..10 and at least `min_share` of matched
    people within the cohort's max desil (5, from the cohorts seed).

    Why: the row rules already reject desil > 5, so a drop here means the DTSEN join went wrong
    (a stale or mis-keyed extract), which no row-level rule can see.
    """
    return _evaluate(_desil_distribution(db_path, period, min_share), Session())


def run_all(db_path: Path | str, period: str, data_docs_dir: Path) -> list[QualityResult]:
    """All four checks with their default thresholds, validated in one GE context, and one Data
    Docs site for the period at `data_docs_dir/<period>/index.html` (rebuilt whole each run),
    whose path every result carries."""
    checks = [
        _participants_drift(db_path, period, 0.25),
        _ucj_rates_plausible(db_path, period),
        _age_distribution(db_path, period, 0.95, (15, 70), (20, 65)),
        _desil_distribution(db_path, period, 0.80),
    ]
    session = Session()
    results = [_evaluate(check, session) for check in checks]
    index = str(session.build_data_docs(Path(data_docs_dir) / period))
    return [dataclasses.replace(result, data_docs_path=index) for result in results]


def build_data_docs(db_path: Path | str, period: str, data_docs_dir: Path) -> str:
    """Run every check and (re)build the period's Data Docs; return the index.html path."""
    index = run_all(db_path, period, data_docs_dir)[0].data_docs_path
    assert index is not None
    return index
