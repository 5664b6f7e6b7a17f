"""Ingest group: the month's landing folder read into the immutable raw layer."""

from dagster import AssetExecutionContext, Failure, MaterializeResult, MetadataValue, asset

from assets.metadata import markdown_table
from assets.names import GROUP_INGEST, LANDING_FILES
from assets.partitions import monthly_partitions, one_month_per_run
from assets.resources import BerjasaResource
from berjasa.errors import BerjasaInputError
from berjasa.ingest import ingest_period
from berjasa.retention import purge_raw_layer


@asset(
    name=LANDING_FILES,
    group_name=GROUP_INGEST,
    partitions_def=monthly_partitions,
    kinds={"python", "parquet"},
)
def landing_files(context: AssetExecutionContext, berjasa: BerjasaResource) -> MaterializeResult:
    """Every file the departments sent for the month, read as text (a NIK is never a number),
    hashed (sha256) and kept immutable in the raw layer. Unknown files and file-level errors
    (corrupt workbook, missing column) are listed with what to do; the other cohorts go on."""
    settings = berjasa.settings()
    period = context.partition_key
    try:
        report = ingest_period(settings.landing, period, settings.raw_dir)
    except BerjasaInputError as error:
        raise Failure(description=str(error)) from None
    if not any(f.kind == "cohort" for f in report.files):
        raise Failure(
            description=f"No cohort list found in {settings.landing / period}: nothing to publish. "
            "Expected files named <cohort_code>.csv|xlsx|parquet."
        )
    purged = purge_raw_layer(settings, today_period=period)
    rows = [
        (f.name, f.kind, f.cohort_code or "", f.status, f.rows_read, f.message or "")
        for f in report.files
    ]
    return MaterializeResult(
        metadata={
            "files": MetadataValue.md(
                markdown_table(["file", "kind", "cohort", "status", "rows", "message"], rows)
            ),
            "file_count": len(report.files),
            "rows_read": sum(f.rows_read for f in report.files if f.kind == "cohort"),
            "files_with_errors": sum(f.status == "error" for f in report.files),
            "unknown_files": sum(f.kind == "unknown" for f in report.files),
            "raw_months_purged": len(purged),
        }
    )


landing_files = one_month_per_run(landing_files)
