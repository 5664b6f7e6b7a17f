"""The unit every format reader yields, and its conversion into a canonical raw batch.

A reader yields `Chunk`s: the canonical columns it found (all text; the CSV reader hands
repeating columns over dictionary-encoded), per-cell types for the columns that need them, and
the 1-based spreadsheet row of each record. `to_raw_batch` adds the missing optional columns as
nulls, drops entirely blank rows (all canonical cells empty or whitespace: not records, SPEC §2)
while keeping the row numbers of later rows, and stamps the provenance columns. Everything is
vectorised over the chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from berjasa.ingest.columns import TableSpec


@dataclass(frozen=True)
class Chunk:
    # canonical name -> text (string, or dictionary of string), only the columns present
    columns: dict[str, pa.Array]
    # canonical name -> 'text'/'number'/'date' per cell, or one such string for every cell
    cell_types: dict[str, pa.Array | str]
    source_row: pa.Array  # int32, 1-based spreadsheet row

    def __len__(self) -> int:
        return len(self.source_row)


class Constants:
    """The same-value text columns of one file's batches: file name, hash, cell types.

    Built once at the largest size seen and sliced (zero-copy) for each batch, instead of
    repeating a 64-character hash a million times per batch. With `dictionary=True` (building
    batches for the raw file, which stores repeating text dictionary-encoded) they are one-entry
    dictionary arrays, and dictionary-encoded text from a reader is kept as it is.
    """

    def __init__(self, dictionary: bool = False) -> None:
        self.dictionary = dictionary
        self._arrays: dict[str, pa.Array] = {}

    def get(self, value: str, size: int) -> pa.Array:
        array = self._arrays.get(value)
        if array is None or len(array) < size:
            if self.dictionary:
                zeros = pa.array(np.zeros(size, dtype=np.int32))
                array = pa.DictionaryArray.from_arrays(zeros, pa.array([value], pa.string()))
            else:
                array = pa.repeat(pa.scalar(value, pa.string()), size)
            self._arrays[value] = array
        return array.slice(0, size)

    def text(self, array: pa.Array) -> pa.Array:
        """A data column as handed on: dictionary-encoded text decoded unless writing."""
        if pa.types.is_dictionary(array.type) and not self.dictionary:
            return array.cast(pa.string())
        return array

    def cells(self, types: pa.Array | str | None, size: int) -> pa.Array:
        """A cell-type column: 'text' when the reader gave none."""
        if types is None or isinstance(types, str):
            return self.get(types or "text", size)
        return pc.dictionary_encode(types) if self.dictionary else types


def _blank_cells(array: pa.Array) -> pa.Array:
    """True where a cell is null, empty or whitespace only. `utf8_is_space` is exactly "trims
    to nothing" for a non-empty cell (same Unicode space set as `utf8_trim_whitespace`) and
    stops at the first other character, so no trimmed copy is made. Dictionary-encoded text
    is judged per dictionary entry."""
    if pa.types.is_dictionary(array.type):
        return pc.fill_null(pc.take(_blank_cells(array.dictionary), array.indices), True)
    blank = pc.or_(pc.equal(pc.binary_length(array), 0), pc.utf8_is_space(array))
    return pc.fill_null(blank, True)


def blank_mask(arrays: list[pa.Array]) -> pa.Array | None:
    """True where every given cell is null, empty or whitespace; None when no row is blank.

    A real list has (nearly) no blank records, so the first column usually settles it and the
    other columns are only looked at when it has a blank cell.
    """
    mask = _blank_cells(arrays[0])
    for array in arrays[1:]:
        if not pc.any(mask).as_py():
            return None
        mask = pc.and_(mask, _blank_cells(array))
    return mask if pc.any(mask).as_py() else None


def _schema(spec: TableSpec, arrays: list[pa.Array]) -> pa.Schema:
    """`spec.schema` with each column typed as its array is: text may be dictionary-encoded
    when the batch is built for the Parquet writer (see `Constants`)."""
    fields = []
    for field, array in zip(spec.schema, arrays, strict=True):
        if array.type != field.type:
            if not (pa.types.is_dictionary(array.type) and array.type.value_type == field.type):
                raise TypeError(f"raw column {field.name} is {array.type}, not {field.type}")
            field = field.with_type(array.type)
        fields.append(field)
    return pa.schema(fields)


def to_raw_batch(
    chunk: Chunk,
    spec: TableSpec,
    file_name: str,
    sha256: str,
    constants: Constants | None = None,
) -> pa.RecordBatch:
    size = len(chunk)
    constants = constants or Constants()
    data = [constants.text(chunk.columns.get(c, pa.nulls(size, pa.string()))) for c in spec.columns]
    types = [constants.cells(chunk.cell_types.get(c), size) for c in spec.cell_type_columns]
    arrays = [
        *data,
        constants.get(file_name, size),
        chunk.source_row,
        constants.get(sha256, size),
        *types,
    ]
    batch = pa.RecordBatch.from_arrays(arrays, schema=_schema(spec, arrays))
    present = [chunk.columns[c] for c in spec.columns if c in chunk.columns]
    if not present or size == 0:
        return batch.slice(0, 0)
    blank = blank_mask(present)
    return batch if blank is None else batch.filter(pc.invert(blank))


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
