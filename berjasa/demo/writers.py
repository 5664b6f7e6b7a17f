"""Streaming writers for the three landing formats, one chunk at a time.

Each writer returns the spreadsheet row number of every data row it wrote (header = row 1),
which is what the truth file records; blank rows keep the numbering going.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xlsxwriter

from berjasa.demo.formats import FileSpec
from berjasa.demo.render import DATE, NUMBER, Chunk

# Fixed document timestamp: same inputs, same bytes.
_XLSX_CREATED = dt.datetime(2024, 1, 1, 8, 0, 0)


class CsvFileWriter:
    def __init__(self, path: Path, spec: FileSpec, n_rows: int) -> None:
        self.spec = spec
        self.handle = path.open("wb")
        if spec.encoding == "utf-8-sig":
            self.handle.write(b"\xef\xbb\xbf")
        self.written = 0
        self.blank_after = n_rows // 2 if spec.mid_blank and n_rows >= 4 else -1
        self.header_done = False

    def _encode(self, data: bytes) -> bytes:
        if self.spec.encoding == "cp1252":
            return data.decode("utf-8").encode("cp1252")
        return data

    def _blank_line(self) -> bytes:
        return (self.spec.delimiter * (len(self.spec.headers) - 1) + "\n").encode("ascii")

    def _field(self, values: pa.Array) -> pa.Array:
        """Quote only the values that need it, as a spreadsheet's "Save as CSV" does."""
        values = pc.fill_null(pc.cast(values, pa.string()), "")
        needs = pc.or_(
            pc.match_substring(values, self.spec.delimiter), pc.match_substring(values, '"')
        )
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
        return pc.if_else(needs, quoted, values)

    def _write_table(self, table: pa.Table) -> None:
        parts = []
        if not self.header_done:
            header = self.spec.delimiter.join(self.spec.headers.values())
            parts.append(header + "\n")
            self.header_done = True
        if table.num_rows:
            fields = [self._field(column.combine_chunks()) for column in table.columns]
            lines = pc.binary_join_element_wise(*fields, self.spec.delimiter)
            parts.append("\n".join(lines.to_pylist()) + "\n")
        self.handle.write(self._encode("".join(parts).encode("utf-8")))

    def write(self, chunk: Chunk) -> np.ndarray:
        table = pa.table({self.spec.headers[c]: chunk.columns[c] for c in self.spec.headers})
        n = table.num_rows
        local = self.written + np.arange(n, dtype=np.int64)
        split = self.blank_after - self.written + 1
        if 0 < split < n or (split == n and n > 0):
            self._write_table(table.slice(0, split))
            self.handle.write(self._blank_line())
            if split < n:
                self._write_table(table.slice(split))
        else:
            self._write_table(table)
        self.written += n
        return local + 2 + (local > self.blank_after) * (self.blank_after >= 0)

    def close(self) -> None:
        if not self.header_done:  # pragma: no cover - a list always has rows
            self._write_table(
                pa.table({h: pa.array([], pa.string()) for h in self.spec.headers.values()})
            )
        for _ in range(self.spec.trailing_blank):
            self.handle.write(self._blank_line())
        self.handle.close()


class ParquetFileWriter:
    def __init__(self, path: Path, spec: FileSpec, n_rows: int) -> None:
        self.path, self.spec = path, spec
        self.writer: pq.ParquetWriter | None = None
        self.written = 0

    def write(self, chunk: Chunk) -> np.ndarray:
        table = pa.table({self.spec.headers[c]: chunk.columns[c] for c in self.spec.headers})
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        self.writer.write_table(table)
        rows = self.written + 2 + np.arange(table.num_rows, dtype=np.int64)
        self.written += table.num_rows
        return rows

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class XlsxFileWriter:
    """xlsxwriter in constant_memory mode: rows go straight to disk, in order."""

    def __init__(self, path: Path, spec: FileSpec, n_rows: int) -> None:
        self.spec = spec
        self.book = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "strings_to_numbers": False}
        )
        self.book.set_properties({"created": _XLSX_CREATED, "author": "Berjasa demo"})
        self.bold = self.book.add_format({"bold": True})
        self.date_format = self.book.add_format({"num_format": "dd/mm/yyyy"})
        self.blank_format = self.book.add_format({"border": 1})
        if spec.sheet_layout == "data_second":
            notes = self.book.add_worksheet("Petunjuk")
            for i, line in enumerate(
                (
                    "Daftar peserta BPJS Ketenagakerjaan - Makassar Berjasa",
                    "Isi data pada sheet 'data'. Kolom NIK harus berformat Teks.",
                    "Tanggal lahir diisi sebagai tanggal.",
                )
            ):
                notes.write_string(i, 0, line)
            self.sheet = self.book.add_worksheet("data")
        else:
            self.sheet = self.book.add_worksheet("Kader KB")
        for col, header in enumerate(spec.headers.values()):
            self.sheet.write_string(0, col, header, self.bold)
        self.next_row = 1

    def write(self, chunk: Chunk) -> np.ndarray:
        sheet = self.sheet
        names = list(self.spec.headers)
        values = [chunk.columns[c].to_pylist() for c in names]
        types = [chunk.cell_types.get(c) for c in names]
        n = len(values[0])
        first = self.next_row
        for i in range(n):
            r = first + i
            for col, (column_values, column_types) in enumerate(zip(values, types, strict=True)):
                value = column_values[i]
                if value is None or value == "":
                    continue
                cell = column_types[i] if column_types is not None else 0
                if cell == NUMBER:
                    sheet.write_number(r, col, float(value))
                elif cell == DATE:
                    sheet.write_number(r, col, int(value), self.date_format)
                else:
                    sheet.write_string(r, col, value)
        self.next_row += n
        return np.arange(first + 1, first + 1 + n, dtype=np.int64)

    def close(self) -> None:
        for i in range(self.spec.trailing_blank):
            for col in range(len(self.spec.headers)):
                self.sheet.write_blank(self.next_row + i, col, None, self.blank_format)
        if self.spec.sheet_layout == "no_data":
            summary = self.book.add_worksheet("Rekap")
            summary.write_string(0, 0, "Rekap kader per kecamatan", self.bold)
            summary.write_string(1, 0, "Lihat sheet pertama untuk daftar nama.")
        self.book.close()


WRITERS = {"csv": CsvFileWriter, "parquet": ParquetFileWriter, "xlsx": XlsxFileWriter}
