"""The fast paths of normalise / the row contract give exactly what the rule definitions give:
NIK checks without a regex, values parsed once per distinct value, dictionary-encoded raw
input, and Pandera verdicts reused across batches."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from contract_rows import PERIOD, WOMAN_NIK, raw_table

from schemas.normalise import normalise
from schemas.row_contract import ContractError, first_reasons


def _plain(table: pa.Table) -> pa.Table:
    return pa.table(
        {
            name: column.cast(column.type.value_type)
            if pa.types.is_dictionary(column.type)
            else column
            for name, column in zip(table.column_names, table.columns, strict=True)
        }
    )


NIKS = [
    (WOMAN_NIK, "ok", "737101******0001", True),
    (" '7371014506900001' ", "ok", "737101******0001", True),
    ("7371014506900000", "serial_0000", "737101******0000", True),
    ("7371014506910001", "ok", "737101******0001", False),  # month 10, born in June
    ("737101450690000\u0663", "not_16_digits", "737101******000\u0663", None),  # Arabic 3
    ("7371014506900\u00e901", "not_16_digits", "737101******0\u00e901", None),
    ("737101450690001", "not_16_digits", "737101*****0001", None),
    ("7.37E+15", "scientific", "********", None),
    ("7,371E15", "scientific", "********", None),
    ("1234", "not_16_digits", "****", None),
    ("", "missing", None, None),
]


def test_nik_status_mask_and_birth_digits_per_row() -> None:
    raw = raw_table([{"nik": nik} for nik, *_ in NIKS])
    norm = _plain(normalise(raw, "rt_rw"))
    assert norm.column("nik_status").to_pylist() == [s for _, s, _, _ in NIKS]
    assert norm.column("nik_masked").to_pylist() == [m for _, _, m, _ in NIKS]
    assert norm.column("nik_dob_match").to_pylist() == [d for *_, d in NIKS]


def test_dictionary_encoded_raw_normalises_like_plain_text() -> None:
    rows = [
        {},
        {"tanggal_lahir": "05/06/1990", "jenis_kelamin": "perempuan"},
        {"kelurahan": "Antah Berantah", "upah": "IDR 2,500,000"},
        {"tanggal_lahir": None, "jenis_kelamin": None, "upah": "-1"},
        {"kecamatan": " mariso ", "nama": "  ", "disabilitas": "ya"},
    ]
    raw = raw_table(rows)
    encoded = pa.table(
        {
            name: pc.dictionary_encode(column) if name not in ("nik", "source_row") else column
            for name, column in zip(raw.column_names, raw.columns, strict=True)
        }
    )
    plain = _plain(normalise(raw, "non_asn"))
    assert _plain(normalise(encoded, "non_asn")).equals(plain)
    assert plain.column("date_status").to_pylist() == ["ok", "ok", "ok", "missing", "ok"]
    assert plain.column("wage_idr").to_pylist() == [3000625, 3000625, 2500000, None, 3000625]
    assert plain.column("kelurahan_code").to_pylist()[2] is None
    assert plain.column("nama_present").to_pylist() == [True, True, True, True, False]


def _reasons(rows: list[dict], cohort: str = "rt_rw") -> list:
    codes, details = first_reasons(normalise(raw_table(rows), cohort), cohort, PERIOD)
    return list(zip(codes.to_pylist(), details.to_pylist(), strict=True))


def test_verdicts_of_earlier_batches_do_not_change_later_ones() -> None:
    first = _reasons([{}, {"jenis_kelamin": "W"}], "pekerja_keagamaan")
    assert first == [
        (None, None),
        ("missing_field", "jenis_kelamin: not L/P/Laki-laki/Perempuan"),
    ]
    # a value never seen before (a date after the period start) next to seen ones
    later = _reasons(
        [{"jenis_kelamin": "W"}, {"tanggal_lahir": "2030-01-01"}, {}], "pekerja_keagamaan"
    )
    assert later == [
        ("missing_field", "jenis_kelamin: not L/P/Laki-laki/Perempuan"),
        ("invalid_date", "tanggal_lahir: after period start"),
        (None, None),
    ]


def test_every_row_failing_the_same_way_is_every_row_rejected() -> None:
    rows = [{"nama": ""}] * 4 + [{"nama": "", "tanggal_lahir": "1990-13-01"}]
    assert _reasons(rows, "penyelenggara_pemilu") == [("missing_field", "nama: empty")] * 5


def test_a_null_status_is_a_contract_error_not_a_reason() -> None:
    norm = normalise(raw_table([{}, {}]), "rt_rw")
    broken = norm.set_column(
        norm.schema.get_field_index("sex_status"), "sex_status", pa.array(["ok", None])
    )
    with pytest.raises(ContractError, match="sex_status"):
        first_reasons(broken, "rt_rw", PERIOD)
