"""Every row-local reason code: a row that trips it and a near miss that must pass."""

from __future__ import annotations

import datetime as dt

import pytest
from contract_rows import MAN_NIK, PERIOD, PII_KEY, WOMAN_NIK, raw_table

from berjasa.validate import validate_raw_table

MAN = {"nik": MAN_NIK, "jenis_kelamin": "L"}


def judge(cohort: str, row: dict, source_file: str = "cohort.csv", period: str = PERIOD):
    """(reason_code, reason_detail) of a single row; (None, None) when accepted."""
    accepted, rejected = validate_raw_table(
        raw_table([row], source_file), cohort, period, 1, PII_KEY
    )
    assert accepted.num_rows + rejected.num_rows == 1
    if accepted.num_rows:
        return None, None
    return rejected.column("reason_code")[0].as_py(), rejected.column("reason_detail")[0].as_py()


REJECTS = [
    # missing_field
    ("rt_rw", {"nik": ""}, "missing_field", "nik: empty"),
    ("rt_rw", {"nik": " '' "}, "missing_field", "nik: empty"),
    ("rt_rw", {"nama": "   "}, "missing_field", "nama: empty"),
    ("rt_rw", {"nama": None}, "missing_field", "nama: empty"),
    ("rt_rw", {"tanggal_lahir": ""}, "missing_field", "tanggal_lahir: empty"),
    ("rt_rw", {"jenis_kelamin": None}, "missing_field", "jenis_kelamin: empty"),
    (
        "rt_rw",
        {"jenis_kelamin": "W"},
        "missing_field",
        "jenis_kelamin: not L/P/Laki-laki/Perempuan",
    ),
    (
        "rt_rw",
        {"jenis_kelamin": "Wanita"},
        "missing_field",
        "jenis_kelamin: not L/P/Laki-laki/Perempuan",
    ),
    ("rt_rw", {"kecamatan": ""}, "missing_field", "kecamatan: empty"),
    ("rt_rw", {"kelurahan": " "}, "missing_field", "kelurahan: empty"),
    # nik_format
    ("rt_rw", {"nik": "737101450690001"}, "nik_format", "nik: not 16 digits"),
    ("rt_rw", {"nik": "73710145069000011"}, "nik_format", "nik: not 16 digits"),
    ("rt_rw", {"nik": "7371O14506900001"}, "nik_format", "nik: not 16 digits"),
    ("rt_rw", {"nik": "7371 0145 0690 0001"}, "nik_format", "nik: not 16 digits"),
    (
        "rt_rw",
        {"nik": "7.37E+15"},
        "nik_format",
        "nik: scientific notation - format the column as Text",
    ),
    (
        "rt_rw",
        {"nik": "7.37101E+15"},
        "nik_format",
        "nik: scientific notation - format the column as Text",
    ),
    ("rt_rw", {"nik": "7371014506900000"}, "nik_format", "nik: serial (last 4 digits) 0000"),
    # invalid_date
    ("rt_rw", {"tanggal_lahir": "1990-13-05"}, "invalid_date", None),
    ("rt_rw", {"tanggal_lahir": "31/02/1990"}, "invalid_date", None),
    ("rt_rw", {"tanggal_lahir": "32999"}, "invalid_date", None),
    ("rt_rw", {"tanggal_lahir": "5.6.1990"}, "invalid_date", None),
    ("rt_rw", {"tanggal_lahir": "05-06/1990"}, "invalid_date", None),
    ("rt_rw", {"tanggal_lahir": "1990-06-05 10:30:00"}, "invalid_date", None),
    ("rt_rw", {"tanggal_lahir": "1990/06/05"}, "invalid_date", None),
    ("rt_rw", {"tanggal_lahir": "5 Juni 1990"}, "invalid_date", None),
    (
        "rt_rw",
        {"tanggal_lahir": "1990-06-05", "tanggal_lahir_cell_type": "number"},
        "invalid_date",
        None,
    ),
    (
        "rt_rw",
        {"nik": "7371014203250001", "tanggal_lahir": "2025-03-02"},
        "invalid_date",
        "tanggal_lahir: after period start",
    ),
    # nik_birthdate_mismatch
    ("rt_rw", {"jenis_kelamin": "L"}, "nik_birthdate_mismatch", None),
    ("rt_rw", {"nik": MAN_NIK}, "nik_birthdate_mismatch", None),
    ("rt_rw", {"tanggal_lahir": "1990-06-06"}, "nik_birthdate_mismatch", None),
    ("rt_rw", {"tanggal_lahir": "1990-07-05"}, "nik_birthdate_mismatch", None),
    ("rt_rw", {"tanggal_lahir": "1991-06-05"}, "nik_birthdate_mismatch", None),
    # unknown_area
    (
        "rt_rw",
        {"kecamatan": "Somba Opu", "kelurahan": "Sungguminasa"},
        "unknown_area",
        "kecamatan: not in Makassar reference",
    ),
    (
        "rt_rw",
        {"kelurahan": "Antah Berantah"},
        "unknown_area",
        "kelurahan: not in Makassar reference",
    ),
    ("rt_rw", {"kelurahan": "Pannampu"}, "unknown_area", "kelurahan: not in kecamatan"),
    ("non_asn", {"kelurahan": "Pannampu"}, "unknown_area", "kelurahan: not in kecamatan"),
    (
        "non_asn",
        {"kelurahan": "Antah Berantah"},
        "unknown_area",
        "kelurahan: not in Makassar reference",
    ),
    # wage_missing (non_asn only)
    ("non_asn", {"upah": ""}, "wage_missing", "upah: empty"),
    ("non_asn", {"upah": None}, "wage_missing", "upah: empty"),
    ("non_asn", {"upah": "tiga juta"}, "wage_missing", "upah: not a whole rupiah amount"),
    ("non_asn", {"upah": "3.000.625,50"}, "wage_missing", "upah: not a whole rupiah amount"),
    ("non_asn", {"upah": "30.00.625"}, "wage_missing", "upah: not a whole rupiah amount"),
    ("non_asn", {"upah": "0"}, "wage_missing", "upah: zero or negative"),
    ("non_asn", {"upah": "Rp 0,00"}, "wage_missing", "upah: zero or negative"),
    ("non_asn", {"upah": "-3000000"}, "wage_missing", "upah: zero or negative"),
    # age_out_of_range: 14 years 364 days on 2025-03-01
    (
        "rt_rw",
        {**MAN, "nik": "7371010203100001", "tanggal_lahir": "2010-03-02"},
        "age_out_of_range",
        "tanggal_lahir: younger than 15 on period start",
    ),
    (
        "rt_rw",
        {**MAN, "nik": "7371010103250001", "tanggal_lahir": "2025-03-01"},
        "age_out_of_range",
        "tanggal_lahir: younger than 15 on period start",
    ),
]


@pytest.mark.parametrize(("cohort", "row", "code", "detail"), REJECTS)
def test_reject(cohort: str, row: dict, code: str, detail: str | None) -> None:
    got_code, got_detail = judge(cohort, row)
    assert got_code == code
    if detail is not None:
        assert got_detail == detail


def test_xlsx_number_cell_is_nik_format() -> None:
    code, detail = judge("rt_rw", {"nik_cell_type": "number"}, source_file="rt_rw.xlsx")
    assert code == "nik_format"
    assert detail == "nik: XLSX number cell (15 significant digits) - format the column as Text"
    # ingest marks a Parquet float NIK column 'number' too (an integer column becomes text)
    code, detail = judge("rt_rw", {"nik_cell_type": "number"}, source_file="rt_rw.parquet")
    assert code == "nik_format"
    assert detail == "nik: stored as a decimal number (digits may be lost) - store it as text"
    assert judge("rt_rw", {"nik_cell_type": "text"}, source_file="rt_rw.parquet") == (None, None)


NEAR_MISSES = [
    ("rt_rw", {}),
    ("rt_rw", {"nik": ' "7371014506900001" '}),
    ("rt_rw", {"nik": "'7371014506900001"}),
    ("rt_rw", {"nik": "7371014506900010"}),  # serial 0010 is not 0000
    ("rt_rw", {"nik": "7371014506909999"}),
    ("rt_rw", {"jenis_kelamin": "perempuan"}),
    ("rt_rw", {"jenis_kelamin": " PEREMPUAN "}),
    ("rt_rw", {"jenis_kelamin": "p"}),
    ("rt_rw", {**MAN, "jenis_kelamin": "Laki-laki"}),
    ("rt_rw", {**MAN, "jenis_kelamin": "laki laki"}),
    ("rt_rw", {**MAN, "jenis_kelamin": "LAKI-LAKI"}),
    ("rt_rw", {**MAN, "jenis_kelamin": "l"}),
    ("rt_rw", {"tanggal_lahir": "05-06-1990"}),
    ("rt_rw", {"tanggal_lahir": "5-6-1990"}),
    ("rt_rw", {"tanggal_lahir": "05/06/1990"}),
    ("rt_rw", {"tanggal_lahir": "5/6/1990"}),
    ("rt_rw", {"tanggal_lahir": "1990-06-05 00:00:00"}),
    ("rt_rw", {"tanggal_lahir": "1990-06-05", "tanggal_lahir_cell_type": "date"}),
    ("rt_rw", {"nik": "7371014102900001", "tanggal_lahir": "1/2/1990"}),
    ("rt_rw", {"nik": "7371014506050001", "tanggal_lahir": "2005-06-05"}),  # YY = 05
    ("rt_rw", {"kecamatan": " MARISO ", "kelurahan": "bonto-rannu"}),
    ("rt_rw", {"kecamatan": "Ujung Pandang", "kelurahan": "Maloku"}),
    ("rt_rw", {"kecamatan": "ujungpandang", "kelurahan": "MALOKU"}),
    ("rt_rw", {"upah": ""}),  # BPU: no wage needed
    ("rt_rw", {"upah": "gaji tidak ada"}),
    ("non_asn", {"kecamatan": "Somba Opu", "kelurahan": "Sungguminasa"}),
    ("non_asn", {"kecamatan": "Somba Opu", "kelurahan": "Antah Berantah"}),
    # exactly 15 on the period's first day
    ("rt_rw", {**MAN, "nik": "7371010103100001", "tanggal_lahir": "2010-03-01"}),
]


@pytest.mark.parametrize(("cohort", "row"), NEAR_MISSES)
def test_near_miss_passes(cohort: str, row: dict) -> None:
    assert judge(cohort, row) == (None, None)


@pytest.mark.parametrize(
    ("upah", "wage"),
    [
        ("Rp 3.000.625,00", 3_000_625),
        ("Rp3.000.625", 3_000_625),
        ("Rp. 3.000.625", 3_000_625),
        ("rp 3,000,625.00", 3_000_625),
        ("IDR 3,000,625", 3_000_625),
        ("3 000 625", 3_000_625),
        ("3000625", 3_000_625),
        ("3000625.00", 3_000_625),
        ("3000625.0", 3_000_625),  # a whole-number spreadsheet cell
        ("  3000625  ", 3_000_625),
        ("1.500", 1_500),
    ],
)
def test_wage_parsing(upah: str, wage: int) -> None:
    accepted, rejected = validate_raw_table(
        raw_table([{"upah": upah}], "non_asn.csv"), "non_asn", PERIOD, 1, PII_KEY
    )
    assert rejected.num_rows == 0
    assert accepted.column("wage_idr").to_pylist() == [wage]


def test_outside_city_non_asn_has_no_codes() -> None:
    accepted, _ = validate_raw_table(
        raw_table([{"kecamatan": "Somba Opu", "kelurahan": "Sungguminasa"}, {}]),
        "non_asn",
        PERIOD,
        1,
        PII_KEY,
    )
    assert accepted.column("is_outside_city").to_pylist() == [True, False]
    assert accepted.column("kecamatan_code").to_pylist() == [None, "73.71.01"]
    assert accepted.column("kelurahan_code").to_pylist() == [None, "73.71.01.1001"]


def test_accepted_row_values() -> None:
    accepted, rejected = validate_raw_table(
        raw_table([{}, {**MAN, "upah": "", "disabilitas": "y"}], "rt_rw__b.csv"),
        "rt_rw",
        PERIOD,
        2,
        PII_KEY,
    )
    assert rejected.num_rows == 0
    rows = accepted.to_pylist()
    assert rows[0]["period"] == dt.date(2025, 3, 1)
    assert rows[0]["birth_date"] == dt.date(1990, 6, 5)
    assert [r["sex"] for r in rows] == ["P", "L"]
    assert [r["source_row"] for r in rows] == [2, 3]
    assert [r["file_ordinal"] for r in rows] == [2, 2]
    assert [r["nik_masked"] for r in rows] == ["737101******0001", "737101******0001"]
    assert [r["wage_idr"] for r in rows] == [3_000_625, None]
    assert [r["disabilitas"] for r in rows] == ["N", "Y"]
    assert rows[0]["source_file"] == "rt_rw__b.csv"
    assert WOMAN_NIK != MAN_NIK
