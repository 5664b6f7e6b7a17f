"""Validate group: the Pandera row contracts applied to every landed list."""

from collections.abc import Iterator

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.metadata import counts_table, markdown_table
from assets.names import GROUP_VALIDATE, LANDING_FILES, VALIDATED_ROWS
from assets.partitions import monthly_check_spec, monthly_partitions, one_month_per_run
from assets.resources import BerjasaResource
from berjasa.errors import BerjasaInputError
from berjasa.ingest import load_ingest_report
from berjasa.validate import validate_period

CHECK_ROW_CONTRACTS = "row_contracts"
CHECK_FILES_READABLE = "files_readable"


@asset(
    name=VALIDATED_ROWS,
    group_name=GROUP_VALIDATE,
    partitions_def=monthly_partitions,
    deps=[AssetKey(LANDING_FILES)],
    kinds={"pandera", "parquet"},
    check_specs=[
        monthly_check_spec(
            CHECK_ROW_CONTRACTS,
            VALIDATED_ROWS,
            "Per file: read = accepted + rejected under the Pandera row contracts "
            "(SPEC §3), with rejects by reason code.",
        ),
        monthly_check_spec(
            CHECK_FILES_READABLE,
            VALIDATED_ROWS,
            "Every landed cohort file was readable (no corrupt file or missing "
            "required column); a failing file makes its cohort `unreadable`.",
        ),
    ],
)
def validated_rows(
    context: AssetExecutionContext, berjasa: BerjasaResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    """Each row accepted or rejected with a reason code by the row contracts of `schemas/`;
    NIKs are pseudonymised here (HMAC `person_key`, `nik_masked`), so nothing downstream (dbt,
    the warehouse) sees a raw NIK or a name."""
    settings = berjasa.settings()
    period = context.partition_key
    try:
        report = load_ingest_report(settings.raw_dir, period)
        result = validate_period(period, report, settings)
    except BerjasaInputError as error:
        raise Failure(description=str(error)) from None

    stats = result.files
    by_reason = result.rejects_by_reason
    table = markdown_table(
        ["cohort", "file", "status", "read", "accepted", "rejected", "rejects by reason"],
        [
            (
                s.cohort_code,
                s.source_file,
                s.file_status,
                s.rows_read,
                s.rows_accepted,
                s.rows_rejected,
                ", ".join(f"{k}: {v}" for k, v in s.rejects_by_reason.items()),
            )
            for s in stats
        ],
    )
    read, accepted, rejected = result.rows_read, result.rows_accepted, result.rows_rejected
    yield MaterializeResult(
        metadata={
            "rows_read": read,
            "rows_accepted": accepted,
            "rows_rejected": rejected,
            "reject_share": round(rejected / read, 4) if read else 0.0,
            "files": MetadataValue.md(table),
            "rejects_by_reason": MetadataValue.md(counts_table(by_reason, "reason_code")),
        }
    )
    # SPEC §3 invariant at the row-contract stage: read = accepted + rejected, per file
    unbalanced = [
        s.source_file
        for s in stats
        if s.file_status == "ok" and s.rows_read != s.rows_accepted + s.rows_rejected
    ]
    yield AssetCheckResult(
        check_name=CHECK_ROW_CONTRACTS,
        passed=not unbalanced,
        metadata={
            "files": MetadataValue.md(table),
            "unbalanced_files": ", ".join(unbalanced) or "none",
            **{f"rejects/{k}": v for k, v in by_reason.items()},
        },
    )
    broken = [s.source_file for s in stats if s.file_status != "ok"]
    yield AssetCheckResult(
        check_name=CHECK_FILES_READABLE,
        passed=not broken,
        severity=AssetCheckSeverity.WARN,
        metadata={"unreadable_files": ", ".join(broken) or "none"},
    )


validated_rows = one_month_per_run(validated_rows)
