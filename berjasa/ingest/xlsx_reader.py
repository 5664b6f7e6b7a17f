"""XLSX lists via python-calamine: the sheet named `data` (any case) if there is one, else the
first (SPEC §2).

Cells keep their spreadsheet meaning as text plus a cell type, so the row contracts can tell a
NIK typed as Text from one held in a number cell (15 significant digits: the 16th may already be
wrong) and a date cell from a date typed as text:
- number cells -> the integer text when whole (7371014506900000, upah 3000625), else as written;
  type 'number';
- date / datetime cells -> 'YYYY-MM-DD', type 'date'; text -> as is, type 'text'.
calamine hands back Python objects, so this is a per-cell loop; a workbook holds at most ~1 M rows
and department lists are tens of thousands, which takes well under a second.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
from python_calamine import CalamineWorkbook

from berjasa.ingest.chunk import Chunk
from berjasa.ingest.columns import TableSpec
from berjasa.ingest.errors import FileLevelError

_CHUNK_ROWS = 100_000


def _cell(value: object) -> tuple[str | None, str]:
    """(text, cell type) of one calamine cell."""
    if value is None or value == "":
        return None, "text"
    if isinstance(value, str):
        return value, "text"
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), "text"
    if isinstance(value, int):
        return str(value), "number"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None, "number"
        return (str(int(value)) if value.is_integer() else repr(value)), "number"
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), "date"
    if isinstance(value, dt.date | dt.time):
        return value.isoformat(), "date"
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds() / 86400), "number"
    return str(value), "text"


def _open_rows(path: Path, file_name: str) -> list[list[object]]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        if not names:
            raise FileLevelError(file_name, "the workbook has no sheet")
        chosen = next((n for n in names if n.strip().lower() == "data"), names[0])
        return workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except FileLevelError:
        raise
    except Exception as error:  # calamine's errors vary by fault; none of them is actionable
        raise FileLevelError(
            file_name,
            f"cannot be opened as an Excel workbook ({type(error).__name__}: corrupt, "
            "password-protected or not really .xlsx): open it in Excel and save it again as .xlsx",
        ) from None


def iter_xlsx(path: Path, spec: TableSpec, file_name: str) -> Iterator[Chunk]:
    rows = _open_rows(path, file_name)
    header_index = next(
        (i for i, row in enumerate(rows) if any((_cell(v)[0] or "").strip() for v in row)),
        None,
    )
    if header_index is None:
        raise FileLevelError(
            file_name,
            "the sheet is empty: put the list (with its header row) "
            "on a sheet named 'data' or on the first sheet",
        )
    headers = [(_cell(v)[0] or "") for v in rows[header_index]]
    mapping = spec.map_headers(list(headers), file_name)
    typed = set(spec.cell_type_columns)
    first_row = header_index + 2  # spreadsheet row (1-based) of the first record
    for start in range(header_index + 1, len(rows), _CHUNK_ROWS):
        block = rows[start : start + _CHUNK_ROWS]
        columns: dict[str, pa.Array] = {}
        cell_types: dict[str, pa.Array] = {}
        for canonical, position in mapping.items():
            cells = [_cell(r[position] if position < len(r) else None) for r in block]
            columns[canonical] = pa.array([c[0] for c in cells], pa.string())
            if canonical in typed:
                kinds = [c[1] for c in cells]
                if canonical == "nik":  # nik_cell_type is 'text' or 'number' only
                    kinds = ["number" if k == "number" else "text" for k in kinds]
                cell_types[canonical] = pa.array(kinds, pa.string())
        offset = first_row + (start - header_index - 1)
        source_row = pa.array(range(offset, offset + len(block)), pa.int32())
        yield Chunk(columns, cell_types, source_row)
