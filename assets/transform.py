"""Transform group: the validated rows loaded into dbt's database, then the dbt models that
decide eligibility, de-duplication, the bill, membership changes and coverage."""

from collections.abc import Iterator, Mapping
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    asset,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from assets.dbt_project import berjasa_dbt_project
from assets.names import (
    DBT_INPUT_TABLES,
    DUCKDB_POOL,
    GROUP_TRANSFORM,
    VALIDATED_ROWS,
)
from assets.partitions import (
    monthly_backfill_policy,
    monthly_partitions,
    one_month_per_run,
)
from assets.resources import BerjasaResource, apply_dbt_environment
from berjasa.dbt_inputs import load_inputs
from berjasa.dbt_vars import dbt_vars_arg
from berjasa.quality import warm_up as warm_up_quality_checks


@asset(
    name=DBT_INPUT_TABLES,
    group_name=GROUP_TRANSFORM,
    partitions_def=monthly_partitions,
    deps=[AssetKey(VALIDATED_ROWS)],
    pool=DUCKDB_POOL,
    kinds={"duckdb"},
)
def dbt_input_tables(context: AssetExecutionContext, berjasa: BerjasaResource) -> MaterializeResult:
    """The month's pseudonymised rows, DTSEN extracts, the ledger of published people and the
    last good lists, loaded into the `berjasa_input` schema of dbt's own DuckDB database (the
    sources of the dbt project). Replaces exactly this month's rows."""
    settings = berjasa.settings()
    settings.dbt_database.parent.mkdir(parents=True, exist_ok=True)
    counts = load_inputs(settings, context.partition_key, settings.dbt_database)
    return MaterializeResult(metadata={f"rows/{k}": int(v) for k, v in (counts or {}).items()})


class BerjasaDbtTranslator(DagsterDbtTranslator):
    """dbt sources are all produced by `dbt_input_tables`; every dbt node is in `transform`."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey(DBT_INPUT_TABLES)
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return GROUP_TRANSFORM


dbt_translator = BerjasaDbtTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True, enable_duplicate_source_asset_keys=True
    )
)


@dbt_assets(
    manifest=berjasa_dbt_project.manifest_path,
    project=berjasa_dbt_project,
    partitions_def=monthly_partitions,
    backfill_policy=monthly_backfill_policy,
    dagster_dbt_translator=dbt_translator,
    pool=DUCKDB_POOL,
)
def berjasa_dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, berjasa: BerjasaResource
) -> Iterator[Any]:
    """dbt build for the month: seeds (rates, programs, cohorts, reasons), staging,
    intermediate and marts, with the dbt data tests as blocking asset checks. dbt's unit tests
    run in the test suite, not in production runs."""
    settings = berjasa.settings()
    apply_dbt_environment(settings)
    warm_up_quality_checks()
    args = [
        "build",
        "--vars",
        dbt_vars_arg(context.partition_key, settings.reject_threshold),
        "--exclude",
        "resource_type:unit_test",
    ]
    # A stable target folder per home keeps dbt's parse between runs (runs of one home never
    # overlap). Under `berjasa run`, the month's warm dbt (berjasa/dbt_warm.py) has parsed
    # ahead into that folder and runs this build itself.
    target_path = settings.dbt_target_dir
    yield from dbt.cli(args, context=context, target_path=target_path).stream()


dbt_input_tables = one_month_per_run(dbt_input_tables)
