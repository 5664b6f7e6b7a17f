"""XLSX (sheet choice, date cells, number NIK cells) and Parquet (int NIK, dates, floats)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from berjasa.ingest import FileLevelError, read_cohort_file

from .conftest import write_parquet, write_xlsx

HEAD = ["NIK", "Nama", "Tgl. Lahir", "Jenis Kelamin", "Kecamatan", "Kelurahan", "Upah"]


def _col(table, name):
    return table.column(name).to_pylist()


def test_xlsx_reads_sheet_named_data_case_insensitive(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "non_asn.xlsx",
        {
            "Petunjuk": [["read me first"]],
            " DATA ": [
                HEAD,
                ["7371014506900001", "Andi", "1990-06-05", "L", "Tallo", "Buloa", 3000625],
            ],
        },
    )
    table = read_cohort_file(path)
    assert _col(table, "nik") == ["7371014506900001"]
    assert _col(table, "upah") == ["3000625"]
    assert _col(table, "source_row") == [2]


def test_xlsx_without_data_sheet_reads_first_sheet(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "rt_rw.xlsx",
        {
            "Sheet1": [
                HEAD,
                ["7371014506900001", "Andi", "05-06-1990", "L", "Tallo", "Buloa", None],
            ],
            "Sheet2": [["nothing"]],
        },
    )
    table = read_cohort_file(path)
    assert _col(table, "tanggal_lahir") == ["05-06-1990"]
    assert _col(table, "tanggal_lahir_cell_type") == ["text"]
    assert _col(table, "upah") == [None]


def test_xlsx_cell_types_for_dates_numbers_and_number_nik(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "rt_rw.xlsx",
        {
            "data": [
                HEAD,
                [7371014506900000, "Andi", dt.date(1990, 6, 5), "L", "Tallo", "Buloa", 2500000.5],
                [None, None, None, None, None, None, None],  # row 3: blank
                ["7371014506900002", "Becce", 33029, "P", "Tallo", "Buloa", None],
            ]
        },
    )
    table = read_cohort_file(path)
    assert _col(table, "nik") == ["7371014506900000", "7371014506900002"]
    assert _col(table, "nik_cell_type") == ["number", "text"]
    assert _col(table, "tanggal_lahir") == ["1990-06-05", "33029"]
    assert _col(table, "tanggal_lahir_cell_type") == ["date", "number"]
    assert _col(table, "upah") == ["2500000.5", None]
    assert _col(table, "source_row") == [2, 4]


def test_xlsx_header_below_blank_rows_keeps_spreadsheet_numbering(tmp_path: Path) -> None:
    row = ["7371014506900001", "Andi", "1990-06-05", "L", "Tallo", "Buloa", "1"]
    path = write_xlsx(tmp_path / "rt_rw.xlsx", {"data": [[], [], HEAD, row, [], [], row]})
    assert _col(read_cohort_file(path), "source_row") == [4, 7]


def test_xlsx_missing_column_and_corrupt_and_empty_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "rt_rw.xlsx", {"data": [HEAD[:4], ["1", "2", "3", "4"]]})
    with pytest.raises(FileLevelError, match="columns 'kecamatan', 'kelurahan' missing"):
        read_cohort_file(path)
    corrupt = tmp_path / "rt_rw__bad.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(FileLevelError, match="cannot be opened as an Excel workbook"):
        read_cohort_file(corrupt)
    with pytest.raises(FileLevelError, match="sheet is empty"):
        read_cohort_file(write_xlsx(tmp_path / "rt_rw__empty.xlsx", {"data": []}))


def test_parquet_int_nik_becomes_16_digit_text_and_dates_iso(tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path / "pekerja_rentan.parquet",
        {
            "NIK": pa.array([7371014506900001, 71014506900001, None], pa.int64()),
            "nama_lengkap": pa.array(["Andi", "Becce", None]),
            "tgl_lahir": pa.array([dt.date(1990, 6, 5), dt.date(1990, 6, 15), None]),
            "jk": pa.array(["L", "P", None]).dictionary_encode(),
            "kecamatan": pa.array(["Tallo", "Tallo", " "]),
            "kelurahan": pa.array(["Buloa", "Buloa", None]),
            "upah": pa.array([3000625.0, None, None]),
            "extra": pa.array([1, 2, 3]),
        },
    )
    table = read_cohort_file(path)
    assert _col(table, "nik") == ["7371014506900001", "0071014506900001"]
    assert _col(table, "nik_cell_type") == ["text", "text"]
    assert _col(table, "tanggal_lahir") == ["1990-06-05", "1990-06-15"]
    assert _col(table, "tanggal_lahir_cell_type") == ["date", "date"]
    assert _col(table, "jenis_kelamin") == ["L", "P"]
    assert _col(table, "upah") == ["3000625", None]
    assert _col(table, "source_row") == [2, 3]


def test_parquet_float_nik_is_a_number_cell_and_timestamp_date(tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path / "rt_rw.parquet",
        {
            "nik": pa.array([7371014506900001.0]),
            "nama": pa.array(["Andi"]),
            "tanggal_lahir": pa.array([dt.datetime(1990, 6, 5)], pa.timestamp("us")),
            "jenis_kelamin": pa.array(["L"]),
            "kecamatan": pa.array(["Tallo"]),
            "kelurahan": pa.array(["Buloa"]),
        },
    )
    table = read_cohort_file(path)
    assert _col(table, "nik") == ["7371014506900001"]
    assert _col(table, "nik_cell_type") == ["number"]
    assert _col(table, "tanggal_lahir") == ["1990-06-05"]


def test_corrupt_parquet_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "rt_rw.parquet"
    path.write_bytes(b"PAR1 broken")
    with pytest.raises(FileLevelError, match="cannot be opened as Parquet"):
        read_cohort_file(path)
