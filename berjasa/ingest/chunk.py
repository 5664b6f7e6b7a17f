"""The unit every format reader yields, and its conversion into a canonical raw batch.

A reader yields `Chunk`s: the canonical columns it found (all pa.string()), per-cell types for
the columns that need them, and the 1-based spreadsheet row of each record. `to_raw_batch` adds
the missing optional columns as nulls, drops entirely blank rows (all canonical cells empty or
whitespace: not records, SPEC §2) while keeping the row numbers of later rows, and stamps the
provenance columns. Everything is vectorised over the chunk.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import pyarrow as pa
import pyarrow.compute as pc

from berjasa.ingest.columns import TableSpec


@dataclass(frozen=True)
class Chunk:
    columns: dict[str, pa.Array]  # canonical name -> string array (only the columns present)
    cell_types: dict[str, pa.Array]  # canonical name -> 'text'/'number'/'date' per cell
    source_row: pa.Array  # int32, 1-based spreadsheet row

    def __len__(self) -> int:
        return len(self.source_row)


def blank_mask(arrays: list[pa.Array]) -> pa.Array:
    """True where every given cell is null, empty or whitespace only."""
    empties = [pc.fill_null(pc.equal(pc.utf8_trim_whitespace(a), ""), True) for a in arrays]
    return reduce(pc.and_, empties)


def to_raw_batch(chunk: Chunk, spec: TableSpec, file_name: str, sha256: str) -> pa.RecordBatch:
    size = len(chunk)
    data = [chunk.columns.get(c, pa.nulls(size, pa.string())) for c in spec.columns]
    types = [chunk.cell_types.get(c, pa.repeat(pa.scalar("text"), size))
             for c in spec.cell_type_columns]
    arrays = [
        *data,
        pa.repeat(pa.scalar(file_name), size),
        chunk.source_row,
        pa.repeat(pa.scalar(sha256), size),
        *types,
    ]
    batch = pa.RecordBatch.from_arrays(arrays, schema=spec.schema)
    present = [chunk.columns[c] for c in spec.columns if c in chunk.columns]
    if not present or size == 0:
        return batch.slice(0, 0)
    return batch.filter(pc.invert(blank_mask(present)))


def text_of_numbers(values: pa.Array) -> pa.Array:
    """Numbers as text the way a person reads them: whole values without `.0` (3000625.0 ->
    '3000625'), others as written; NaN / infinities (pandas' missing) become null."""
    if pa.types.is_integer(values.type) or pa.types.is_decimal(values.type):
        return pc.cast(values, pa.string())
    floats = pc.cast(values, pa.float64())
    finite = pc.fill_null(pc.is_finite(floats), False)
    in_range = pc.less(pc.abs(pc.if_else(finite, floats, 0.0)), 9.0e18)
    whole = pc.and_(pc.and_(finite, in_range), pc.equal(pc.floor(floats), floats))
    as_int = pc.cast(pc.if_else(whole, floats, 0.0), pa.int64(), safe=False)
    return pc.if_else(
        whole,
        pc.cast(as_int, pa.string()),
        pc.if_else(finite, pc.cast(floats, pa.string()), pa.scalar(None, pa.string())),
    )
