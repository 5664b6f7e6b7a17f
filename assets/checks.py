"""Data-quality checks shown in the Dagster UI, beside the dbt tests (which dagster-dbt turns
into blocking checks by itself):

- Great Expectations drift and distribution checks on aggregates (warnings): participants per
  cohort within ±25 % of the previous month, UCJ rates ≤ 1, age and DTSEN desil distributions.
  Their Data Docs are linked from the check metadata.
- the cohort statuses of SPEC §3 (a `held_back` cohort is a warning: the period still publishes)
- the freshness promise: the current month's bill published by the 10th (Asia/Makassar).
"""

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
    multi_asset_check,
)

from assets.metadata import markdown_table
from assets.names import (
    DBT_INPUT_TABLES,
    DUCKDB_POOL,
    MART_BILLING_MONTHLY,
    MART_COHORT_STATUS,
    MART_COVERAGE_MONTHLY,
    WAREHOUSE_PUBLICATION,
)
from assets.partitions import TIMEZONE, monthly_check_spec
from assets.resources import BerjasaResource
from berjasa.summary import read_period_summary

FRESHNESS_DEADLINE_DAY = 10
CHECK_BILL_BY_10TH = "bill_published_by_10th"


# (check name, asset, QualityResult.name, description)
_GE_CHECKS = (
    (
        "participants_within_25pct_of_previous_month",
        MART_BILLING_MONTHLY,
        "participants_drift",
        "Great Expectations: participants per cohort within ±25 % of the previous month "
        "(a larger jump usually means a wrong or partial list).",
    ),
    (
        "ucj_rates_at_most_1",
        MART_COVERAGE_MONTHLY,
        "ucj_rates_plausible",
        "Great Expectations: UCJ rate ≤ 1 and program share in [0, 1] per area. A kecamatan "
        "above 1 is plausible (BPJS counts workers at the employer's address): published, "
        "flagged.",
    ),
    (
        "age_distribution_plausible",
        DBT_INPUT_TABLES,
        "age_distribution",
        "Great Expectations: ages of accepted rows per cohort (share within 15–70, median).",
    ),
    (
        "desil_distribution_plausible",
        DBT_INPUT_TABLES,
        "desil_distribution",
        "Great Expectations: DTSEN desil of `pekerja_rentan` (all in 1–10, mostly ≤ 5).",
    ),
)


@multi_asset_check(
    specs=[
        monthly_check_spec(name, asset, description) for name, asset, _, description in _GE_CHECKS
    ],
    pool=DUCKDB_POOL,
    name="great_expectations_checks",
)
def great_expectations_checks(
    context: AssetCheckExecutionContext, berjasa: BerjasaResource
) -> Iterator[AssetCheckResult]:
    """One GE context, one validation pass, one Data Docs site per month."""
    from berjasa import quality  # GE costs seconds to import: only when the checks run

    settings = berjasa.settings()
    results = {
        r.name: r
        for r in quality.run_all(
            settings.dbt_database, context.partition_key, settings.data_docs_dir
        )
    }
    for check_name, asset, result_name, _ in _GE_CHECKS:
        result = results[result_name]
        metadata: dict[str, object] = {
            key: (MetadataValue.json(value) if isinstance(value, dict | list) else value)
            for key, value in result.metadata.items()
        }
        if result.data_docs_path:
            metadata["data_docs"] = MetadataValue.path(result.data_docs_path)
        yield AssetCheckResult(
            check_name=check_name,
            asset_key=AssetKey.from_coercible(asset),
            passed=result.passed,
            severity=AssetCheckSeverity.WARN,
            description=result.description,
            metadata=metadata,
        )


@multi_asset_check(
    name="cohorts_published",
    specs=[
        monthly_check_spec(
            "cohorts_published",
            MART_COHORT_STATUS,
            "Every cohort that sent a list was published. A cohort above the reject-share "
            "threshold is `held_back` (its last good list is billed again); `unreadable` and "
            "`no_dtsen` likewise. A warning: the other cohorts still publish.",
        )
    ],
    pool=DUCKDB_POOL,
)
def cohorts_published_check(
    context: AssetCheckExecutionContext, berjasa: BerjasaResource
) -> AssetCheckResult:
    settings = berjasa.settings()
    summary = read_period_summary(settings.dbt_database, context.partition_key)
    not_published = [
        c.cohort_code for c in summary.cohorts if c.status not in ("published", "no_file")
    ]
    table = markdown_table(
        ["cohort", "status", "read", "rejected", "reject share", "detail"],
        [
            (
                c.cohort_code,
                c.status,
                c.rows_read,
                c.rows_rejected,
                f"{c.rows_rejected / c.rows_read:.1%}" if c.rows_read else "",
                c.detail,
            )
            for c in summary.cohorts
        ],
    )
    return AssetCheckResult(
        check_name="cohorts_published",
        asset_key=MART_COHORT_STATUS,
        passed=not not_published,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "cohort_statuses": MetadataValue.md(table),
            "reject_threshold": settings.reject_threshold,
            "not_published": ", ".join(not_published) or "none",
        },
    )


def bill_deadline_status(now: dt.datetime, published_periods: set[str]) -> tuple[bool, str]:
    """Pure rule: from the 10th (Asia/Makassar) the current month must be published."""
    local = now.astimezone(ZoneInfo(TIMEZONE))
    period = f"{local.year:04d}-{local.month:02d}"
    if period in published_periods:
        return True, f"{period} is published."
    if local.day < FRESHNESS_DEADLINE_DAY:
        return True, f"{period} is not published yet; due by the {FRESHNESS_DEADLINE_DAY}th."
    return False, f"{period} is overdue: BPJS must be paid by the 15th."


@asset_check(
    name=CHECK_BILL_BY_10TH,
    asset=AssetKey(WAREHOUSE_PUBLICATION),
    description="The current month's bill is published by the 10th (Asia/Makassar), so "
    "finance can pay BPJS by the 15th. Evaluated daily by the freshness schedule.",
)
def bill_published_by_10th(context: AssetCheckExecutionContext) -> AssetCheckResult:
    published = set(context.instance.get_materialized_partitions(AssetKey(WAREHOUSE_PUBLICATION)))
    passed, description = bill_deadline_status(dt.datetime.now(dt.UTC), published)
    return AssetCheckResult(passed=passed, description=description)


QUALITY_CHECKS = [great_expectations_checks, cohorts_published_check]
