"""The `--vars` of a month's dbt build, built from the period (a Dagster partition key or the
CLI's `--period`). Pure: the dbt step and the warm dbt that parses ahead of it (`berjasa.dbt_warm`)
must pass dbt the very same string, so both build it here."""

from __future__ import annotations

import json


def dbt_vars_for_period(period: str, reject_threshold: float) -> dict[str, object]:
    """The `--vars` of one dbt build: the period and the reject-share threshold (SPEC §3)."""
    return {"period": period, "reject_threshold": reject_threshold}


def dbt_vars_arg(period: str, reject_threshold: float) -> str:
    return json.dumps(dbt_vars_for_period(period, reject_threshold), sort_keys=True)
