"""Read one landed file into its canonical raw table, by format, streaming batch by batch.

`iter_raw_batches` is the single path every caller uses: `read_cohort_file` collects it into a
table (tests, small files), `write_raw` streams it into the immutable raw layer so a big file is
never held whole in memory.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from berjasa.ingest.chunk import Constants, to_raw_batch
from berjasa.ingest.columns import PLAIN_TEXT, TEXT_DICTIONARY, TableSpec, cohort_spec
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

# The raw layer is written once and read back once (validation), in full, on the same machine.
# Writing is most of ingest's CPU, so: no compression (compressing and then decompressing the NIK
# column alone costs more than parsing it; the files are ~2x larger than with zstd), no min/max
# statistics (no reader uses them), and the row numbers delta-encoded (they count up by one).
# Text whose values repeat (dates, sexes, areas, wages, names, the file's name and hash, ...) is
# stored dictionary-encoded *as an Arrow dictionary type*, so a reader gets each row group's
# values once plus an index per row (no million strings to build, and validation parses each
# distinct value once without hashing them again); its values are exactly the text of
# `spec.schema`. The columns whose values are all different stay plain text.

# Rows per row group: validation reads the raw layer in 1 M-row batches, so one row group per batch
# (each row group has its own dictionaries, and a batch spanning two would be cut in two).
ROW_GROUP_ROWS = 1_000_000


def stored_schema(schema: pa.Schema) -> pa.Schema:
    """The raw file's schema: repeating text as dictionaries, the rest as it is."""
    return pa.schema(
        field.with_type(TEXT_DICTIONARY)
        if field.name not in PLAIN_TEXT and field.type in (pa.string(), TEXT_DICTIONARY)
        else field
        for field in schema
    )


def _stored(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` in the stored schema, each dictionary column with one dictionary for the whole
    row group (the writer then stores it and the indices as they are; a dictionary changing
    inside a row group would make it fall back to plain text)."""
    columns = []
    for field, column in zip(schema, table.columns, strict=True):
        if column.type != field.type:
            is_dictionary = pa.types.is_dictionary(field.type)
            column = pc.dictionary_encode(column) if is_dictionary else column.cast(field.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema).unify_dictionaries()


class RowGroups:
    """Re-cuts a stream of batches into tables of exactly ROW_GROUP_ROWS rows (and the rest)."""

    def __init__(self) -> None:
        self._pending: list[pa.RecordBatch] = []
        self._rows = 0

    def add(self, batch: pa.RecordBatch) -> Iterator[pa.Table]:
        if batch.num_rows:
            self._pending.append(batch)
            self._rows += batch.num_rows
        while self._rows >= ROW_GROUP_ROWS:
            table = pa.Table.from_batches(self._pending)
            yield table.slice(0, ROW_GROUP_ROWS)
            rest = table.slice(ROW_GROUP_ROWS)
            self._pending, self._rows = rest.to_batches(), rest.num_rows

    def rest(self) -> Iterator[pa.Table]:
        if self._rows:
            yield pa.Table.from_batches(self._pending)
        self._pending, self._rows = [], 0


def _writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    return pq.ParquetWriter(
        path,
        schema,
        compression="none",
        write_statistics=False,
        use_dictionary=[f.name for f in schema if pa.types.is_dictionary(f.type)],
        column_encoding={"source_row": "DELTA_BINARY_PACKED"},
    )


def _format_of(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def iter_raw_batches(
    path: Path,
    spec: TableSpec,
    facts: FileFacts,
    present: set[str] | None = None,
    constants: Constants | None = None,
) -> Iterator[pa.RecordBatch]:
    """Canonical raw batches of one file, blank rows dropped. `present` collects the canonical
    columns the file actually has (so a reused raw file can be checked against another spec);
    `constants` builds the provenance / cell-type columns (plain text unless told otherwise)."""
    name = path.name
    if facts.size == 0:
        raise FileLevelError(name, "the file is empty (0 bytes): send the list again")
    fmt = _format_of(path)
    if fmt == "csv":
        if facts.encoding is None:
            raise FileLevelError(
                name, "text encoding is neither UTF-8 nor Windows-1252: save it as 'CSV UTF-8'"
            )
        chunks = iter_csv(path, spec, facts.encoding, name)
    elif fmt == "xlsx":
        chunks = iter_xlsx(path, spec, name)
    elif fmt == "parquet":
        chunks = iter_parquet(path, spec, name)
    else:
        raise FileLevelError(name, f"format '.{fmt}' is not read: use .csv, .xlsx or .parquet")
    constants = constants or Constants()
    for chunk in chunks:
        if present is not None:
            present.update(chunk.columns)
        yield to_raw_batch(chunk, spec, name, facts.sha256, constants)


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


_NO_ROWS = (
    "has a header but no data rows: if the list really is empty this month, remove the "
    "file; otherwise export it again"
)


def write_raw(path: Path, spec: TableSpec, facts: FileFacts, raw_path: Path) -> int:
    """Stream one file into `raw_path` (write-once: an existing raw file of the same content and
    kind is reused after checking its columns). Returns rows read (non-blank records)."""
    reused = _reuse(raw_path, spec, path.name)
    if reused is not None:
        return reused
    present: set[str] = set()
    constants = Constants(dictionary=True)
    tmp = raw_path.with_name(f".{raw_path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    rows = 0
    try:
        writer: pq.ParquetWriter | None = None
        try:
            groups = RowGroups()
            schema = stored_schema(spec.schema)
            for batch in iter_raw_batches(path, spec, facts, present, constants):
                if writer is None:
                    writer = _writer(tmp, schema)
                rows += batch.num_rows
                for group in groups.add(batch):
                    writer.write_table(_stored(group, schema), row_group_size=ROW_GROUP_ROWS)
            if writer is not None:
                for group in groups.rest():
                    writer.write_table(_stored(group, schema), row_group_size=ROW_GROUP_ROWS)
                writer.add_key_value_metadata(
                    {
                        META_KIND: spec.kind,
                        META_PRESENT: json.dumps(sorted(present)),
                    }
                )
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
        table = table.set_column(
            position, "source_file", pa.repeat(pa.scalar(landed.name), table.num_rows)
        )
    return table
