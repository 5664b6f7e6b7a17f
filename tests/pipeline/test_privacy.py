"""End-to-end privacy scan (SPEC §5/§6, UU 27/2022): after two demo months are run, published
and exported, no NIK, no full name and not the PII key may appear anywhere the pipeline writes
outside the landing folder and the raw layer — the warehouse (every column of every table, cast
to text, so a NIK stored as a number is caught too), dbt's database, `target/` and logs, the
Dagster instance (SQLite event logs read both as raw bytes and as decoded rows, compute logs),
the Data Docs, the validated (pseudonymised) layer, the publication state, the exports and the
command output.

Needles come from the raw layer (every `nik` that is 16 digits, every `nama` of at least 8
characters, in every landed file including `_dtsen` and `_opening_members`) and the key.
Findings name the place and the kind of needle, never the needle.
"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.pipeline.conftest import REPO, TEST_PII_KEY, Home

EXPORT_PERIOD = "2026-01"
MIN_NAME_LENGTH = 8
NOT_SCANNED = ("landing", "raw")  # the only places raw NIKs and names may live
DIGIT_RUN = re.compile(r"\d{16,}")
SQLITE_MAGIC = b"SQLite format 3\x00"
DUCKDB_MAGIC = b"DUCK"  # at offset 8 of a DuckDB database file
PARQUET_MAGIC = b"PAR1"


# --- needles ---------------------------------------------------------------------------------
def _trie_pattern(words: Iterable[str]) -> str:
    """One regex for many literal words, factored as a trie so matching stays linear-ish
    (a flat alternation of thousands of names backtracks through every name at every offset)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            # a shorter word ends here: the longer continuation is optional
            return f"(?:{body})?"
        return body

    return render(trie)


@dataclass(frozen=True)
class Needles:
    niks: frozenset[str]
    names: re.Pattern[str]
    name_count: int
    key: str

    @classmethod
    def build(cls, niks: Iterable[str], names: Iterable[str], key: str) -> Needles:
        lowered = sorted({name.strip().lower() for name in names} - {""})
        return cls(
            niks=frozenset(niks),
            names=re.compile(_trie_pattern(lowered) if lowered else "(?!)"),
            name_count=len(lowered),
            key=key,
        )

    def kinds_in(self, text: str) -> set[str]:
        """Which kinds of needle the text holds: 'NIK', 'name', 'PII key'."""
        kinds: set[str] = set()
        for run in DIGIT_RUN.findall(text):
            if any(run[i : i + 16] in self.niks for i in range(len(run) - 15)):
                kinds.add("NIK")
                break
        if self.names.search(text.lower()):
            kinds.add("name")
        if self.key in text:
            kinds.add("PII key")
        return kinds


def collect_needles(raw_dir: Path, key: str) -> Needles:
    """Every 16-digit NIK and every full name of every landed file, read from the raw layer."""
    niks: set[str] = set()
    names: set[str] = set()
    for path in sorted(raw_dir.glob("*/*.parquet")):
        columns = set(pq.read_schema(path).names)
        table = pq.read_table(path, columns=sorted(columns & {"nik", "nama"}))
        if "nik" in columns:
            values = (v.strip() for v in table.column("nik").to_pylist() if v)
            niks.update(v for v in values if re.fullmatch(r"\d{16}", v))
        if "nama" in columns:
            names.update(
                v.strip()
                for v in table.column("nama").to_pylist()
                if v and len(v.strip()) >= MIN_NAME_LENGTH
            )
    return Needles.build(niks, names, key)


# --- haystacks -------------------------------------------------------------------------------
def _arrow_texts(table: pa.Table) -> Iterator[tuple[str, str]]:
    """Every column of an Arrow table as one text blob (all types cast to text)."""
    for name, column in zip(table.column_names, table.columns, strict=True):
        try:
            values = column.cast(pa.string()).to_pylist()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            values = [str(v) for v in column.to_pylist()]
        yield name, "\n".join(v for v in values if v is not None)


def _duckdb_texts(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[str, str]]:
    tables = con.execute(
        "select table_catalog, table_schema, table_name from information_schema.tables"
        " where table_catalog not in ('system', 'temp')"
    ).fetchall()
    for catalog, schema, table in tables:
        columns = con.execute(
            "select column_name from information_schema.columns"
            " where table_catalog = ? and table_schema = ? and table_name = ?",
            [catalog, schema, table],
        ).fetchall()
        if not columns:
            continue
        select = ", ".join(f'cast("{c}" as varchar) as "{c}"' for (c,) in columns)
        data = con.execute(f'select {select} from "{catalog}"."{schema}"."{table}"').arrow()
        if hasattr(data, "read_all"):
            data = data.read_all()
        for column, text in _arrow_texts(data):
            yield f"{schema}.{table}.{column}", text


def _duckdb_file_texts(path: Path) -> Iterator[tuple[str, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield from _duckdb_texts(con)
    finally:
        con.close()


def _parquet_texts(path: Path) -> Iterator[tuple[str, str]]:
    yield from _arrow_texts(pq.read_table(path))


def _sqlite_texts(path: Path) -> Iterator[tuple[str, str]]:
    """Every value of every table (Dagster's event_logs rows are JSON text)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        listing = con.execute("select name from sqlite_master where type = 'table'")
        tables = [row[0] for row in listing]
        for table in tables:
            parts: list[str] = []
            for row in con.execute(f'select * from "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        parts.append(value.decode("utf-8", "replace"))
                    elif value is not None:
                        parts.append(str(value))
            yield table, "\n".join(parts)
    finally:
        con.close()


def _zip_texts(path: Path) -> Iterator[tuple[str, str]]:
    """An xlsx is a zip of XML parts (shared strings hold the cell text)."""
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            yield member, archive.read(member).decode("utf-8", "replace")


def file_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(part, text) pairs of one file: always its raw bytes, plus the decoded contents of the
    formats whose bytes hide text (compressed Parquet/DuckDB pages, zip members, SQLite rows)."""
    data = path.read_bytes()
    yield "bytes", data.decode("utf-8", "replace")
    readers: list[Callable[[Path], Iterator[tuple[str, str]]]] = []
    if data.startswith(SQLITE_MAGIC):
        readers.append(_sqlite_texts)
    elif data[8:12] == DUCKDB_MAGIC:
        readers.append(_duckdb_file_texts)
    elif data.startswith(PARQUET_MAGIC):
        readers.append(_parquet_texts)
    elif data.startswith(b"PK\x03\x04"):
        readers.append(_zip_texts)
    for reader in readers:
        yield from reader(path)


def scan_files(roots: Iterable[Path], needles: Needles, relative_to: Path) -> list[str]:
    """Findings as 'place [part]: kind' lines; never the needle itself."""
    findings: list[str] = []
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            try:
                place = str(path.relative_to(relative_to))
            except ValueError:
                place = str(path)
            try:
                for part, text in file_texts(path):
                    for kind in sorted(needles.kinds_in(text)):
                        findings.append(f"{place} [{part}]: {kind}")
            except Exception as error:  # an unreadable file is a finding, not a pass
                findings.append(f"{place}: could not be scanned ({type(error).__name__})")
    return findings


def scan_roots(home: Path) -> list[Path]:
    """Everything in the home except the landing folder and the raw layer, plus dbt's
    repository-side target/ and logs/."""
    roots = [p for p in sorted(home.iterdir()) if p.name not in NOT_SCANNED]
    roots += [
        p for p in (REPO / "dbt_project" / "target", REPO / "dbt_project" / "logs") if p.exists()
    ]
    return roots


# --- the test --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def exported_home(published_home: Home) -> Home:
    for fmt in ("xlsx", "csv"):
        published_home.runs[f"export-{fmt}"] = published_home.berjasa(
            "export", "--period", EXPORT_PERIOD, "--format", fmt, check=True
        )
    return published_home


@pytest.fixture(scope="module")
def needles(exported_home: Home) -> Needles:
    return collect_needles(exported_home.path / "raw", TEST_PII_KEY)


def test_needles_are_collected(needles: Needles) -> None:
    # two demo months at scale 0.01: ~2,000 cohort rows plus DTSEN and opening members
    assert len(needles.niks) > 1000
    assert needles.name_count > 300
    assert needles.key == TEST_PII_KEY


def test_every_haystack_exists(exported_home: Home) -> None:
    """The scan must not pass because a place is missing."""
    home = exported_home.path
    expected = [
        home / "warehouse.duckdb",
        home / "dbt" / "berjasa_dbt.duckdb",
        home / "dbt" / "target",
        home / "dagster",
        home / "logs" / f"run-{EXPORT_PERIOD}.log",
        home / "data_docs" / EXPORT_PERIOD / "index.html",
        home / "validated" / EXPORT_PERIOD / "accepted.parquet",
        home / "state",
        home / "exports" / EXPORT_PERIOD / f"rekap_tagihan_iuran_{EXPORT_PERIOD}.xlsx",
        home / "exports" / EXPORT_PERIOD / f"billing_detail_{EXPORT_PERIOD}.csv",
    ]
    assert [str(p.relative_to(home)) for p in expected if not p.exists()] == []
    assert list((home / "dagster").rglob("*.db")), "no Dagster SQLite storage found"


def test_no_nik_name_or_key_outside_landing_and_raw(exported_home: Home, needles: Needles) -> None:
    home = exported_home.path
    findings = scan_files(scan_roots(home), needles, relative_to=home)
    assert findings == [], "personal data found:\n" + "\n".join(findings)


def test_no_nik_name_or_key_in_command_output(exported_home: Home, needles: Needles) -> None:
    findings = [
        f"berjasa {label} {stream}: {kind}"
        for label, completed in sorted(exported_home.runs.items())
        for stream, text in (("stdout", completed.stdout), ("stderr", completed.stderr))
        for kind in sorted(needles.kinds_in(text))
    ]
    assert findings == [], "\n".join(findings)


def test_dbt_database_never_sees_raw_nik_or_key(exported_home: Home, needles: Needles) -> None:
    """SPEC §6: pseudonymisation happens before dbt. Every column of every table, all schemas."""
    findings = [
        f"{place}: {kind}"
        for place, text in _duckdb_file_texts(exported_home.path / "dbt" / "berjasa_dbt.duckdb")
        for kind in sorted(needles.kinds_in(text))
    ]
    assert findings == []


# --- the scanner can fail --------------------------------------------------------------------
PLANTED_NIK = "7371014506900001"
PLANTED_NAME = "Nurhayati Daeng Bunga"
PLANTED_KEY = "planted-secret-key-123"


@pytest.fixture()
def planted() -> Needles:
    return Needles.build(
        {PLANTED_NIK, "7371010101010101"}, {PLANTED_NAME, "Muhammad Akbar"}, PLANTED_KEY
    )


def test_kinds_in_finds_each_kind(planted: Needles) -> None:
    assert planted.kinds_in(f"row 7: x{PLANTED_NIK}") == {"NIK"}
    assert planted.kinds_in(f"99{PLANTED_NIK}12") == {"NIK"}  # inside a longer digit run
    assert planted.kinds_in("NURHAYATI DAENG BUNGA, 40") == {"name"}
    assert planted.kinds_in(f"key={PLANTED_KEY}") == {"PII key"}
    assert planted.kinds_in("7371014506900002 Nurhayati Daeng planted-secret") == set()
    assert planted.kinds_in("a" * 64 + "7371014506**0001") == set()


def test_scanner_finds_planted_values_in_every_format(tmp_path: Path, planted: Needles) -> None:
    (tmp_path / "run.log").write_text(f"2026-01 rejected {PLANTED_NIK}\n", encoding="utf-8")
    pq.write_table(
        pa.table({"person_key": ["a" * 64], "nama": [PLANTED_NAME]}),
        tmp_path / "accepted.parquet",
        compression="zstd",
    )
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    con.execute("create schema berjasa")
    con.execute("create table berjasa.t as select 7371014506900001::bigint as n, 'x' as s")
    con.close()
    lite = sqlite3.connect(tmp_path / "events.db")
    lite.execute("create table event_logs (id integer, event text)")
    lite.execute("insert into event_logs values (1, ?)", [f'{{"message": "{PLANTED_KEY}"}}'])
    lite.commit()
    lite.close()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", f"<si><t>{PLANTED_NAME.upper()}</t></si>")
    (tmp_path / "book.xlsx").write_bytes(buffer.getvalue())
    (tmp_path / "clean.csv").write_text("period,person_key\n2026-01-01,abc\n", encoding="utf-8")

    findings = scan_files([tmp_path], planted, relative_to=tmp_path)

    # the decoded parts must find them (raw bytes may or may not, depending on compression)
    expected = {
        "accepted.parquet [nama]: name",
        "book.xlsx [xl/sharedStrings.xml]: name",
        "events.db [event_logs]: PII key",
        "run.log [bytes]: NIK",
        "wh.duckdb [berjasa.t.n]: NIK",  # a NIK stored as a number is still a NIK
    }
    assert expected <= set(findings), findings
    assert not [f for f in findings if f.startswith("clean.csv")]
    assert {f.split(" ")[0] for f in findings} == {
        "accepted.parquet",
        "book.xlsx",
        "events.db",
        "run.log",
        "wh.duckdb",
    }
