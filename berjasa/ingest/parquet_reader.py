"""Parquet lists via pyarrow, read batch by batch (bounded memory), every column turned into text.

- a NIK integer column becomes its 16-digit zero-padded text and counts as text (SPEC §2: valid);
- a NIK float column keeps cell type 'number': float64 holds 15-16 significant digits, so the
  last digit may already be wrong, exactly like a spreadsheet number cell;
- date / timestamp columns -> 'YYYY-MM-DD' with cell type 'date'; numbers in a date column ->
  their text with type 'number'; other numbers -> integer text when whole.
`source_row` is the record's position + 1 with the header counted as row 1, like a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from berjasa.ingest.chunk import Chunk, text_of_numbers
from berjasa.ingest.columns import TableSpec
from berjasa.ingest.errors import FileLevelError

_BATCH_ROWS = 256_000


def _as_text(values: pa.Array, canonical: str, file_name: str) -> tuple[pa.Array, str]:
    """(string array, cell type) of one column batch."""
    kind = values.type
    if pa.types.is_dictionary(kind):
        return _as_text(values.dictionary_decode(), canonical, file_name)
    if pa.types.is_null(kind):
        return pa.nulls(len(values), pa.string()), "text"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return pc.cast(values, pa.string()), "text"
    if pa.types.is_integer(kind):
        text = pc.cast(values, pa.string())
        if canonical == "nik":
            return pc.utf8_lpad(text, width=16, padding="0"), "text"
        return text, "number"
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return text_of_numbers(values), "number"
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            values = pc.local_timestamp(values)
        values = pc.cast(values, pa.date32(), safe=False)
        kind = values.type
    if pa.types.is_date(kind):
        return pc.cast(pc.cast(values, pa.date32()), pa.string()), "date"
    if pa.types.is_boolean(kind):
        return pc.if_else(values, "TRUE", "FALSE"), "text"
    raise FileLevelError(
        file_name,
        f"column '{canonical}' has type {kind}, which cannot be read "
        "as text: store it as a string column",
    )


def iter_parquet(path: Path, spec: TableSpec, file_name: str) -> Iterator[Chunk]:
    try:
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
    except (pa.ArrowException, OSError):
        raise FileLevelError(
            file_name,
            "cannot be opened as Parquet (corrupt or not really .parquet): write the file again",
        ) from None
    mapping = spec.map_headers(list(names), file_name)
    if any(names.count(names[position]) > 1 for position in mapping.values()):
        raise FileLevelError(file_name, "has two columns with the same name: keep only one")
    typed = set(spec.cell_type_columns)
    row = 2  # header is row 1
    try:
        for batch in parquet.iter_batches(
            batch_size=_BATCH_ROWS, columns=[names[p] for p in mapping.values()]
        ):
            columns: dict[str, pa.Array] = {}
            cell_types: dict[str, pa.Array | str] = {}
            for canonical, position in mapping.items():
                text, cell_type = _as_text(batch.column(names[position]), canonical, file_name)
                columns[canonical] = text
                if canonical in typed:
                    allowed = ("number",) if canonical == "nik" else ("date", "number")
                    cell_type = cell_type if cell_type in allowed else "text"
                    cell_types[canonical] = cell_type  # the same for the whole column
            source_row = pa.array(np.arange(row, row + batch.num_rows, dtype=np.int32))
            row += batch.num_rows
            yield Chunk(columns, cell_types, source_row)
    except (pa.ArrowException, OSError):
        raise FileLevelError(file_name, "Parquet data is corrupt: write the file again") from None
