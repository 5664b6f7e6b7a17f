"""Pipeline state fed back to dbt after a publication: `state/ledger` and `state/good`.

Written only after the warehouse committed, each file atomically (temp file + `os.replace`), so a
crash leaves the previous state, never half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from berjasa.config import Settings
from berjasa.errors import BerjasaError


class StateError(BerjasaError, RuntimeError):
    pass


def ledger_path(settings: Settings, period: str) -> Path:
    return settings.state_dir / "ledger" / f"{period}.parquet"


def good_path(settings: Settings, period: str) -> Path:
    return settings.state_dir / "good" / f"{period}.parquet"


def accepted_path(settings: Settings, period: str) -> Path:
    return settings.validated_dir / period / "accepted.parquet"


def _write_atomic(table: pa.Table, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def check_good_inputs(settings: Settings, period: str, cohorts: Sequence[str]) -> None:
    """Before publishing: the accepted rows of published cohorts must exist to become good."""
    if cohorts and not accepted_path(settings, period).exists():
        raise StateError(
            f"{accepted_path(settings, period)} is missing but cohorts {', '.join(cohorts)} are"
            " published: run validation for the period first"
        )


def write_ledger(settings: Settings, period: str, people: pa.Table) -> Path:
    target = ledger_path(settings, period)
    _write_atomic(people, target)
    return target


def write_good(settings: Settings, period: str, cohorts: Sequence[str]) -> Path:
    """Replace the published cohorts' rows in the good file; keep the other cohorts' rows.

    A cohort that was not published this time keeps its previous good rows (SPEC §3: a broken
    revision never erases a good bill).
    """
    target = good_path(settings, period)
    accepted = accepted_path(settings, period)
    con = duckdb.connect()
    try:
        parts: list[str] = []
        params: list[object] = []
        if accepted.exists():
            new_rows = f"select * from read_parquet({_lit(accepted)})"
            if cohorts:
                marks = ", ".join("?" for _ in cohorts)
                parts.append(f"{new_rows} where cohort_code in ({marks})")
                params.extend(cohorts)
            else:
                parts.append(f"{new_rows} limit 0")
        if target.exists():
            old_rows = f"select * from read_parquet({_lit(target)})"
            if cohorts:
                marks = ", ".join("?" for _ in cohorts)
                parts.append(f"{old_rows} where cohort_code not in ({marks})")
                params.extend(cohorts)
            else:
                parts.append(old_rows)
        if not parts:
            return target  # nothing validated and nothing good before: no file to write
        sql = " union all by name ".join(f"({p})" for p in parts)
        table = con.execute(
            f"select * from ({sql}) order by cohort_code, file_ordinal, source_row", params
        ).to_arrow_table()
    finally:
        con.close()
    _write_atomic(table, target)
    return target


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
