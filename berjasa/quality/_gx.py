"""Run one Great Expectations 1.x suite on one small aggregate frame, optionally with Data Docs.

Why a private runner: `dagster-ge` does not work with GE 1.x fluent datasources, so the checks
drive GE's ephemeral context directly. GE's import is slow (seconds) and phones home unless told
not to, so it is imported lazily here, after `GX_ANALYTICS_ENABLED=false` is set.

Only aggregate frames (cohort codes, area codes, counts, shares) are ever handed to GE, so the
"unexpected values" it records and renders can never contain a NIK, a name or a person_key.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

# At most this many failing rows are kept per expectation (there are 6 cohorts and 17 areas).
PARTIAL_UNEXPECTED_COUNT = 20


@dataclass(frozen=True)
class Between:
    """`column` of every row within [min_value, max_value] (inclusive; None = unbounded)."""

    column: str
    min_value: float | None
    max_value: float | None
    description: str


@dataclass(frozen=True)
class Failure:
    """One failed expectation: which rows (by key) and with what values."""

    column: str
    description: str
    keys: list[str]
    values: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Validation:
    success: bool
    failures: list[Failure]
    data_docs_path: str | None


def _gx() -> Any:
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    return gx


def _plain(value: Any) -> Any:
    """numpy/pandas scalars -> JSON-able Python values (NaN/NA -> None)."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _docs_site_config(base_directory: Path) -> dict[str, Any]:
    return {
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(base_directory),
        },
    }


def validate_frame(
    name: str,
    frame: pd.DataFrame,
    rules: Sequence[Between],
    key_column: str,
    docs_dir: Path | None = None,
) -> Validation:
    """Validate `frame` (one row per `key_column` value) against `rules`.

    A fresh ephemeral context per call (it costs milliseconds) keeps each check's Data Docs to
    its own results, and lets the checks run in separate processes without sharing state. When
    `docs_dir` is given it is emptied and rebuilt, so it shows exactly this run.
    """
    gx = _gx()
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(
        globally=False, metric_calculations=False
    )
    site_name = "berjasa"
    if docs_dir is not None:
        shutil.rmtree(docs_dir, ignore_errors=True)
        docs_dir.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(site_name=site_name, site_config=_docs_site_config(docs_dir))

    asset = context.data_sources.add_pandas("berjasa_aggregates").add_dataframe_asset(name)
    batch_definition = asset.add_batch_definition_whole_dataframe("period")
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column=rule.column,
            min_value=rule.min_value,
            max_value=rule.max_value,
            description=rule.description,
        )
        for rule in rules
    ]
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
    )
    result = definition.run(
        batch_parameters={"dataframe": frame},
        result_format={
            "result_format": "SUMMARY",
            "partial_unexpected_count": PARTIAL_UNEXPECTED_COUNT,
            "unexpected_index_column_names": [key_column],
        },
    )

    by_column = {rule.column: rule for rule in rules}
    failures: list[Failure] = []
    for outcome in result.results:
        if outcome.success:
            continue
        column = outcome.expectation_config.kwargs["column"]
        rows = outcome.result.get("partial_unexpected_index_list") or []
        failures.append(
            Failure(
                column=column,
                description=by_column[column].description,
                keys=[str(row[key_column]) for row in rows],
                values=[_plain(row[column]) for row in rows],
            )
        )

    docs_path = None
    if docs_dir is not None:
        context.build_data_docs(site_names=[site_name])
        docs_path = str(docs_dir / "index.html")
    return Validation(success=bool(result.success), failures=failures, data_docs_path=docs_path)


def records(frame: pd.DataFrame, key_column: str) -> dict[str, dict[str, Any]]:
    """Small frame -> {key: {column: plain value}} for JSON metadata."""
    out: dict[str, dict[str, Any]] = {}
    for row in frame.to_dict(orient="records"):
        key = str(row.pop(key_column))
        out[key] = {column: _plain(value) for column, value in row.items()}
    return out
