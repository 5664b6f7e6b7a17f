"""The I/O floor: how long DuckDB alone takes to read the month's landing files and write each
one once as Parquet. No pipeline can be faster than reading its input and writing it once, so
pipeline wall time / floor says how much the pipeline costs beyond the unavoidable.

DuckDB runs with its defaults (a fresh in-memory connection, all threads, default Parquet
compression). CSVs are read as text (`all_varchar`), with the delimiter of their header line and
their encoding (UTF-8, with or without BOM; anything else is read as latin-1, close enough to
Windows-1252 for timing). XLSX files are excluded (DuckDB cannot read them without an
extension; only scales below 10 have them) and listed as such.
"""

from __future__ import annotations

import codecs
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

SAMPLE_BYTES = 64 * 1024


@dataclass(frozen=True)
class FloorFile:
    name: str
    rows: int
    seconds: float


@dataclass(frozen=True)
class IoFloor:
    seconds: float
    files: list[FloorFile]
    excluded: list[str]


def landing_inputs(landing: Path, period: str) -> tuple[list[Path], list[Path]]:
    """(included, excluded): the period folder's files and the landing-root opening list."""
    candidates = sorted(p for p in (landing / period).iterdir() if p.is_file())
    candidates += sorted(
        p for p in landing.iterdir() if p.is_file() and p.name.lower().startswith("_opening")
    )
    included = [p for p in candidates if p.suffix.lower() in (".csv", ".parquet")]
    excluded = [p for p in candidates if p not in included]
    return included, excluded


def csv_dialect(path: Path) -> tuple[str, str]:
    """(delimiter, DuckDB encoding) from the first bytes of a CSV."""
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        encoding = "utf-8"
    except UnicodeDecodeError:
        text = sample.decode("latin-1")
        encoding = "latin-1"
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    return (";" if header.count(";") > header.count(",") else ","), encoding


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _source_sql(path: Path) -> str:
    if path.suffix.lower() == ".parquet":
        return f"read_parquet({_literal(str(path))})"
    delimiter, encoding = csv_dialect(path)
    return (
        f"read_csv({_literal(str(path))}, delim={_literal(delimiter)}, "
        f"encoding={_literal(encoding)}, header=true, all_varchar=true)"
    )


def measure_io_floor(landing: Path, period: str, out_dir: Path) -> IoFloor:
    """Reads every CSV/Parquet input once and writes it to `out_dir` as Parquet; timed whole."""
    included, excluded = landing_inputs(landing, period)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[FloorFile] = []
    t0 = time.perf_counter()
    con = duckdb.connect()
    try:
        for i, path in enumerate(included):
            target = out_dir / f"{i:02d}_{path.stem}.parquet"
            t_file = time.perf_counter()
            (rows,) = con.execute(
                f"copy (select * from {_source_sql(path)}) "
                f"to {_literal(str(target))} (format parquet)"
            ).fetchone()
            files.append(FloorFile(path.name, int(rows), round(time.perf_counter() - t_file, 3)))
    finally:
        con.close()
    seconds = time.perf_counter() - t0
    return IoFloor(seconds, files, [p.name for p in excluded])
