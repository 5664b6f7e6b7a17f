"""Raw-layer-shaped tables for the row-contract tests (ARCHITECTURE.md "Raw layer").

Every canonical column is text, plus source_file, source_row, file_sha256 and the cell types.
The base row is a valid woman from Mariso: NIK digits 7-12 `450690` = day 05 + 40, June 1990.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.normalise import RAW_TEXT_COLUMNS

PERIOD = "2025-03"
PII_KEY = "test-key-for-contract-tests"
WOMAN_NIK = "7371014506900001"
MAN_NIK = "7371010506900001"

BASE_ROW: dict[str, str | None] = {
    "nik": WOMAN_NIK,
    "nama": "Siti Aminah",
    "tanggal_lahir": "1990-06-05",
    "jenis_kelamin": "P",
    "kecamatan": "Mariso",
    "kelurahan": "Bontorannu",
    "upah": "Rp 3.000.625,00",
    "no_hp": "081234567890",
    "alamat": "Jl. Contoh No. 1",
    "pekerjaan": "Staf",
    "disabilitas": "N",
    "nik_cell_type": "text",
    "tanggal_lahir_cell_type": "text",
}


def raw_table(rows: list[dict[str, str | None]], source_file: str = "cohort.csv") -> pa.Table:
    """Rows given as overrides of BASE_ROW, numbered like a spreadsheet (first data row = 2)."""
    full = [{**BASE_ROW, **row} for row in rows]
    columns: dict[str, pa.Array] = {
        name: pa.array([r[name] for r in full], pa.string()) for name in RAW_TEXT_COLUMNS
    }
    columns["source_file"] = pa.array([source_file] * len(full), pa.string())
    columns["source_row"] = pa.array([str(i + 2) for i in range(len(full))], pa.string())
    columns["file_sha256"] = pa.array(["ab" * 32] * len(full), pa.string())
    columns["nik_cell_type"] = pa.array([r["nik_cell_type"] for r in full], pa.string())
    columns["tanggal_lahir_cell_type"] = pa.array(
        [r["tanggal_lahir_cell_type"] for r in full], pa.string()
    )
    return pa.table(columns)
