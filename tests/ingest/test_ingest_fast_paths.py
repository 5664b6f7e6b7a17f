"""The fast paths of ingest give exactly what the plain definitions give: encoding detection,
blank rows, the raw file's layout (dictionary text, row groups) and files read two at a time."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from berjasa.ingest import COHORT_RAW_SCHEMA, fileinfo, ingest_period, read_cohort_file, reader
from berjasa.ingest.chunk import blank_mask

from .conftest import HEADER, ROW_A, ROW_B, write_parquet, write_text, write_xlsx

CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


@pytest.mark.parametrize("byte", range(0x80, 0x100))
def test_a_non_utf8_byte_is_cp1252_unless_cp1252_leaves_it_undefined(
    tmp_path: Path, byte: int
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"nik;nama\n1;A" + bytes([byte]) + b"\n")
    facts = fileinfo.scan_file(path, detect_encoding=True)
    assert facts.encoding == (None if byte in CP1252_UNDEFINED else "cp1252")
    assert facts.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert facts.size == len(path.read_bytes())


def test_utf8_sequence_split_across_read_chunks_is_still_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fileinfo, "_CHUNK", 8)
    path = tmp_path / "x.csv"
    data = b"abcdefg" + "\u00e9".encode() + b"hijklmnop" + "\u20ac".encode() * 5
    path.write_bytes(data)  # the 2-byte 'é' straddles bytes 7-8, the chunk boundary
    facts = fileinfo.scan_file(path, detect_encoding=True)
    assert (facts.encoding, facts.size) == ("utf8", len(data))
    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    path.write_bytes(data[:-1])  # a euro sign cut short at the end of the file
    assert fileinfo.scan_file(path, detect_encoding=True).encoding == "cp1252"


def _python_encoding(data: bytes) -> str | None:
    for encoding, codec in (("utf8", "utf-8"), ("cp1252", "cp1252")):
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


@pytest.mark.parametrize(
    "data",
    [
        "nik;nama\nAndr\u00e9 \u20ac \U0001f600 \u0663\n".encode(),
        b"\xef\xbb\xbfnik\n",  # a BOM is UTF-8
        b"a\xed\xa0\x80b",  # an encoded surrogate
        b"a\xc0\x80b",  # an overlong NUL
        b"a\xf4\x90\x80\x80b",  # past U+10FFFF
        b"a\xe2\x82",  # cut short at the end
        b"a\xe2\x82b\xac",  # interrupted
        b"\xf8\x88\x80\x80\x80",
    ],
)
@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 1 << 20])
def test_utf8_check_is_pythons_strict_codec_whatever_the_chunking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, chunk: int
) -> None:
    monkeypatch.setattr(fileinfo, "_CHUNK", chunk)
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    assert fileinfo.scan_file(path, detect_encoding=True).encoding == _python_encoding(data)


def test_blank_mask_is_trim_whitespace_to_nothing() -> None:
    values = ["", " ", "\t\u00a0", "\u3000", "\u2003 ", "\u200b", "x", " a ", None]
    first = pa.array(values)
    assert blank_mask([first]).to_pylist() == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        True,
    ]
    other = pa.array(["x", None, " ", "", "\u00a0", None, None, None, "y"])
    assert blank_mask([first, other]).to_pylist() == [
        False,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert blank_mask([pa.array(["a", "b"]), pa.array([None, " "])]) is None


def test_unicode_blank_rows_are_dropped_and_later_rows_keep_their_numbers(
    tmp_path: Path,
) -> None:
    text = f"{HEADER}\n{ROW_A}\n\u3000;\u00a0;;\u2003;;\n{ROW_B}\n"
    table = read_cohort_file(write_text(tmp_path / "rt_rw.csv", text))
    assert table.column("source_row").to_pylist() == [2, 4]


def _plain(table: pa.Table) -> pa.Table:
    return table.cast(
        pa.schema(
            [
                f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
                for f in table.schema
            ]
        )
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
def test_raw_file_holds_exactly_the_rows_read_in_row_groups_with_dictionary_text(
    landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.setattr(reader, "ROW_GROUP_ROWS", 3)
    rows = [ROW_A.split(";"), ROW_B.split(";")] * 3 + [ROW_A.split(";")]
    header = HEADER.split(";")
    path = landing / f"rt_rw.{kind}"
    if kind == "csv":
        write_text(path, "\n".join([HEADER, *(";".join(r) for r in rows)]) + "\n")
    elif kind == "xlsx":
        write_xlsx(path, {"data": [header, *rows]})
    else:
        write_parquet(path, {h: pa.array([r[i] for r in rows]) for i, h in enumerate(header)})

    landed = ingest_period(landing.parent, "2025-03", tmp_path / "raw").files[0]

    stored = pq.ParquetFile(landed.raw_path)
    groups = [stored.metadata.row_group(i).num_rows for i in range(stored.num_row_groups)]
    assert groups == [3, 3, 1]
    schema = stored.schema_arrow
    assert schema.field("nik").type == pa.string()
    assert schema.field("source_row").type == pa.int32()
    for name in ("nama", "kelurahan", "source_file", "file_sha256", "nik_cell_type"):
        assert schema.field(name).type == pa.dictionary(pa.int32(), pa.string())
    table = stored.read()
    assert _plain(table).schema == COHORT_RAW_SCHEMA
    assert _plain(table).equals(read_cohort_file(path))
    assert table.column("source_row").to_pylist() == [2, 3, 4, 5, 6, 7, 8]
    assert landed.rows_read == 7


def test_files_read_two_at_a_time_are_reported_in_name_order(landing: Path, tmp_path: Path) -> None:
    big = "\n".join([HEADER, *[ROW_A] * 500]) + "\n"
    other = ROW_A.replace("900001", "900002")  # same size, other bytes: its own raw file
    write_text(landing / "rt_rw__c.csv", f"{HEADER}\n{other}\n")
    write_text(landing / "rt_rw__a.csv", big)
    write_text(landing / "pekerja_rentan.csv", f"{HEADER}\n{ROW_A}\n{ROW_B}\n")
    write_text(landing / "rt_rw__b.csv", f"{HEADER}\n{ROW_A}\n")
    opening = "nik,last_billed\n7371014506900001,2024-12\n"
    write_text(landing.parent / "_opening_members.csv", opening)

    report = ingest_period(landing.parent, "2025-03", tmp_path / "raw")

    assert [(f.name, f.file_ordinal, f.rows_read) for f in report.files] == [
        ("pekerja_rentan.csv", 1, 2),
        ("rt_rw__a.csv", 1, 500),
        ("rt_rw__b.csv", 2, 1),
        ("rt_rw__c.csv", 3, 1),
        ("_opening_members.csv", None, 1),
    ]
    b, c = report.files[2], report.files[3]
    assert Path(landing / b.name).stat().st_size == Path(landing / c.name).stat().st_size
    assert b.sha256 != c.sha256 and b.raw_path != c.raw_path
    assert pq.read_table(b.raw_path).column("nik").to_pylist() == ["7371014506900001"]
    assert pq.read_table(c.raw_path).column("nik").to_pylist() == ["7371014506900002"]
    assert report.opening_members_path == report.files[4].raw_path
