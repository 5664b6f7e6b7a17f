"""Errors a user can act on. Their messages name the file, row and field, never a value, so
they are safe to print and to store in Dagster's event log."""

from __future__ import annotations


class BerjasaError(Exception):
    """Base class: a problem with a clear message, printed without a traceback by the CLI."""


class BerjasaInputError(BerjasaError):
    """Bad input (landing folder, file, row): the message says which and what to do."""
