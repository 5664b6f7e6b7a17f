"""Monthly partitions and the pure helpers that turn a partition into pipeline inputs."""

from __future__ import annotations

import warnings

from dagster import (
    AssetCheckSpec,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    MonthlyPartitionsDefinition,
    PreviewWarning,
)

PARTITION_START = "2024-01"
PARTITION_FORMAT = "%Y-%m"
TIMEZONE = "Asia/Makassar"

# Keys are the periods themselves (`2025-03`); end_offset=1 makes the current month exist, so
# the schedule on the 6th can bill the month it is in (Dagster issue 15306).
monthly_partitions = MonthlyPartitionsDefinition(
    start_date=PARTITION_START,
    fmt=PARTITION_FORMAT,
    end_offset=1,
    timezone=TIMEZONE,
)

# One month per run, in order (month M reads who was published in M-1..M-3). Set on the dbt
# assets (whose default is one run for a whole range); Dagster resolves a job's policy to the
# smallest, and an asset without one counts as one month per run (#22254).
monthly_backfill_policy = BackfillPolicy.multi_run(1)


def one_month_per_run(asset_def: AssetsDefinition) -> AssetsDefinition:
    """The monthly backfill policy on an `@asset` (its own parameter for it is still beta)."""
    return asset_def.with_attributes(backfill_policy=monthly_backfill_policy)


def monthly_check_spec(name: str, asset: str | AssetKey, description: str) -> AssetCheckSpec:
    """A check evaluated per month. Without a partitions definition Dagster stores a check's
    result unpartitioned and the UI shows every month's check as skipped. Partitioned checks are
    a preview API in Dagster 1.13: its warning is silenced here, for this API only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PreviewWarning)
        return AssetCheckSpec(
            name, asset=asset, description=description, partitions_def=monthly_partitions
        )
