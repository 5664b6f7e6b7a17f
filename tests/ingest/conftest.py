"""Small fixture files written in tmp_path: CSV (any encoding), XLSX (xlsxwriter), Parquet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

HEADER = "nik;nama;tanggal_lahir;jenis_kelamin;kecamatan;kelurahan"
ROW_A = "7371014506900001;Andi;1990-06-05;L;Tallo;Kalukuang"
ROW_B = "7371015506900002;Becce;1990-06-15;P;Tallo;Buloa"


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Each cell: str -> string cell, int/float -> number cell, date -> date cell, None -> empty."""
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, date_format)
                else:
                    sheet.write_number(r, c, value)
    workbook.close()
    return path


def write_parquet(path: Path, columns: dict[str, pa.Array]) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing" / "2025-03"
    folder.mkdir(parents=True)
    return folder
