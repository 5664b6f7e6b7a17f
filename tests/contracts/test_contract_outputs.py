"""Precedence, pseudonymisation, output contracts and validate_period's files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandera.errors
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from contract_rows import MAN_NIK, PERIOD, PII_KEY, WOMAN_NIK, raw_table

from berjasa.config import Settings
from berjasa.pii import person_key_digest
from berjasa.validate import ReferenceValidation, validate_period, validate_raw_table
from schemas.tables import (
    ACCEPTED_SCHEMA,
    BPJS_ACTIVE_SCHEMA,
    DTSEN_SCHEMA,
    OPENING_MEMBERS_SCHEMA,
    REJECTED_SCHEMA,
    SOURCE_FILES_SCHEMA,
    check_accepted,
    check_rejected,
)


def reasons(cohort: str, rows: list[dict]) -> list[str | None]:
    accepted, rejected = validate_raw_table(raw_table(rows), cohort, PERIOD, 1, PII_KEY)
    by_row = dict(
        zip(rejected["source_row"].to_pylist(), rejected["reason_code"].to_pylist(), strict=True)
    )
    return [by_row.get(i + 2) for i in range(len(rows))]


def test_precedence_first_reason_wins() -> None:
    rows = [
        {"nama": "", "nik": "7.37E+15"},  # missing_field beats nik_format
        {"nik": "123", "tanggal_lahir": "99/99/1990"},  # nik_format beats invalid_date
        {"tanggal_lahir": "31/02/1990", "kecamatan": "Somba Opu"},  # invalid_date beats area
        {"jenis_kelamin": "L", "kecamatan": "Somba Opu"},  # mismatch beats unknown_area
        {"kecamatan": "Somba Opu", "upah": ""},  # (rt_rw: no wage rule) unknown_area
        {"jenis_kelamin": "X", "nik": "1"},  # unrecognised sex is missing_field
    ]
    assert reasons("rt_rw", rows) == [
        "missing_field",
        "nik_format",
        "invalid_date",
        "nik_birthdate_mismatch",
        "unknown_area",
        "missing_field",
    ]
    non_asn = [
        {"kelurahan": "Pannampu", "upah": "0"},  # unknown_area beats wage_missing
        {"upah": "", "nik": "7371014502200001", "tanggal_lahir": "2020-02-05"},  # wage first
        {"upah": "abc"},
    ]
    assert reasons("non_asn", non_asn) == ["unknown_area", "wage_missing", "wage_missing"]


def test_person_key_and_no_pii_in_outputs() -> None:
    rows = [{}, {"nik": MAN_NIK, "jenis_kelamin": "L", "nama": "Budi Santoso"}, {"nama": ""}]
    accepted, rejected = validate_raw_table(raw_table(rows), "rt_rw", PERIOD, 1, PII_KEY)
    assert accepted["person_key"].to_pylist() == [
        person_key_digest(WOMAN_NIK, PII_KEY),
        person_key_digest(MAN_NIK, PII_KEY),
    ]
    assert rejected.num_rows == 1
    for table in (accepted, rejected):
        assert not {"nik", "nama", "no_hp", "alamat"} & set(table.column_names)
        for column in table.columns:
            values = {str(v) for v in column.to_pylist()}
            assert not values & {
                WOMAN_NIK,
                MAN_NIK,
                "Siti Aminah",
                "Budi Santoso",
                "081234567890",
                "Jl. Contoh No. 1",
            }
    assert accepted.schema == ACCEPTED_SCHEMA
    assert rejected.schema == REJECTED_SCHEMA
    check_accepted(accepted)
    check_rejected(rejected)


def test_accepted_rows_schema_catches_a_bad_key() -> None:
    accepted, _ = validate_raw_table(raw_table([{}]), "rt_rw", PERIOD, 1, PII_KEY)
    broken = accepted.set_column(
        accepted.schema.get_field_index("person_key"),
        "person_key",
        pa.array([WOMAN_NIK.encode()], pa.binary()),  # bytes, but 16 of them: not a digest
    )
    with pytest.raises(pandera.errors.SchemaErrors):
        check_accepted(broken)
    wrong_sex = accepted.set_column(accepted.schema.get_field_index("sex"), "sex", pa.array(["W"]))
    with pytest.raises(pandera.errors.SchemaErrors):
        check_accepted(wrong_sex)


def test_invariant_read_equals_accepted_plus_rejected() -> None:
    rows = [{}, {"nik": ""}, {"tanggal_lahir": "x"}, {}, {"kelurahan": "Pannampu"}] * 40
    raw = raw_table(rows)
    accepted, rejected = validate_raw_table(raw, "rt_rw", PERIOD, 1, PII_KEY)
    assert (accepted.num_rows, rejected.num_rows) == (80, 120)
    rows_out = sorted(accepted["source_row"].to_pylist() + rejected["source_row"].to_pylist())
    assert rows_out == list(range(2, 202))


# --- validate_period ---------------------------------------------------------------------------
@dataclass
class FakeFile:
    name: str
    kind: str
    cohort_code: str | None
    file_ordinal: int | None
    sha256: str
    status: str
    message: str | None
    rows_read: int
    raw_path: str | None


@dataclass
class FakeReport:
    files: list[FakeFile] = field(default_factory=list)
    dtsen_path: str | None = None
    bpjs_active_path: str | None = None
    opening_members_path: str | None = None


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path / "home",
        landing=tmp_path / "landing",
        warehouse=str(tmp_path / "wh.duckdb"),
        pii_key=PII_KEY,
    )


def _write(path: Path, table: pa.Table) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return str(path)


def test_validate_period_writes_every_file(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    raw_dir = tmp_path / "home" / "raw" / PERIOD
    a = _write(raw_dir / "a.parquet", raw_table([{}, {"nama": ""}, {}], "rt_rw.csv"))
    b = _write(
        raw_dir / "b.parquet",
        raw_table([{"upah": "0"}, {"upah": "Rp 3.000.625,00"}], "non_asn.xlsx"),
    )
    dtsen = _write(
        raw_dir / "d.parquet",
        pa.table(
            {
                "nik": [
                    WOMAN_NIK,
                    WOMAN_NIK,
                    MAN_NIK,
                    "7.37E+15",
                    "7371010506900002",
                    MAN_NIK + "0",
                    f" '{WOMAN_NIK}' ",  # quoted and spaced like a spreadsheet cell: trimmed
                    "7371014506900000",  # a NIK never ends in 0000
                ],
                "desil": ["3", "5", "11", "2", "x", "1", "4", "2"],
            }
        ),
    )
    bpjs = _write(
        raw_dir / "e.parquet",
        pa.table(
            {
                "area_code": ["73.71.09", "73.71", "7371090", "73.71.09", "73.71.01"],
                "active_participants": ["1200", "250000", "5", "7", "-3"],
            }
        ),
    )
    opening = _write(
        tmp_path / "raw" / "o.parquet",
        pa.table(
            {
                "nik": [WOMAN_NIK, WOMAN_NIK, "123"],
                "last_billed": ["2024-11", "2024-12", "2024-12"],
            }
        ),
    )
    report = FakeReport(
        files=[
            FakeFile("rt_rw.csv", "cohort", "rt_rw", 1, "s1", "ok", None, 3, a),
            FakeFile("non_asn.xlsx", "cohort", "non_asn", 1, "s2", "ok", None, 2, b),
            FakeFile(
                "kader_posyandu_kb.csv",
                "cohort",
                "kader_posyandu_kb",
                1,
                "s3",
                "error",
                "required column nik missing",
                0,
                None,
            ),
            FakeFile("notes.xls", "unknown", None, None, "s4", "error", "unknown file", 0, None),
        ],
        dtsen_path=dtsen,
        bpjs_active_path=bpjs,
        opening_members_path=opening,
    )
    result = validate_period(PERIOD, report, settings)
    out = settings.validated_dir / PERIOD
    accepted = pq.read_table(out / "accepted.parquet")
    rejected = pq.read_table(out / "rejected.parquet")
    files = pq.read_table(out / "source_files.parquet")
    assert accepted.schema == ACCEPTED_SCHEMA
    assert rejected.schema == REJECTED_SCHEMA
    assert files.schema == SOURCE_FILES_SCHEMA
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (5, 3, 2)
    assert result.rejects_by_reason == {"missing_field": 1, "wage_missing": 1}
    for f in result.files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected
    assert sorted(
        zip(
            files["cohort_code"].to_pylist(),
            files["file_status"].to_pylist(),
            files["rows_read"].to_pylist(),
            strict=True,
        )
    ) == [("kader_posyandu_kb", "error", 0), ("non_asn", "ok", 2), ("rt_rw", "ok", 3)]
    assert accepted["wage_idr"].to_pylist() == [3_000_625] * 3  # BPU rows carry a parseable upah
    check_accepted(accepted)

    dtsen_out = pq.read_table(settings.validated_dir / "dtsen" / f"{PERIOD}.parquet")
    assert dtsen_out.schema == DTSEN_SCHEMA
    assert dtsen_out.to_pylist() == [
        {
            "extract_period": dt.date(2025, 3, 1),
            "person_key": person_key_digest(WOMAN_NIK, PII_KEY),
            "desil": 5,
        }
    ]
    assert result.dtsen_skipped == {"invalid_nik": 3, "invalid_desil": 2, "duplicate_nik": 2}

    bpjs_out = pq.read_table(out / "bpjs_active.parquet")
    assert bpjs_out.schema == BPJS_ACTIVE_SCHEMA
    assert bpjs_out.to_pylist() == [
        {"area_code": "73.71.09", "active_participants": 1200},
        {"area_code": "73.71", "active_participants": 250000},
    ]
    assert result.bpjs_active.skipped == {
        "invalid_area_code": 1,
        "invalid_count": 1,
        "duplicate_area_code": 1,
    }

    opening_out = pq.read_table(settings.validated_dir / "opening_members.parquet")
    assert opening_out.schema == OPENING_MEMBERS_SCHEMA
    assert opening_out.to_pylist() == [
        {"person_key": person_key_digest(WOMAN_NIK, PII_KEY), "last_billed": dt.date(2024, 12, 1)}
    ]
    summary = result.to_dict()
    assert summary["rows_read"] == 5
    assert WOMAN_NIK not in str(summary)

    # Parquet statistics only for the columns dbt filters on (the planner estimates those
    # filters from them); the others' cost ~40 % of writing the national accepted rows
    def with_statistics(path: Path) -> set[str]:
        group = pq.ParquetFile(path).metadata.row_group(0)
        columns = (group.column(i) for i in range(group.num_columns))
        return {c.path_in_schema for c in columns if c.statistics is not None}

    assert with_statistics(out / "accepted.parquet") == {"period"}
    assert with_statistics(settings.validated_dir / "dtsen" / f"{PERIOD}.parquet") == {
        "extract_period"
    }
    assert with_statistics(settings.validated_dir / "opening_members.parquet") == {"last_billed"}


def test_validate_period_empty_writes_empty_files(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    stale = settings.validated_dir / "dtsen" / f"{PERIOD}.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"stale")
    result = validate_period(PERIOD, {"files": []}, settings)  # a mapping report works too
    out = settings.validated_dir / PERIOD
    for name, schema in [
        ("accepted", ACCEPTED_SCHEMA),
        ("rejected", REJECTED_SCHEMA),
        ("source_files", SOURCE_FILES_SCHEMA),
        ("bpjs_active", BPJS_ACTIVE_SCHEMA),
    ]:
        table = pq.read_table(out / f"{name}.parquet")
        assert table.num_rows == 0
        assert table.schema == schema
    assert pq.read_table(settings.validated_dir / "opening_members.parquet").num_rows == 0
    assert not stale.exists()
    assert result.rows_read == 0


def test_batches_keep_counts(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    rows = [{}, {"nik": ""}, {}] * 30
    path = _write(tmp_path / "raw.parquet", raw_table(rows, "rt_rw.csv"))
    report = FakeReport(
        files=[FakeFile("rt_rw.csv", "cohort", "rt_rw", 1, "s", "ok", None, 90, path)]
    )
    result = validate_period(PERIOD, report, settings, batch_rows=7)
    assert (result.files[0].rows_read, result.files[0].rows_accepted) == (90, 60)
    accepted = pq.read_table(settings.validated_dir / PERIOD / "accepted.parquet")
    assert accepted["source_row"].to_pylist() == [i + 2 for i in range(90) if i % 3 != 1]


def test_opening_list_reused_while_file_key_and_rules_are_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same opening list month after month is validated once; another file (sha256), key
    or validated file validates again."""
    import berjasa.validate as validate_module

    calls: list[str] = []
    real = validate_module.validate_opening_members

    def counted(path: Path, pii_key: str):
        calls.append(pii_key)
        return real(path, pii_key)

    monkeypatch.setattr(validate_module, "validate_opening_members", counted)
    opening = _write(
        tmp_path / "raw" / "o.parquet",
        pa.table({"nik": [WOMAN_NIK, WOMAN_NIK, "123"], "last_billed": ["2024-11"] * 3}),
    )

    def report(sha: str) -> FakeReport:
        entry = FakeFile(
            "_opening_members.csv", "opening_members", None, None, sha, "ok", None, 3, opening
        )
        return FakeReport(files=[entry], opening_members_path=opening)

    def run(settings: Settings, sha: str):
        result = validate_period(PERIOD, report(sha), settings).opening_members
        table = pq.read_table(settings.validated_dir / "opening_members.parquet")
        return result, table.to_pylist()

    settings = _settings(tmp_path)
    first = run(settings, "c" * 64)
    expected = ReferenceValidation(
        "_opening_members.csv",
        3,
        1,
        {"invalid_nik": 1, "invalid_last_billed": 0, "duplicate_nik": 1},
    )
    assert first[0] == expected
    assert first[1] == [
        {"person_key": person_key_digest(WOMAN_NIK, PII_KEY), "last_billed": dt.date(2024, 11, 1)}
    ]
    assert run(settings, "c" * 64) == first  # reused: same result, same file
    assert len(calls) == 1

    run(settings, "d" * 64)  # another landed file
    assert len(calls) == 2
    other_key = replace(settings, pii_key="another-test-key")
    result, rows = run(other_key, "d" * 64)  # another key: keys differ, never reused
    assert len(calls) == 3
    assert rows[0]["person_key"] == person_key_digest(WOMAN_NIK, "another-test-key")
    # a validated file changed behind the sidecar's back is validated again
    opening_file = settings.validated_dir / "opening_members.parquet"
    pq.write_table(pq.read_table(opening_file).slice(0, 0), opening_file)
    assert run(other_key, "d" * 64)[1] == rows
    assert len(calls) == 4
    # no opening list this month: an empty file and no sidecar left to reuse
    validate_period(PERIOD, FakeReport(), other_key)
    assert pq.read_table(opening_file).num_rows == 0
    assert not opening_file.with_name(opening_file.name + ".cache.json").exists()
