"""Runtime configuration, read from the environment (a `.env` file in the working directory may
set it). One place for every path the pipeline uses, so two homes never share state.

Variables: BERJASA_HOME, BERJASA_LANDING, BERJASA_WAREHOUSE, BERJASA_PII_KEY,
BERJASA_REJECT_THRESHOLD, BERJASA_RAW_RETENTION_MONTHS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"

# The demo key is public on purpose: it is labelled so that nothing real is ever keyed with it
# (publishing to PostgreSQL with it is refused).
DEMO_PII_KEY = "DEMO-ONLY-berjasa-pii-key-not-for-production"
DEFAULT_REJECT_THRESHOLD = 0.20
DEFAULT_RAW_RETENTION_MONTHS = 24


def _load_dotenv() -> None:
    try:
        from dotenv import load_dotenv
    except ImportError:  # pragma: no cover - dependency is pinned
        return
    load_dotenv(Path.cwd() / ".env", override=False)


@dataclass(frozen=True)
class Settings:
    home: Path
    landing: Path
    warehouse: str
    pii_key: str
    reject_threshold: float = DEFAULT_REJECT_THRESHOLD
    raw_retention_months: int = DEFAULT_RAW_RETENTION_MONTHS

    @property
    def pii_key_is_demo(self) -> bool:
        return self.pii_key == DEMO_PII_KEY

    # --- layout of BERJASA_HOME -------------------------------------------------------------
    @property
    def raw_dir(self) -> Path:
        """Immutable raw layer: one Parquet per landed file (raw NIKs and names live only here)."""
        return self.home / "raw"

    @property
    def validated_dir(self) -> Path:
        """Pseudonymised, row-validated Parquet per period (what dbt is fed)."""
        return self.home / "validated"

    @property
    def state_dir(self) -> Path:
        """Publication state fed back to dbt: ledger of billed people, last good lists."""
        return self.home / "state"

    @property
    def dbt_database(self) -> Path:
        return self.home / "dbt" / "berjasa_dbt.duckdb"

    @property
    def dbt_target_dir(self) -> Path:
        # one stable target per home keeps dbt's partial-parse state between runs
        return self.home / "dbt" / "target"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def data_docs_dir(self) -> Path:
        return self.home / "data_docs"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment; keyword overrides (e.g. from CLI flags) win when not None."""
    _load_dotenv()
    home = Path(os.environ.get("BERJASA_HOME") or REPO_ROOT / ".berjasa_home").resolve()
    values: dict[str, object] = {
        "home": home,
        "landing": Path(os.environ.get("BERJASA_LANDING") or home / "landing"),
        "warehouse": os.environ.get("BERJASA_WAREHOUSE") or str(home / "warehouse.duckdb"),
        "pii_key": os.environ.get("BERJASA_PII_KEY") or DEMO_PII_KEY,
        "reject_threshold": float(
            os.environ.get("BERJASA_REJECT_THRESHOLD") or DEFAULT_REJECT_THRESHOLD
        ),
        "raw_retention_months": int(
            os.environ.get("BERJASA_RAW_RETENTION_MONTHS") or DEFAULT_RAW_RETENTION_MONTHS
        ),
    }
    for name, value in overrides.items():
        if value is not None:
            values[name] = value
    values["landing"] = Path(values["landing"]).resolve()  # type: ignore[arg-type]
    return Settings(**values)  # type: ignore[arg-type]
