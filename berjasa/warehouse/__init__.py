"""Publication of dbt's marts to the city data warehouse (DuckDB file or PostgreSQL).

Public API: `publish_period`, `finalize_period`, `period_status`, `grant_roles`, `Provenance`,
`InputFile`, `provenance_from_source`, `read_table`, and the errors below.
"""

from berjasa.warehouse.access import grant_roles
from berjasa.warehouse.provenance import InputFile, Provenance, code_version, provenance_from_source
from berjasa.warehouse.publish import (
    DemoKeyError,
    NotPublishedError,
    PeriodFinalError,
    PublicationResult,
    finalize_period,
    period_status,
    publish_period,
)
from berjasa.warehouse.reader import column_types, read_table
from berjasa.warehouse.source import PrivacyGuardError, SourceError
from berjasa.warehouse.tables import DIM_TABLES, PERIOD_TABLES, PUBLISHED_TABLES
from berjasa.warehouse.targets import SchemaChangedError, WarehouseError

__all__ = [
    "DIM_TABLES",
    "PERIOD_TABLES",
    "PUBLISHED_TABLES",
    "DemoKeyError",
    "InputFile",
    "NotPublishedError",
    "PeriodFinalError",
    "PrivacyGuardError",
    "Provenance",
    "PublicationResult",
    "SchemaChangedError",
    "SourceError",
    "WarehouseError",
    "code_version",
    "column_types",
    "finalize_period",
    "grant_roles",
    "period_status",
    "provenance_from_source",
    "publish_period",
    "read_table",
]
