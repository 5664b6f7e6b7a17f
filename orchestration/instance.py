"""The Dagster instance lives in BERJASA_HOME/dagster, so runs started by `berjasa run` show in
`dagster dev` started with the same home, and two homes never share state."""

from __future__ import annotations

import json
import os
from pathlib import Path

from berjasa.config import Settings

INSTANCE_TEMPLATE = Path(__file__).with_name("dagster.yaml")
HOME_PLACEHOLDER = "$DAGSTER_HOME_PATH"


def instance_yaml(dagster_home: Path) -> str:
    """The home's `dagster.yaml`: the template with the storage's folder, the home itself (an
    absolute path, so the instance also opens from its folder alone, as the benchmark and
    `DagsterInstance.from_config` do)."""
    return INSTANCE_TEMPLATE.read_text(encoding="utf-8").replace(
        HOME_PLACEHOLDER, json.dumps(str(dagster_home.resolve()))
    )


def prepare_dagster_home(settings: Settings) -> Path:
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    wanted = instance_yaml(home)
    if not target.exists() or target.read_text(encoding="utf-8") != wanted:
        target.write_text(wanted, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home
