"""The Berjasa code location. Assembles only: every piece is defined in its own module."""

from __future__ import annotations

from dagster import Definitions

from assets.checks import QUALITY_CHECKS, bill_published_by_10th
from assets.ingest import landing_files
from assets.publish import warehouse_publication
from assets.resources import BerjasaResource, dbt_resource
from assets.transform import berjasa_dbt_models, dbt_input_tables
from assets.validate import validated_rows
from orchestration.jobs import freshness_job, monthly_job
from orchestration.schedules import freshness_schedule, monthly_bill_schedule
from orchestration.sensors import landing_sensor

defs = Definitions(
    assets=[
        landing_files,
        validated_rows,
        dbt_input_tables,
        berjasa_dbt_models,
        warehouse_publication,
    ],
    asset_checks=[*QUALITY_CHECKS, bill_published_by_10th],
    jobs=[monthly_job, freshness_job],
    schedules=[monthly_bill_schedule, freshness_schedule],
    sensors=[landing_sensor],
    resources={"berjasa": BerjasaResource(), "dbt": dbt_resource()},
)
