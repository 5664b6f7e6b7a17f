"""Resources: where this deployment keeps its state and publishes (from the environment, or
overridden per run by `berjasa run --landing/--warehouse`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from packaging.version import Version

from berjasa.config import DBT_PROJECT_DIR, Settings, get_settings
from berjasa.dbt_client import real_dbt
from berjasa.dbt_warm import dbt_profile_environment


class BerjasaResource(ConfigurableResource):
    """Paths and warehouse of this Berjasa home. Empty fields fall back to the environment."""

    landing: str = ""
    warehouse: str = ""
    supersede_reason: str = ""

    def settings(self) -> Settings:
        return get_settings(landing=self.landing or None, warehouse=self.warehouse or None)


def dbt_environment(settings: Settings) -> dict[str, str]:
    """Environment dbt needs: its database inside BERJASA_HOME and no usage stats."""
    return dbt_profile_environment(settings.dbt_database)


def apply_dbt_environment(settings: Settings) -> None:
    settings.dbt_database.parent.mkdir(parents=True, exist_ok=True)
    os.environ.update(dbt_environment(settings))


class LockedDbtCliResource(DbtCliResource):
    """dagster-dbt runs `dbt --version` (a whole dbt start-up plus a PyPI look-up with a 1 s
    timeout) to learn a version the lock file already fixes: read the installed one instead."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        """An in-process dbt adapter only serves row-count and column-metadata fetching, which
        Berjasa does not use (NOTES: PR#21542); loading dbt's project twice costs seconds."""
        return None


def dbt_resource() -> DbtCliResource:
    # `berjasa-dbt`, beside this interpreter like dbt itself, hands the build to the month's
    # warm dbt when `berjasa run` started one, and is plain dbt otherwise (berjasa/dbt_client.py);
    # an environment installed before it existed uses dbt itself.
    client = real_dbt().with_name("berjasa-dbt")
    return LockedDbtCliResource(
        project_dir=os.fspath(DBT_PROJECT_DIR),
        profiles_dir=os.fspath(DBT_PROJECT_DIR),
        dbt_executable=os.fspath(client if client.exists() else real_dbt()),
    )
