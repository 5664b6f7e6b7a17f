"""Read one landed file into its canonical raw table, by format, streaming batch by batch.

`iter_raw_batches` is the single path every caller uses: `read_cohort_file` collects it into a
table (tests, small files), `write_raw` streams it into the immutable raw layer so a big file is
never held whole in memory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from berjasa.ingest.chunk import to_raw_batch
from berjasa.ingest.columns import TableSpec, cohort_spec
from berjasa.ingest.csv_reader import iter_csv
from berjasa.ingest.errors import FileLevelError
from berjasa.ingest.fileinfo import FileFacts, scan_file
from berjasa.ingest.names import classify_name
from berjasa.ingest.parquet_reader import iter_parquet
from berjasa.ingest.report import LandedFile
from berjasa.ingest.xlsx_reader import iter_xlsx
from berjasa.seeds import cohort_codes

META_KIND = b"berjasa.kind"
META_PRESENT = b"berjasa.present_columns"


def _format_of(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def iter_raw_batches(
    path: Path, spec: TableSpec, facts: FileFacts, present: set[str] | None = None
) -> Iterator[pa.RecordBatch]:
    """Canonical raw batches of one file, blank rows dropped. `present` collects the canonical
    columns the file actually has (so a reused raw file can be checked against another spec)."""
    name = path.name
    if facts.size == 0:
        raise FileLevelError(name, "the file is empty (0 bytes): send the list again")
    fmt = _format_of(path)
    if fmt == "csv":
        if facts.encoding is None:
            raise FileLevelError(name, "text encoding is neither UTF-8 nor Windows-1252: save "
                                       "it as 'CSV UTF-8'")
        chunks = iter_csv(path, spec, facts.encoding, name)
    elif fmt == "xlsx":
        chunks = iter_xlsx(path, spec, name)
    elif fmt == "parquet":
        chunks = iter_parquet(path, spec, name)
    else:
        raise FileLevelError(name, f"format '.{fmt}' is not read: use .csv, .xlsx or .parquet")
    for chunk in chunks:
        if present is not None:
            present.update(chunk.columns)
        yield to_raw_batch(chunk, spec, name, facts.sha256)


def read_file(path: Path, spec: TableSpec) -> pa.Table:
    facts = scan_file(path, detect_encoding=_format_of(path) == "csv")
    table = pa.Table.from_batches(list(iter_raw_batches(path, spec, facts)), schema=spec.schema)
    if table.num_rows == 0:
        raise FileLevelError(path.name, _NO_ROWS)
    return table


def read_cohort_file(path: Path, cohort_code: str | None = None) -> pa.Table:
    """The canonical raw table of one cohort file (raises FileLevelError on a file-level fault).

    The cohort (which decides whether `upah` is required) comes from the file name unless given.
    """
    path = Path(path)
    if cohort_code is None:
        cohort_code = classify_name(path.name, cohort_codes()).cohort_code
    return read_file(path, cohort_spec(cohort_code))


_NO_ROWS = ("has a header but no data rows: if the list really is empty this month, remove the "
            "file; otherwise export it again")


def write_raw(path: Path, spec: TableSpec, facts: FileFacts, raw_path: Path) -> int:
    """Stream one file into `raw_path` (write-once: an existing raw file of the same content and
    kind is reused after checking its columns). Returns rows read (non-blank records)."""
    reused = _reuse(raw_path, spec, path.name)
    if reused is not None:
        return reused
    present: set[str] = set()
    tmp = raw_path.with_name(f".{raw_path.name}.{os.getpid()}.tmp")
    rows = 0
    try:
        writer: pq.ParquetWriter | None = None
        try:
            for batch in iter_raw_batches(path, spec, facts, present):
                if writer is None:
                    writer = pq.ParquetWriter(tmp, spec.schema, compression="zstd")
                if batch.num_rows:
                    writer.write_batch(batch)
                    rows += batch.num_rows
            if writer is not None:
                writer.add_key_value_metadata({
                    META_KIND: spec.kind, META_PRESENT: json.dumps(sorted(present)),
                })
        finally:
            if writer is not None:
                writer.close()
        if rows == 0:
            raise FileLevelError(path.name, _NO_ROWS)
        os.replace(tmp, raw_path)
    finally:
        tmp.unlink(missing_ok=True)
    return rows


def _reuse(raw_path: Path, spec: TableSpec, file_name: str) -> int | None:
    """Rows of an existing raw file of the same content, or None when it must be (re)written.

    The raw layer is write-once per content hash. The same bytes landed under another cohort's
    name must still meet that cohort's required columns, so the present columns are re-checked.
    """
    if not raw_path.exists():
        return None
    try:
        metadata = pq.read_metadata(raw_path)
        kv = metadata.metadata or {}
        if kv.get(META_KIND, b"").decode() != spec.kind:
            return None
        present = json.loads(kv[META_PRESENT])
    except (pa.ArrowException, OSError, KeyError, ValueError):
        return None  # not a complete raw file of ours: write it again
    spec.map_headers(present, file_name)  # raises FileLevelError naming a missing column
    return metadata.num_rows


def read_raw(landed: LandedFile, columns: list[str] | None = None) -> pa.Table:
    """The raw table of one landed file, with `source_file` set to the name it landed under.

    Raw files are keyed by content hash, so identical bytes landed under two names in one period
    share a raw file whose stored `source_file` is the first name; the report's name wins.
    """
    if landed.raw_path is None:
        raise ValueError(f"{landed.name} has no raw table (status {landed.status})")
    table = pq.read_table(landed.raw_path, columns=columns)
    if "source_file" in table.column_names:
        position = table.column_names.index("source_file")
        table = table.set_column(position, "source_file",
                                 pa.repeat(pa.scalar(landed.name), table.num_rows))
    return table
