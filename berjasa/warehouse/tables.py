"""What is published, and how a DuckDB column type maps to PostgreSQL.

The publisher is generic over this list: column names and types are read from dbt's database at
run time, so a mart that gains a column needs no change here (only a new table does).
"""

from __future__ import annotations

import re
from pathlib import Path

from berjasa.config import DBT_PROJECT_DIR

SCHEMA = "berjasa"
BI_SCHEMA = "berjasa_bi"

# Tables with a `period` date column: a publication replaces that period's rows only.
PERIOD_TABLES: tuple[str, ...] = (
    "billing_monthly",
    "billing_detail",
    "membership_changes",
    "coverage_monthly",
    "rejected_records",
    "cross_cohort_duplicates",
    "publication_cohort_status",
    "source_file_stats",
)
# Period-less dimensions: replaced whole at every publication.
DIM_TABLES: tuple[str, ...] = ("dim_cohort", "dim_area", "dim_rate", "dim_reason")
PUBLISHED_TABLES: tuple[str, ...] = PERIOD_TABLES + DIM_TABLES
LOG_TABLE = "publication_log"

# publication_log is written by the publisher itself (not by dbt): (column, DuckDB type).
LOG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("publication_id", "BIGINT"),
    ("period", "DATE"),
    ("run_id", "VARCHAR"),
    ("published_at", "TIMESTAMP WITH TIME ZONE"),
    ("status", "VARCHAR"),
    ("input_files", "VARCHAR"),
    ("dtsen_file", "VARCHAR"),
    ("rates_hash", "VARCHAR"),
    ("code_version", "VARCHAR"),
    ("pii_key_fingerprint", "VARCHAR"),
    ("rows_read", "BIGINT"),
    ("rows_accepted", "BIGINT"),
    ("rows_rejected", "BIGINT"),
    ("total_premium_idr", "BIGINT"),
    ("supersede_reason", "VARCHAR"),
)

_SIMPLE_PG_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20,0)",
    "HUGEINT": "numeric(38,0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "DATE": "date",
    "TIMESTAMP": "timestamp without time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "TIME": "time without time zone",
    "INTERVAL": "interval",
    "UUID": "uuid",
}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")


class UnsupportedTypeError(TypeError):
    pass


def is_enum(duckdb_type: str) -> bool:
    """Whether a DuckDB column type is an ENUM (`duckdb_columns()` prints `ENUM('a', ...)`)."""
    return duckdb_type.upper().startswith("ENUM(")


def pg_type(duckdb_type: str, *, where: str = "") -> str:
    """The PostgreSQL type that holds a DuckDB column type exactly (decimals keep scale).

    Spelled as PostgreSQL's `format_type()` prints it, so an existing column compares equal.
    """
    upper = duckdb_type.upper().strip()
    if upper in _SIMPLE_PG_TYPES:
        return _SIMPLE_PG_TYPES[upper]
    match = _DECIMAL.match(upper)
    if match:
        return f"numeric({match.group(1)},{match.group(2)})"
    raise UnsupportedTypeError(
        f"{where}: DuckDB type {duckdb_type} has no PostgreSQL mapping in the publisher"
    )


# Descriptions used for COMMENT ON when the dbt YAML does not provide one.
TABLE_COMMENTS: dict[str, str] = {
    "billing_monthly": "APBD bill per period, cohort and program (whole rupiah).",
    "billing_detail": "Per person and program billed in the period (person_key is an HMAC).",
    "membership_changes": "New, continuing, exited and active people per primary cohort.",
    "coverage_monthly": "Program participants and UCJ coverage per kecamatan and for the city.",
    "rejected_records": "Every rejected input row with its reason (NIK masked).",
    "cross_cohort_duplicates": "People listed in several cohorts, by non-primary cohort.",
    "publication_cohort_status": "Status of each cohort in the published period.",
    "source_file_stats": "Rows read, accepted and rejected per landed file.",
    "dim_cohort": "Cohorts of the Makassar Berjasa program (from the seeds).",
    "dim_area": "Kemendagri kecamatan/kelurahan of Makassar.",
    "dim_rate": "Effective-dated contribution rates (basis points).",
    "dim_reason": "Rejection reason codes with Indonesian and English labels.",
    "publication_log": "One row per publication or finalisation of a period; "
    "a period's current status is its latest row.",
}
COLUMN_COMMENTS: dict[str, dict[str, str]] = {
    "publication_log": {
        "publication_id": "Sequence number of the log row.",
        "status": "draft or final (paid); the latest row of a period is its status.",
        "input_files": "JSON list of {name, sha256} of the landed files used.",
        "rates_hash": "sha256 of the rate and cohort tables used.",
        "pii_key_fingerprint": "Fingerprint of the PII key (never the key).",
        "total_premium_idr": "Sum of billing_monthly.premium_idr for the period.",
        "supersede_reason": "Why a final period was republished (--supersede --reason).",
    },
}


def load_comments(
    models_dir: Path = DBT_PROJECT_DIR / "models" / "marts",
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Table and column descriptions: the Python defaults overlaid with the dbt YAML ones."""
    tables = dict(TABLE_COMMENTS)
    columns = {name: dict(cols) for name, cols in COLUMN_COMMENTS.items()}
    if not models_dir.is_dir():
        return tables, columns
    import yaml

    # the marts' YAML sits in sub-folders (marts/period, marts/dims)
    for path in sorted(models_dir.rglob("*.yml")) + sorted(models_dir.rglob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue  # a broken YAML is dbt's problem; comments are a nicety
        for model in doc.get("models") or []:
            name = model.get("name")
            if not isinstance(name, str):
                continue
            if model.get("description"):
                tables[name] = str(model["description"]).strip()
            for column in model.get("columns") or []:
                if column.get("name") and column.get("description"):
                    columns.setdefault(name, {})[column["name"]] = str(
                        column["description"]
                    ).strip()
    return tables, columns


def quote_literal(text: str) -> str:
    """A SQL string literal (both DuckDB and PostgreSQL: single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"
