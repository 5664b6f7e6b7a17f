"""The Dagster instance lives in BERJASA_HOME/dagster, so runs started by `berjasa run` show in
`dagster dev` started with the same home, and two homes never share state."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from berjasa.config import Settings

INSTANCE_TEMPLATE = Path(__file__).with_name("dagster.yaml")


def prepare_dagster_home(settings: Settings) -> Path:
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if not target.exists() or target.read_bytes() != INSTANCE_TEMPLATE.read_bytes():
        shutil.copyfile(INSTANCE_TEMPLATE, target)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
