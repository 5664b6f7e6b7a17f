"""Names used across the Dagster graph, kept in one place (asset keys, groups, pools, jobs)."""

from __future__ import annotations

from dagster import AssetKey

GROUP_INGEST = "ingest"
GROUP_VALIDATE = "validate"
GROUP_TRANSFORM = "transform"
GROUP_PUBLISH = "publish"

LANDING_FILES = "landing_files"
VALIDATED_ROWS = "validated_rows"
DBT_INPUT_TABLES = "dbt_input_tables"
WAREHOUSE_PUBLICATION = "warehouse_publication"

# dbt assets are keyed <schema>/<model>; the marts live in schema `berjasa`.
MARTS_SCHEMA = "berjasa"
MART_BILLING_MONTHLY = AssetKey([MARTS_SCHEMA, "billing_monthly"])
MART_COVERAGE_MONTHLY = AssetKey([MARTS_SCHEMA, "coverage_monthly"])
MART_COHORT_STATUS = AssetKey([MARTS_SCHEMA, "publication_cohort_status"])

# One writer per DuckDB file: every step that opens dbt's database or the warehouse is in this
# pool, and dagster.yaml limits every pool to one step at a time (NOTES: DuckDB single writer).
DUCKDB_POOL = "berjasa_duckdb"

# Every partitioned asset shares one backfill policy (Dagster #22254): one month per run, in
# order, because month M reads who was published in M-1..M-3.

MONTHLY_JOB = "berjasa_monthly"
