"""Names used across the Dagster graph, kept in one place (asset keys, groups, pools, jobs)."""

from __future__ import annotations

GROUP_INGEST = "ingest"
GROUP_VALIDATE = "validate"
GROUP_TRANSFORM = "transform"
GROUP_PUBLISH = "publish"

LANDING_FILES = "landing_files"
VALIDATED_ROWS = "validated_rows"
DBT_INPUT_TABLES = "dbt_input_tables"
WAREHOUSE_PUBLICATION = "warehouse_publication"

# dbt marts the Python checks look at (asset keys follow the dbt model names).
MART_BILLING_MONTHLY = "billing_monthly"
MART_COVERAGE_MONTHLY = "coverage_monthly"
MART_COHORT_STATUS = "publication_cohort_status"

# One writer per DuckDB file: every step that opens dbt's database or the warehouse is in this
# pool, and dagster.yaml limits every pool to one step at a time (NOTES: DuckDB single writer).
DUCKDB_POOL = "berjasa_duckdb"

MONTHLY_JOB = "berjasa_monthly"
