"""Jobs: the monthly pipeline (one partition per run) and the daily freshness evaluation."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

from assets.checks import CHECK_BILL_BY_10TH, bill_published_by_10th
from assets.names import MONTHLY_JOB

FRESHNESS_JOB = "berjasa_freshness"

monthly_job = define_asset_job(
    name=MONTHLY_JOB,
    selection=AssetSelection.all() - AssetSelection.checks(bill_published_by_10th),
    # Steps run one after another in one process: DuckDB takes one writer per file, and the
    # steps are I/O on the same two files anyway.
    executor_def=in_process_executor,
    description="Ingest, validate, transform (dbt) and publish one month.",
)

freshness_job = define_asset_job(
    name=FRESHNESS_JOB,
    selection=AssetSelection.checks(bill_published_by_10th),
    description=f"Evaluates `{CHECK_BILL_BY_10TH}`.",
)
