"""Publish group: the month's marts copied atomically into the city data warehouse."""

from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    Backoff,
    Failure,
    Jitter,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    TimeWindowPartitionMapping,
    asset,
)

from assets.metadata import markdown_table
from assets.names import DUCKDB_POOL, GROUP_PUBLISH, MARTS_SCHEMA, WAREHOUSE_PUBLICATION
from assets.partitions import monthly_partitions, one_month_per_run
from assets.resources import BerjasaResource
from berjasa.errors import BerjasaError
from berjasa.layer_stats import dtsen_extract_used
from berjasa.periods import parse_period
from berjasa.summary import read_period_summary
from berjasa.warehouse import PUBLISHED_TABLES, provenance_from_source, publish_period

# Month M reads who was billed in M-1..M-3, so republishing M-1 makes M stale.
_PREVIOUS_MONTH = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)


@asset(
    name=WAREHOUSE_PUBLICATION,
    group_name=GROUP_PUBLISH,
    partitions_def=monthly_partitions,
    deps=[
        *(AssetKey([MARTS_SCHEMA, table]) for table in PUBLISHED_TABLES),
        AssetDep(WAREHOUSE_PUBLICATION, partition_mapping=_PREVIOUS_MONTH),
    ],
    pool=DUCKDB_POOL,
    kinds={"duckdb", "postgres"},
    retry_policy=RetryPolicy(
        max_retries=3, delay=2, backoff=Backoff.EXPONENTIAL, jitter=Jitter.FULL
    ),
)
def warehouse_publication(
    context: AssetExecutionContext, berjasa: BerjasaResource
) -> MaterializeResult:
    """The month published whole to the city data warehouse (schema `berjasa`, DuckDB or
    PostgreSQL): billing, coverage, membership changes, rejects and a status per cohort, with a
    `publication_log` row. Atomic: readers see the previous publication or this one, never a
    mix; a final (paid) month is only replaced with a supersede reason."""
    settings = berjasa.settings()
    period = context.partition_key
    summary = read_period_summary(settings.dbt_database, period)
    try:
        result = publish_period(
            settings,
            period,
            run_id=context.run.run_id,
            source_db=settings.dbt_database,
            warehouse=settings.warehouse,
            supersede_reason=berjasa.supersede_reason or None,
            provenance=provenance_from_source(
                settings.dbt_database,
                parse_period(period),
                dtsen_file=dtsen_extract_used(settings.validated_dir, period),
            ),
        )
    except BerjasaError as error:
        # A refusal (final month, demo key, privacy guard) is not transient: no retry.
        raise Failure(description=str(error), allow_retries=False) from None
    statuses = markdown_table(
        ["cohort", "status", "read", "accepted", "rejected", "billed", "premium (Rp)", "detail"],
        [
            (
                c.cohort_code,
                c.status,
                c.rows_read,
                c.rows_accepted,
                c.rows_rejected,
                c.participants,
                f"{c.premium_idr:,}",
                c.detail,
            )
            for c in summary.cohorts
        ],
    )
    metadata: dict[str, object] = {
        "total_premium_idr": summary.total_premium_idr,
        "rows_read": summary.rows_read,
        "rows_accepted": summary.rows_accepted,
        "rows_rejected": summary.rows_rejected,
        "cohorts_not_published": sum(
            c.status not in ("published", "no_file") for c in summary.cohorts
        ),
        "cohort_statuses": MetadataValue.md(statuses),
        "warehouse": MetadataValue.text(result.target),
        "publish_seconds": round(result.seconds, 2),
        "publication_id": MetadataValue.text(str(result.publication_id)),
    }
    for cohort in summary.cohorts:
        metadata[f"participants/{cohort.cohort_code}"] = cohort.participants
        metadata[f"premium_idr/{cohort.cohort_code}"] = cohort.premium_idr
    for program, amount in summary.premium_by_program.items():
        metadata[f"premium_idr/program/{program}"] = amount
    return MaterializeResult(metadata=metadata)


warehouse_publication = one_month_per_run(warehouse_publication)
