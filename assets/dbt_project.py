"""The dbt project as Dagster sees it. The manifest is prepared at set-up / `dagster dev` time
(`DbtProject.prepare_if_dev`), never parsed on every import (NOTES: Manifest)."""

from __future__ import annotations

from dagster_dbt import DbtProject

from berjasa.config import DBT_PROJECT_DIR

berjasa_dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target="duckdb",
)
berjasa_dbt_project.prepare_if_dev()
