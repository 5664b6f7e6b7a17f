"""The dbt project as Dagster sees it. The manifest is prepared at set-up and, under
`dagster dev` (`berjasa ui`), when a file of the dbt project is newer than it
(`berjasa.dbt_manifest.ensure_manifest`); never parsed on every import (NOTES: Manifest).

Not dagster-dbt's `prepare_if_dev`: it runs `dbt parse` on every start of the UI (~10 s), and
through a default `DbtCliResource` that looks for `dbt` on PATH, which is not there when the
virtual environment is not activated (`.venv/bin/berjasa ui`): the code location then failed
to load (NOTES: "The dbt executable 'dbt' was not found on PATH"). `ensure_manifest` runs the
dbt beside this interpreter.
"""

from __future__ import annotations

import os

from dagster_dbt import DbtProject

from berjasa.config import DBT_PROJECT_DIR
from berjasa.dbt_manifest import ensure_manifest

# set by `dagster dev` for the code locations it starts (as dagster-dbt checks it)
DAGSTER_DEV_ENV = "DAGSTER_IS_DEV_CLI"

berjasa_dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target="duckdb",
)
if os.getenv(DAGSTER_DEV_ENV):
    ensure_manifest()
