"""Pipeline state fed back to dbt after a publication: `state/ledger` and `state/good`.

Written only after the warehouse committed, each file atomically (temp file + `os.replace`), so a
crash leaves the previous state, never half a file. DuckDB writes the Parquet itself (`COPY ...
TO`): at national scale these are ~10M rows that would cost gigabytes as Arrow tables in Python.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from berjasa import duck
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


def _write_atomic(write: Callable[[Path], None], target: Path) -> None:
    """`write(tmp)` writes the whole file to a temp path beside `target`, then it replaces it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
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


def write_ledger(settings: Settings, period: str, write_people: Callable[[Path], None]) -> Path:
    """The ledger of who was billed in the period; `write_people(path)` writes its Parquet
    (period, person_key, primary_cohort) from dbt's database."""
    target = ledger_path(settings, period)
    _write_atomic(write_people, target)
    return target


def write_good(settings: Settings, period: str, cohorts: Sequence[str]) -> Path:
    """Replace the published cohorts' rows in the good file; keep the other cohorts' rows.

    A cohort that was not published this time keeps its previous good rows (SPEC §3: a broken
    revision never erases a good bill).
    """
    target = good_path(settings, period)
    accepted = accepted_path(settings, period)
    if accepted.exists() and _only_cohorts(cohorts, accepted, target):
        # the usual month, every cohort published: the good file is the accepted file, so
        # link it (a re-validation replaces accepted.parquet by a new file, never in place)
        _write_atomic(lambda tmp: _link_or_copy(accepted, tmp), target)
        return target
    # one list parameter serves both filters; an empty list keeps no new row and every old one
    parts: list[str] = []
    if accepted.exists():
        parts.append(
            f"select * from read_parquet({_lit(accepted)}) where list_contains($published,"
            " cohort_code)"
        )
    if target.exists():
        parts.append(
            f"select * from read_parquet({_lit(target)}) where not list_contains($published,"
            " cohort_code)"
        )
    if not parts:
        return target  # nothing validated and nothing good before: no file to write
    # No sort: row order is not content, validation writes accepted rows in file order already,
    # and sorting ~10M wide rows would cost more than the copy. DuckDB keeps insertion order.
    sql = " union all by name ".join(f"({p})" for p in parts)

    def write(tmp: Path) -> None:
        con = duck.connect()
        try:
            con.execute(
                f"copy ({sql}) to {_lit(tmp)} (format parquet)", {"published": list(cohorts)}
            )
        finally:
            con.close()

    _write_atomic(write, target)
    return target


def _only_cohorts(cohorts: Sequence[str], *files: Path) -> bool:
    """Whether every row of the existing `files` belongs to one of `cohorts`."""
    existing = [path for path in files if path.exists()]
    con = duck.connect()
    try:
        present = {
            row[0]
            for path in existing
            for row in con.execute(
                f"select distinct cohort_code from read_parquet({_lit(path)})"
            ).fetchall()
        }
    finally:
        con.close()
    return present <= set(cohorts)


def _link_or_copy(source: Path, tmp: Path) -> None:
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError:  # another file system, or links not allowed
        shutil.copyfile(source, tmp)


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
