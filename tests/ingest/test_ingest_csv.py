"""CSV reading: delimiters, encodings, header matching, blank rows and exact row numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from berjasa.ingest import COHORT_RAW_SCHEMA, FileLevelError, read_cohort_file

from .conftest import HEADER, ROW_A, ROW_B, write_text


def _col(table, name):
    return table.column(name).to_pylist()


def test_semicolon_csv_reads_every_column_as_text_with_provenance(tmp_path: Path) -> None:
    path = write_text(tmp_path / "rt_rw.csv", f"{HEADER}\n{ROW_A}\n{ROW_B}\n")
    table = read_cohort_file(path)
    assert table.schema == COHORT_RAW_SCHEMA
    assert _col(table, "nik") == ["7371014506900001", "7371015506900002"]
    assert _col(table, "kelurahan") == ["Kalukuang", "Buloa"]
    assert _col(table, "upah") == [None, None]
    assert _col(table, "source_file") == ["rt_rw.csv", "rt_rw.csv"]
    assert _col(table, "source_row") == [2, 3]
    assert _col(table, "nik_cell_type") == ["text", "text"]
    assert _col(table, "tanggal_lahir_cell_type") == ["text", "text"]
    assert len(set(_col(table, "file_sha256"))) == 1
    assert len(_col(table, "file_sha256")[0]) == 64


def test_comma_csv_with_quoted_delimiter_and_bom(tmp_path: Path) -> None:
    text = (
        "\ufeffNIK,Nama Lengkap,Tgl. Lahir,Jenis Kelamin,Kecamatan,Kelurahan,Alamat\n"
        '7371014506900001,"Andi, S.Pd",1990-06-05,L,Tallo,Kalukuang,"Jl. A, No. 5"\n'
    )
    table = read_cohort_file(write_text(tmp_path / "rt_rw.csv", text))
    assert _col(table, "nik") == ["7371014506900001"]
    assert _col(table, "nama") == ["Andi, S.Pd"]
    assert _col(table, "tanggal_lahir") == ["1990-06-05"]
    assert _col(table, "alamat") == ["Jl. A, No. 5"]


def test_cp1252_characters_are_preserved(tmp_path: Path) -> None:
    name = "Andi Andr\u00e9 \u2013 \u00e9"
    text = f"{HEADER}\n7371014506900001;{name};1990-06-05;L;Tallo;Kalukuang\n"
    path = write_text(tmp_path / "rt_rw.csv", text, encoding="cp1252")
    assert path.read_bytes().count(b"\xe9") == 2  # really Windows-1252 bytes on disk
    table = read_cohort_file(path)
    assert _col(table, "nama") == [name]


def test_utf8_characters_are_preserved(tmp_path: Path) -> None:
    text = f"{HEADER}\n7371014506900001;Andr\u00e9;1990-06-05;L;Tallo;Kalukuang\n"
    table = read_cohort_file(write_text(tmp_path / "rt_rw.csv", text))
    assert _col(table, "nama") == ["Andr\u00e9"]


def test_aliases_and_separators_match_and_unknown_columns_drop(tmp_path: Path) -> None:
    text = (
        "No KTP;Nama Peserta;TGL  LAHIR;L/P;KECAMATAN;kelurahan;Gaji;No. HP;Catatan\n"
        "7371014506900001;Andi;1990-06-05;L;Tallo;Kalukuang;Rp 3.000.000;0812;x\n"
    )
    table = read_cohort_file(write_text(tmp_path / "non_asn.csv", text))
    assert _col(table, "upah") == ["Rp 3.000.000"]
    assert _col(table, "no_hp") == ["0812"]
    assert _col(table, "jenis_kelamin") == ["L"]
    assert "catatan" not in table.column_names
    assert table.num_columns == len(COHORT_RAW_SCHEMA)


def test_jk_and_nomor_induk_kependudukan_aliases(tmp_path: Path) -> None:
    text = (
        "Nomor_Induk_Kependudukan,Nama,Tanggal Lahir,JK,Kecamatan,Kelurahan\n"
        "7371014506900001,Andi,5/6/1990,P,Tallo,Kalukuang\n"
    )
    table = read_cohort_file(write_text(tmp_path / "rt_rw.csv", text))
    assert _col(table, "nik") == ["7371014506900001"]
    assert _col(table, "jenis_kelamin") == ["P"]


def test_nik_beyond_2_pow_53_with_blank_in_column_stays_exact_text(tmp_path: Path) -> None:
    # 9171019999999999 (a Papua NIK) is above 2**53: through float it would come back changed.
    text = (
        f"{HEADER}\n"
        "9171019999999999;Andi;1990-06-05;L;Tallo;Kalukuang\n"
        ";Becce;1990-06-15;P;Tallo;Buloa\n"
        "7371019999999999;Cici;1990-06-15;P;Tallo;Buloa\n"
        "0071019999999999;Dodi;1990-06-15;P;Tallo;Buloa\n"
    )
    table = read_cohort_file(write_text(tmp_path / "rt_rw.csv", text))
    assert 9171019999999999 > 2**53 and int(float(9171019999999999)) != 9171019999999999
    assert _col(table, "nik") == ["9171019999999999", None, "7371019999999999", "0071019999999999"]


def test_blank_rows_dropped_and_later_rows_keep_spreadsheet_numbers(tmp_path: Path) -> None:
    text = (
        f"{HEADER}\n"
        f"{ROW_A}\n"  # row 2
        "\n"  # row 3: empty line
        ";;;;;\n"  # row 4: blank cells
        "   \n"  # row 5: whitespace-only line
        '7371014506900003;"Multi\nline";1990-06-05;L;Tallo;Kalukuang\n'  # row 6
        " ; ;\t;;;\n"  # row 7: whitespace cells
        f"{ROW_B}\r\n"  # row 8
        "\n\n"
    )
    table = read_cohort_file(write_text(tmp_path / "rt_rw.csv", text))
    assert _col(table, "source_row") == [2, 6, 8]
    assert _col(table, "nama") == ["Andi", "Multi\nline", "Becce"]


def test_whitespace_cells_are_kept_unstripped(tmp_path: Path) -> None:
    text = f"{HEADER}\n 7371014506900001 ;Andi ;1990-06-05;L;Tallo;Kalukuang\n"
    table = read_cohort_file(write_text(tmp_path / "rt_rw.csv", text))
    assert _col(table, "nik") == [" 7371014506900001 "]


def test_missing_required_column_names_the_column(tmp_path: Path) -> None:
    text = "nik;nama;tanggal_lahir;kecamatan;kelurahan\n7371014506900001;A;1990-06-05;T;K\n"
    with pytest.raises(FileLevelError) as caught:
        read_cohort_file(write_text(tmp_path / "rt_rw.csv", text))
    assert "'jenis_kelamin'" in str(caught.value)
    assert str(caught.value).startswith("rt_rw.csv: required column 'jenis_kelamin' missing")


def test_upah_required_only_for_non_asn(tmp_path: Path) -> None:
    text = f"{HEADER}\n{ROW_A}\n"
    assert read_cohort_file(write_text(tmp_path / "rt_rw.csv", text)).num_rows == 1
    with pytest.raises(FileLevelError, match="'upah'"):
        read_cohort_file(write_text(tmp_path / "non_asn.csv", text))


def test_empty_file_and_header_only_file_are_file_errors(tmp_path: Path) -> None:
    with pytest.raises(FileLevelError, match="empty"):
        read_cohort_file(write_text(tmp_path / "rt_rw.csv", ""))
    with pytest.raises(FileLevelError, match="no data rows"):
        read_cohort_file(write_text(tmp_path / "rt_rw.csv", f"{HEADER}\n;;;;;\n\n"))


def test_row_with_wrong_field_count_is_a_file_error_naming_the_row(tmp_path: Path) -> None:
    text = f"{HEADER}\n{ROW_A}\n7371014506900009;Secret Name;1990-06-05\n"
    with pytest.raises(FileLevelError) as caught:
        read_cohort_file(write_text(tmp_path / "rt_rw.csv", text))
    assert caught.value.row == 3
    assert "Secret" not in str(caught.value) and "7371014506900009" not in str(caught.value)


def test_two_columns_meaning_the_same_are_a_file_error(tmp_path: Path) -> None:
    text = f"{HEADER};No KTP\n{ROW_A};7371014506900001\n"
    with pytest.raises(FileLevelError, match="both mean 'nik'"):
        read_cohort_file(write_text(tmp_path / "rt_rw.csv", text))


def test_undecodable_bytes_are_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "rt_rw.csv"
    path.write_bytes(HEADER.encode() + b"\n7371014506900001;A\x81\x8d;1990-06-05;L;T;K\n")
    with pytest.raises(FileLevelError, match="neither UTF-8 nor Windows-1252"):
        read_cohort_file(path)


def test_row_numbers_stay_exact_across_many_stream_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import berjasa.ingest.csv_reader as csv_reader

    monkeypatch.setattr(csv_reader, "_BLOCK", 256)  # force dozens of batches
    lines, expected = [HEADER], []
    for row in range(2, 400):
        if row % 7 == 0:
            lines.append("  ")  # whitespace-only: skipped by the parser's invalid-row handler
        elif row % 5 == 0:
            lines.append("")  # empty line: a blank record
        elif row % 11 == 0:
            lines.append(f'7371014506900{row:03d};"Two\nlines";1990-06-05;L;Tallo;Buloa')
            expected.append(row)
        else:
            lines.append(f"7371014506900{row:03d};Nama;1990-06-05;L;Tallo;Buloa")
            expected.append(row)
    table = read_cohort_file(write_text(tmp_path / "rt_rw.csv", "\n".join(lines) + "\n"))
    assert table.column("source_row").to_pylist() == expected
    assert table.column("nik").to_pylist() == [f"7371014506900{r:03d}" for r in expected]
