"""Ingest errors: one for a whole landing folder, one for a single file.

A file-level error stops that file (and so its cohort, which becomes `unreadable`) but never the
other files. Messages name the file (and row when relevant) and say what to do; they never carry
a cell value, so they are safe to print, log and store in the ingest report.
"""

from __future__ import annotations

from berjasa.errors import BerjasaInputError


class LandingError(BerjasaInputError):
    """The period's landing folder cannot be read at all (missing folder, bad period)."""


class FileLevelError(BerjasaInputError):
    """One landed file cannot be read: corrupt, empty, a required column missing, ..."""

    def __init__(self, file_name: str, problem: str, row: int | None = None) -> None:
        self.file_name = file_name
        self.problem = problem
        self.row = row
        where = f"{file_name}, row {row}" if row is not None else file_name
        super().__init__(f"{where}: {problem}")
