"""Resources: where this deployment keeps its state and publishes (from the environment, or
overridden per run by `berjasa run --landing/--warehouse`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from berjasa.config import DBT_PROJECT_DIR, Settings, get_settings


class BerjasaResource(ConfigurableResource):
    """Paths and warehouse of this Berjasa home. Empty fields fall back to the environment."""

    landing: str = ""
    warehouse: str = ""
    supersede_reason: str = ""

    def settings(self) -> Settings:
        return get_settings(landing=self.landing or None, warehouse=self.warehouse or None)


def dbt_environment(settings: Settings) -> dict[str, str]:
    """Environment dbt needs: its database inside BERJASA_HOME and no usage stats."""
    return {
        "BERJASA_DBT_DATABASE": str(settings.dbt_database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def apply_dbt_environment(settings: Settings) -> None:
    settings.dbt_database.parent.mkdir(parents=True, exist_ok=True)
    os.environ.update(dbt_environment(settings))


def dbt_resource() -> DbtCliResource:
    # Use the dbt beside this interpreter: `.venv/bin/berjasa` works without an activated venv
    # (NOTES: "The dbt executable 'dbt' was not found on PATH").
    return DbtCliResource(
        project_dir=os.fspath(DBT_PROJECT_DIR),
        profiles_dir=os.fspath(DBT_PROJECT_DIR),
        dbt_executable=os.fspath(Path(sys.executable).parent / "dbt"),
    )
