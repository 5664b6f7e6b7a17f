"""CSV lists: comma or semicolon, UTF-8 (BOM or not) or Windows-1252, streamed with pyarrow.

Row numbering (the `source_row` a department uses to find a rejected row) must be exact, so:
- the reader runs pyarrow's *streaming* CSV reader single-threaded; on 2 cores it is as fast as
  the multi-threaded one (≈0.7 s for 3.6 M rows) and keeps memory to a few blocks;
- `ignore_empty_lines=False`: an empty line stays a (blank) record, so it keeps its place in the
  numbering and is dropped later like any blank spreadsheet row;
- quoted newlines (`newlines_in_values=True`) keep a multi-line cell in one record, as a
  spreadsheet shows it, so record n is spreadsheet row n;
- a line pyarrow cannot fit to the header (a whitespace-only line, or `;;` short of columns)
  reaches the invalid-row handler with its record number: blank ones are skipped and their
  numbers subtracted from the numbering of later rows; a non-blank line with the wrong number
  of fields is a file-level error naming its row.
Every cell is read as text (`column_types` all string, dictionary-encoded as the raw layer
stores repeating text), so a NIK column never passes through float, whatever else is in the
column; an empty cell is null.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from berjasa.ingest.chunk import Chunk
from berjasa.ingest.columns import PLAIN_TEXT, TEXT_DICTIONARY, TableSpec
from berjasa.ingest.errors import FileLevelError

_HEAD_BYTES = 1 << 20
# 4 MB blocks: big enough that per-batch work is noise, small enough that the allocator reuses
# their memory (16 MB ones went back to the OS and were faulted in afresh each time: ~1.5 s more
# system time for the 1.2 GB of CSV of a scale-100 month).
_BLOCK = 4 << 20
_LINES = re.compile(r"\r\n|\r|\n")
_PY_CODEC = {"utf8": "utf-8-sig", "cp1252": "cp1252"}


def _read_header(path: Path, encoding: str, file_name: str) -> tuple[list[str], str, int]:
    """(header fields, delimiter, lines to skip up to and including the header)."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    text = head.decode(_PY_CODEC[encoding], errors="replace")
    for index, line in enumerate(_LINES.split(text)):
        if line.replace("\ufeff", "").strip(" \t;,\"'"):
            delimiter = ";" if line.count(";") > line.count(",") else ","
            fields = next(csv.reader([line.replace("\ufeff", "")], delimiter=delimiter))
            return [f.strip() for f in fields], delimiter, index + 1
    raise FileLevelError(
        file_name,
        "has no header row (the file holds only blank lines): "
        "export the list again with its header row",
    )


def _row_numbers(first: int, kept_before: int, count: int, skipped: np.ndarray) -> pa.Array:
    """Spreadsheet rows of kept records kept_before..kept_before+count-1.

    Records are numbered from `first`; `skipped` (sorted) are record numbers the parser dropped.
    `adjust[j]` = how many kept records precede skipped record j, so kept record i sits after
    searchsorted(adjust, i, 'right') skipped ones.
    """
    kept = np.arange(kept_before, kept_before + count, dtype=np.int64)
    if skipped.size:
        adjust = skipped - first - np.arange(skipped.size)
        kept = kept + np.searchsorted(adjust, kept, side="right")
    return pa.array((kept + first).astype(np.int32), pa.int32())


def iter_csv(path: Path, spec: TableSpec, encoding: str, file_name: str) -> Iterator[Chunk]:
    headers, delimiter, skip_rows = _read_header(path, encoding, file_name)
    mapping = spec.map_headers(list(headers), file_name)
    names = [f"c{i}" for i in range(len(headers))]
    wanted = {names[position]: canonical for canonical, position in mapping.items()}
    skipped: list[int] = []
    bad: list[tuple[int | None, int, int]] = []
    blank_chars = " \t\r\n\"'\ufeff" + delimiter

    def on_invalid(row: pacsv.InvalidRow) -> str:  # never looks at a value beyond blankness
        if not (row.text or "").strip(blank_chars):
            skipped.append(row.number if row.number is not None else -1)
        else:
            bad.append((row.number, row.actual_columns, row.expected_columns))
        return "skip"

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                use_threads=False,
                block_size=_BLOCK,
                column_names=names,
                skip_rows=skip_rows,
                encoding=encoding,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(wanted),
                column_types={name: _type(wanted[name]) for name in wanted},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
        first = skip_rows + 1
        kept_before = 0
        for batch in reader:
            _raise_bad(bad, file_name, len(headers))
            if -1 in skipped:  # pragma: no cover - pyarrow always numbers rows single-threaded
                raise FileLevelError(file_name, "row numbers could not be determined")
            rows = _row_numbers(
                first, kept_before, batch.num_rows, np.asarray(skipped, dtype=np.int64)
            )
            kept_before += batch.num_rows
            columns = {wanted[n]: batch.column(n) for n in wanted}
            yield Chunk(columns, {}, rows)
        _raise_bad(bad, file_name, len(headers))
    except (pa.ArrowException, UnicodeError) as error:  # pyarrow's text may quote a row: drop it
        raise FileLevelError(file_name, _describe(error)) from None


def _type(canonical: str) -> pa.DataType:
    """Text, dictionary-encoded as it is parsed where the raw layer stores it so."""
    return pa.string() if canonical in PLAIN_TEXT else TEXT_DICTIONARY


def _raise_bad(bad: list[tuple[int | None, int, int]], file_name: str, width: int) -> None:
    if bad:
        row, actual, _ = bad[0]
        more = f" ({len(bad) - 1} more such rows)" if len(bad) > 1 else ""
        raise FileLevelError(
            file_name,
            f"has {actual} fields where the header has {width}{more}: check the delimiter and "
            "quotes of that row (a cell containing the delimiter must be in double quotes)",
            row=row,
        )


def _describe(error: Exception) -> str:
    text = str(error)
    if "UTF8" in text or isinstance(error, UnicodeError):
        return "text encoding is neither UTF-8 nor Windows-1252: save it as 'CSV UTF-8'"
    if "quote" in text.lower():
        return "malformed CSV (a quoted cell is never closed): fix the quotes or export again"
    return "could not be read as CSV: export the list again as CSV (comma or semicolon)"
