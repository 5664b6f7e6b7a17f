"""Pandera row contracts of the validated layer (SPEC §3 row rules; ARCHITECTURE schemas A/R/F).

`normalise` parses raw-layer text into typed columns and parse flags; `first_reasons` runs the
row contract and picks each row's first reason by precedence; `tables` holds the output schemas.
"""

from schemas.normalise import cohort_rules, normalise
from schemas.row_contract import ContractError, build_row_schema, first_reasons
from schemas.tables import (
    ACCEPTED_SCHEMA,
    REJECTED_SCHEMA,
    SOURCE_FILES_SCHEMA,
    AcceptedRowsSchema,
    RejectedRowsSchema,
    check_accepted,
    check_rejected,
)

__all__ = [
    "ACCEPTED_SCHEMA",
    "REJECTED_SCHEMA",
    "SOURCE_FILES_SCHEMA",
    "AcceptedRowsSchema",
    "ContractError",
    "RejectedRowsSchema",
    "build_row_schema",
    "check_accepted",
    "check_rejected",
    "cohort_rules",
    "first_reasons",
    "normalise",
]
