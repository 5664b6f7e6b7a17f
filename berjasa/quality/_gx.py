"""Run one Great Expectations 1.x suite on one small aggregate frame, optionally with Data Docs.

Why a private runner: `dagster-ge` does not work with GE 1.x fluent datasources, so the checks
drive GE's ephemeral context directly. GE's import is slow (seconds) and phones home unless told
not to, so it is imported lazily here, after `GX_ANALYTICS_ENABLED=false` is set.

Only aggregate frames (cohort codes, area codes, counts, shares) are ever handed to GE, so the
"unexpected values" it records and renders can never contain a NIK, a name or a person_key.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import threading
import uuid
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


def _gx() -> Any:
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx
    import great_expectations.expectations  # noqa: F401 - the part the checks use

    return gx


def warm_up() -> threading.Thread:
    """Import GE in a background thread. Its import takes seconds of pure Python; started while
    dbt runs in its own process, it overlaps the wait instead of adding to the run."""
    thread = threading.Thread(target=_gx, name="gx-warm-up", daemon=True)
    thread.start()
    return thread


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


class Session:
    """One ephemeral GE context: validate several aggregate frames, then render one Data Docs
    site listing them all.

    A context costs milliseconds, so each call of a check gets its own: no state is shared
    between checks that Dagster may run in separate processes.
    """

    def __init__(self) -> None:
        gx = _gx()
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        # In-memory stores, no default temp docs site, no analytics, no progress bars.
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        )
        self._gx = gx
        self.context = gx.get_context(mode="ephemeral", project_config=config)
        self._source = self.context.data_sources.add_pandas("berjasa_aggregates")

    def validate(
        self, name: str, frame: pd.DataFrame, rules: Sequence[Between], key_column: str
    ) -> Validation:
        """Validate `frame` (one row per `key_column` value) against `rules`; the failing
        rows come back named by their key (a cohort or area code, never a person)."""
        import great_expectations.expectations as gxe

        gx = self._gx
        asset = self._source.add_dataframe_asset(name)
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
        suite = self.context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
        definition = self.context.validation_definitions.add(
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
        return Validation(success=bool(result.success), failures=failures)

    def build_data_docs(self, target: Path) -> Path:
        """Render this session's validations as a site at `target` and return its index.html.

        Built in a hidden sibling folder, then swapped in, so `target` always shows exactly one
        complete run even when two processes rebuild it at once.
        """
        target.parent.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex
        staging = target.parent / f".{target.name}.{token}.new"
        retired = [target.parent / f".{target.name}.{token}.old{n}" for n in range(3)]
        site = f"berjasa_{token}"
        self.context.add_data_docs_site(site_name=site, site_config=_docs_site_config(staging))
        try:
            self.context.build_data_docs(site_names=[site])
            for old in retired:
                with contextlib.suppress(FileNotFoundError):
                    target.rename(old)
                try:
                    staging.rename(target)
                    break
                except OSError:  # another process swapped its own build in meanwhile
                    continue
        finally:
            for leftover in (staging, *retired):
                shutil.rmtree(leftover, ignore_errors=True)
        return target / "index.html"


def records(frame: pd.DataFrame, key_column: str) -> dict[str, dict[str, Any]]:
    """Small frame -> {key: {column: plain value}} for JSON metadata."""
    out: dict[str, dict[str, Any]] = {}
    for row in frame.to_dict(orient="records"):
        key = str(row.pop(key_column))
        out[key] = {column: _plain(value) for column, value in row.items()}
    return out
