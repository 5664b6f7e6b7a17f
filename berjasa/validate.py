"""Raw layer -> validated layer: row contracts, pseudonymisation and the reference inputs.

For each cohort file of the period's ingest report, the raw Parquet (all text, raw PII) is read in
record batches, normalised and judged by the row contract (`schemas`), and split into accepted
rows (schema A: `person_key` HMAC and `nik_masked`, never a NIK or a name) and row-local
rejects (schema R). DTSEN, `_bpjs_active` and the opening member list are validated here too,
so dbt only ever sees pseudonymised, typed data. Every file is written atomically, and written
empty when there is nothing, so downstream readers always find it.

Invariant per file: rows read = rows accepted + rows rejected (checked, raises otherwise).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from berjasa import duck, reference_cache, seeds
from berjasa.config import Settings
from berjasa.periods import parse_period
from berjasa.pii import person_key_digests, person_key_digests_of_numbers
from schemas.normalise import RAW_META_COLUMNS, RAW_TEXT_COLUMNS, normalise
from schemas.row_contract import first_reasons
from schemas.tables import (
    ACCEPTED_SCHEMA,
    BPJS_ACTIVE_SCHEMA,
    DTSEN_SCHEMA,
    OPENING_MEMBERS_SCHEMA,
    REJECTED_SCHEMA,
    SOURCE_FILES_SCHEMA,
)

# Rows per record batch: bounds memory on huge files (a 1M-row batch peaks well under 1 GB).
BATCH_ROWS = 1_000_000
PARALLEL_BATCHES = 2
CITY_AREA_CODE = "73.71"
_NIK_TRIM = " \t\r\n\u00a0'\"`\u2018\u2019\u201c\u201d"
# Columns with (nearly) one value per row: a Parquet dictionary would only be built and dropped.
_UNIQUE_COLUMNS = frozenset({"person_key", "nik_masked", "source_row"})
# a digest: random bytes, in which compression finds nothing
_INCOMPRESSIBLE_COLUMNS = frozenset({"person_key"})
# Columns dbt's staging filters the validated files on (the period, the DTSEN extract, the month
# last billed): the only ones that get Parquet statistics.
_FILTERED_COLUMNS = frozenset({"period", "extract_period", "last_billed"})


class ValidationError(RuntimeError):
    """The validated layer could not be produced consistently (never names a value)."""


# --- what we need from berjasa.ingest (duck-typed; attributes or mapping keys) ----------------
class IngestFileLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...  # 'cohort' | 'dtsen' | 'bpjs_active' | 'unknown'
    @property
    def cohort_code(self) -> str | None: ...
    @property
    def file_ordinal(self) -> int | None: ...
    @property
    def sha256(self) -> str | None: ...
    @property
    def status(self) -> str: ...  # 'ok' | 'error' | 'ignored'
    @property
    def message(self) -> str | None: ...
    @property
    def rows_read(self) -> int | None: ...
    @property
    def raw_path(self) -> str | Path | None: ...


class IngestReportLike(Protocol):
    @property
    def files(self) -> Sequence[IngestFileLike]: ...
    @property
    def dtsen_path(self) -> str | Path | None: ...
    @property
    def bpjs_active_path(self) -> str | Path | None: ...
    @property
    def opening_members_path(self) -> str | Path | None: ...


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """Read a field from a dataclass-like object or from a mapping (e.g. the JSON report)."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


# --- results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FileValidation:
    source_file: str
    cohort_code: str
    file_ordinal: int
    file_sha256: str | None
    file_status: str  # 'ok' | 'error'
    error_detail: str | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rejects_by_reason: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ReferenceValidation:
    """Counts of a reference input (DTSEN, _bpjs_active, opening members)."""

    source_file: str
    rows_read: int
    rows_kept: int
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ValidationResult:
    period: str
    files: tuple[FileValidation, ...]
    dtsen: ReferenceValidation | None
    bpjs_active: ReferenceValidation | None
    opening_members: ReferenceValidation | None
    output_dir: str

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def rejects_by_reason(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for f in self.files:
            for reason, count in f.rejects_by_reason.items():
                totals[reason] = totals.get(reason, 0) + count
        order = list(seeds.reason_codes()["reason_code"])
        return {r: totals[r] for r in sorted(totals, key=order.index)}

    @property
    def dtsen_skipped(self) -> dict[str, int]:
        return dict(self.dtsen.skipped) if self.dtsen else {}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (counts only, no values) for reports and Dagster metadata."""
        return {
            "period": self.period,
            "output_dir": self.output_dir,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "rejects_by_reason": self.rejects_by_reason,
            "files": [asdict(f) for f in self.files],
            "dtsen": asdict(self.dtsen) if self.dtsen else None,
            "bpjs_active": asdict(self.bpjs_active) if self.bpjs_active else None,
            "opening_members": asdict(self.opening_members) if self.opening_members else None,
        }


# --- one raw table ----------------------------------------------------------------------------
def _constant(value: Any, n: int, type_: pa.DataType) -> pa.Array:
    return pa.repeat(pa.scalar(value, type=type_), n)


def validate_raw_table(
    raw: pa.Table, cohort_code: str, period: str, file_ordinal: int, pii_key: str
) -> tuple[pa.Table, pa.Table]:
    """Split one raw-layer table (or batch) into accepted rows (schema A) and rejects (schema R).

    Every input row lands in exactly one of the two outputs, in input order.
    """
    start = parse_period(period)
    norm = normalise(raw, cohort_code)
    codes, details = first_reasons(norm, cohort_code, period)
    accepted_mask = pc.is_null(codes)

    acc = norm.filter(accepted_mask)
    n_acc = acc.num_rows
    accepted = pa.table(
        {
            "period": _constant(start, n_acc, pa.date32()),
            "cohort_code": _constant(cohort_code, n_acc, pa.string()),
            "source_file": acc.column("source_file").cast(pa.string()),
            "file_ordinal": _constant(file_ordinal, n_acc, pa.int32()),
            "source_row": acc.column("source_row").cast(pa.int32()),
            "person_key": person_key_digests(acc.column("nik"), pii_key).cast(pa.binary()),
            "nik_masked": acc.column("nik_masked"),
            "birth_date": acc.column("birth_date"),
            "sex": acc.column("sex"),
            "kecamatan_code": acc.column("kecamatan_code").cast(pa.string()),
            "kelurahan_code": acc.column("kelurahan_code").cast(pa.string()),
            "is_outside_city": acc.column("is_outside_city"),
            "wage_idr": acc.column("wage_idr").cast(pa.int64()),
            "pekerjaan": acc.column("pekerjaan"),
            "disabilitas": acc.column("disabilitas"),
        },
        schema=ACCEPTED_SCHEMA,
    )

    rejected_mask = pc.invert(accepted_mask)
    rej = norm.select(["source_file", "source_row", "nik_masked"]).filter(rejected_mask)
    n_rej = rej.num_rows
    rejected = pa.table(
        {
            "period": _constant(start, n_rej, pa.date32()),
            "cohort_code": _constant(cohort_code, n_rej, pa.string()),
            "source_file": rej.column("source_file").cast(pa.string()),
            "file_ordinal": _constant(file_ordinal, n_rej, pa.int32()),
            "source_row": rej.column("source_row").cast(pa.int32()),
            "reason_code": codes.filter(rejected_mask),
            "reason_detail": details.filter(rejected_mask),
            "nik_masked": rej.column("nik_masked"),
        },
        schema=REJECTED_SCHEMA,
    )
    if accepted.num_rows + rejected.num_rows != raw.num_rows:
        raise ValidationError("row count mismatch: read != accepted + rejected")
    return accepted, rejected


# --- writing ----------------------------------------------------------------------------------
class _AtomicParquet:
    """A Parquet file written to a temporary name and moved into place on `commit()`."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.tmp")
        path.parent.mkdir(parents=True, exist_ok=True)
        # snappy, no dictionary for the near-unique keys, no compression for the digest,
        # statistics only for the columns dbt filters on: written once and read whole by dbt,
        # so write speed matters more than size (zstd cost ~18 % of validation's CPU; min/max
        # statistics of every column ~40 % of writing accepted.parquet, 10M rows in 6.6 s
        # with them, 3.9 s without). DuckDB's planner estimates those filters from the
        # statistics (berjasa/dbt_inputs.py), so they keep theirs.
        self.writer = pq.ParquetWriter(
            self.tmp,
            schema,
            compression={
                n: ("none" if n in _INCOMPRESSIBLE_COLUMNS else "snappy") for n in schema.names
            },
            use_dictionary=[n for n in schema.names if n not in _UNIQUE_COLUMNS],
            write_statistics=[n for n in schema.names if n in _FILTERED_COLUMNS],
        )

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self.writer.write_table(table)

    def commit(self) -> None:
        self.writer.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.writer.close()
        self.tmp.unlink(missing_ok=True)


def _write_table(path: Path, table: pa.Table) -> None:
    writer = _AtomicParquet(path, table.schema)
    try:
        writer.write(table)
    except BaseException:
        writer.abort()
        raise
    writer.commit()


# Raw columns validation reads: no_hp and alamat are never needed, so never decoded.
_READ_COLUMNS = frozenset(RAW_TEXT_COLUMNS + RAW_META_COLUMNS) - {"no_hp", "alamat"}


def _batches(path: Path, batch_rows: int) -> Iterator[pa.Table]:
    parquet = pq.ParquetFile(path)
    columns = [name for name in parquet.schema_arrow.names if name in _READ_COLUMNS]
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns):
        yield pa.Table.from_batches([batch])


def _raw_rows(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


def _validated_batches(
    path: Path, cohort_code: str, period: str, ordinal: int, pii_key: str, batch_rows: int
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """Validate record batches two at a time (Arrow kernels and DuckDB release the GIL, so the
    2 cores overlap), yielding results in file order; at most ~3 batches are in memory."""
    with ThreadPoolExecutor(max_workers=PARALLEL_BATCHES) as pool:
        pending: deque[Future[tuple[pa.Table, pa.Table]]] = deque()
        for batch in _batches(path, batch_rows):
            pending.append(
                pool.submit(validate_raw_table, batch, cohort_code, period, ordinal, pii_key)
            )
            if len(pending) >= PARALLEL_BATCHES:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _count_reasons(codes: pa.ChunkedArray | pa.Array, into: dict[str, int]) -> None:
    for item in pc.value_counts(codes).to_pylist():  # one entry per distinct reason
        into[item["values"]] = into.get(item["values"], 0) + int(item["counts"])


# --- cohort files -----------------------------------------------------------------------------
def _cohort_files(report: Any) -> list[Any]:
    files = [f for f in (_get(report, "files") or []) if _get(f, "kind") == "cohort"]
    files = [f for f in files if _get(f, "status") in ("ok", "error")]
    return sorted(
        files,
        key=lambda f: (str(_get(f, "cohort_code")), int(_get(f, "file_ordinal") or 0)),
    )


def _validate_cohort_file(
    file: Any,
    period: str,
    pii_key: str,
    accepted_out: _AtomicParquet,
    rejected_out: _AtomicParquet,
    batch_rows: int,
) -> FileValidation:
    name = str(_get(file, "name"))
    cohort_code = str(_get(file, "cohort_code"))
    ordinal = int(_get(file, "file_ordinal") or 1)
    sha = _get(file, "sha256")
    if _get(file, "status") != "ok":
        return FileValidation(
            name, cohort_code, ordinal, sha, "error", _get(file, "message"), 0, 0, 0
        )
    raw_path = _get(file, "raw_path")
    if raw_path is None:
        raise ValidationError(f"{name}: ingest report has no raw_path for an ok file")
    read = accepted = rejected = 0
    reasons: dict[str, int] = {}
    for acc, rej in _validated_batches(
        Path(raw_path), cohort_code, period, ordinal, pii_key, batch_rows
    ):
        accepted_out.write(acc)
        rejected_out.write(rej)
        read += acc.num_rows + rej.num_rows
        accepted += acc.num_rows
        rejected += rej.num_rows
        _count_reasons(rej.column("reason_code"), reasons)
    if read != _raw_rows(Path(raw_path)):
        raise ValidationError(f"{name}: rows read from the raw layer != accepted + rejected")
    return FileValidation(
        name, cohort_code, ordinal, sha, "ok", None, read, accepted, rejected, reasons
    )


def _source_files_table(period: str, files: Iterable[FileValidation]) -> pa.Table:
    rows = [
        {
            "period": parse_period(period),
            "cohort_code": f.cohort_code,
            "source_file": f.source_file,
            "file_sha256": f.file_sha256,
            "file_ordinal": f.file_ordinal,
            "file_status": f.file_status,
            "error_detail": f.error_detail,
            "rows_read": f.rows_read,
        }
        for f in files
    ]
    return pa.Table.from_pylist(rows, schema=SOURCE_FILES_SCHEMA)


# --- reference inputs -------------------------------------------------------------------------
def _query(sql: str, path: Path, params: dict[str, Any] | None = None) -> pa.Table:
    con = duck.connect()
    try:
        con.execute("set threads to 2")
        return con.execute(
            sql.replace("$path", "read_parquet($src)"), {"src": str(path), **(params or {})}
        ).to_arrow_table()
    finally:
        con.close()


# Group of a classified reference row: a valid row's NIK as a 64-bit integer (a valid NIK is
# exactly 16 digits, so the number identifies the text), or one of two negative sentinels that
# count the invalid rows in the same pass.
_INVALID_NIK_GROUP = -1
_INVALID_VALUE_GROUP = -2


def _classify_and_key(
    path: Path, classify_sql: str, best_value_sql: str, value_name: str, pii_key: str
) -> tuple[pa.Table, ReferenceValidation]:
    """One DuckDB pass over a reference input (DTSEN, opening list): `classify_sql` yields
    (nik, nik_ok, ..., ok); returns, per valid NIK, its person_key and `best_value_sql` (the
    duplicate rule), deduplicated in DuckDB and keyed by the HMAC kernel, and
    the counts: rows read, kept, and skipped as invalid_nik, invalid_<value_name> or
    duplicate_nik.

    One grouped query does all of it: the invalid rows fall into two sentinel groups that carry
    their counts, so the extract is read, classified and grouped once, and the valid rows are
    grouped on the NIK's number alone, which the kernel turns back into its 16 digits
    (`person_key_digests_of_numbers`), instead of carrying 12M texts through the group (the
    national DTSEN extract: 8.0 s with a temporary table, a count query and a grouping that
    carried the text -> 4.6 s).
    """
    con = duck.connect()
    try:
        grouped = con.execute(
            f"""
            with classified as ({classify_sql.replace("$path", "read_parquet($src)")})
            select
                case
                    when ok then cast(nik as bigint)
                    when not nik_ok then {_INVALID_NIK_GROUP}
                    else {_INVALID_VALUE_GROUP}
                end as nik_group,
                count(*) as n,
                -- the sentinel groups' values are dropped below
                {best_value_sql}
            from classified
            group by nik_group
            """,
            {"src": str(path), "nik_trim": _NIK_TRIM},
        ).to_arrow_table()
    finally:
        con.close()
    groups = grouped.column("nik_group")
    counts = {
        code: pc.sum(grouped.filter(pc.equal(groups, code)).column("n")).as_py() or 0
        for code in (_INVALID_NIK_GROUP, _INVALID_VALUE_GROUP)
    }
    read = pc.sum(grouped.column("n")).as_py() or 0
    best = grouped.filter(pc.greater_equal(groups, 0))
    valid = read - counts[_INVALID_NIK_GROUP] - counts[_INVALID_VALUE_GROUP]
    numbers = best.column("nik_group").to_numpy()
    best = best.drop_columns(["nik_group", "n"])
    best = best.add_column(0, "person_key", person_key_digests_of_numbers(numbers, pii_key))
    skipped = {
        "invalid_nik": int(counts[_INVALID_NIK_GROUP]),
        f"invalid_{value_name}": int(counts[_INVALID_VALUE_GROUP]),
        "duplicate_nik": int(valid - best.num_rows),
    }
    return best, ReferenceValidation(path.name, int(read), best.num_rows, skipped)


def _columns(path: Path) -> set[str]:
    return set(pq.ParquetFile(path).schema_arrow.names)


# A reference input's rows with `nik_is_digits`: whether the NIK cell already is 16 digits (nearly
# all are). Such a cell is clean and well-formed: it skips the trimming of spreadsheet quotes and
# spaces (~0.6 s per million values) and the second format test (0.8 s of the national DTSEN
# extract and opening list's 9.5 s); the result is the same, as none of those characters is a
# digit.
_NIK_CELLS = "select *, regexp_full_match(nik::varchar, '\\d{16}') as nik_is_digits from $path"
# The NIK cell without the quotes and spaces of spreadsheets.
_CLEAN_NIK = (
    "case when nik_is_digits then nik::varchar else nullif(trim(nik::varchar, $nik_trim), '') end"
)
_VALID_NIK = (
    "case when nik_is_digits then not suffix(nik, '0000')"
    " else regexp_full_match(nik, '\\d{16}') and not suffix(nik, '0000') end"
)


def validate_dtsen(path: Path, period: str, pii_key: str) -> tuple[pa.Table, ReferenceValidation]:
    """DTSEN extract -> (extract_period, person_key, desil); invalid NIK / desil skipped and
    counted; a NIK listed twice keeps its highest desil."""
    names = _columns(path)
    for needed in ("nik", "desil"):
        if needed not in names:
            raise ValidationError(f"{path.name}: DTSEN extract lacks column {needed}")
    # an integer column (Parquet extracts) is already a whole number: no text parsing of 12M
    # values; text (CSV) accepts "3", "03" or "3.0"
    desil_type = pq.ParquetFile(path).schema_arrow.field("desil").type
    desil_sql = (
        "try_cast(desil as integer)"
        if pa.types.is_integer(desil_type)
        else "case when regexp_full_match(desil_text, '\\d{1,2}(?:\\.0+)?')"
        " then try_cast(regexp_extract(desil_text, '^\\d+') as integer) end"
    )
    best, counts = _classify_and_key(
        path,
        f"""
        with cells as ({_NIK_CELLS}), src as (
            select {_CLEAN_NIK} as nik, nik_is_digits,
                   desil, trim(desil::varchar) as desil_text
            from cells
        ), typed as (
            select nik, coalesce({_VALID_NIK}, false) as nik_ok, {desil_sql} as desil
            from src
        )
        select nik, nik_ok, desil, nik_ok and coalesce(desil between 1 and 10, false) as ok
        from typed
        """,
        "max(desil)::integer as desil",
        "desil",
        pii_key,
    )
    table = pa.table(
        {
            "extract_period": _constant(parse_period(period), best.num_rows, pa.date32()),
            "person_key": best.column("person_key").cast(pa.binary()),
            "desil": best.column("desil").cast(pa.int32()),
        },
        schema=DTSEN_SCHEMA,
    )
    return table, counts


def validate_bpjs_active(path: Path) -> tuple[pa.Table, ReferenceValidation]:
    """`_bpjs_active`: Kemendagri kecamatan code (or 73.71) and a whole, non-negative count."""
    names = _columns(path)
    for needed in ("area_code", "active_participants"):
        if needed not in names:
            raise ValidationError(f"{path.name}: _bpjs_active lacks column {needed}")
    codes = sorted(set(seeds.wilayah()["kecamatan_code"])) + [CITY_AREA_CODE]
    classified = _query(
        """
        with src as (
            select row_number() over () as rn,
                   trim(area_code::varchar) as area_code,
                   trim(active_participants::varchar) as n_text
            from $path
        ), typed as (
            select rn, area_code, list_contains($codes, area_code) as code_ok,
                   case when regexp_full_match(n_text, '\\d+(?:\\.0+)?')
                        then try_cast(regexp_extract(n_text, '^\\d+') as bigint) end as n
            from src
        )
        select area_code, n as active_participants, code_ok, n is not null as n_ok,
               row_number() over (partition by area_code order by rn) = 1 as first_of_code
        from typed order by rn
        """,
        path,
        {"codes": codes},
    )
    read = classified.num_rows
    code_ok = pc.fill_null(classified.column("code_ok"), False)
    n_ok = classified.column("n_ok")
    first = classified.column("first_of_code")
    ok = pc.and_(pc.and_(code_ok, n_ok), first)
    kept = classified.filter(ok).select(["area_code", "active_participants"])
    table = kept.cast(BPJS_ACTIVE_SCHEMA)
    n_bad_code = read - pc.sum(code_ok.cast(pa.int64())).as_py() if read else 0
    n_bad_count = pc.sum(pc.and_(code_ok, pc.invert(n_ok)).cast(pa.int64())).as_py() or 0
    skipped = {
        "invalid_area_code": int(n_bad_code),
        "invalid_count": int(n_bad_count),
        "duplicate_area_code": int(read - n_bad_code - n_bad_count - table.num_rows),
    }
    return table, ReferenceValidation(path.name, read, table.num_rows, skipped)


def validate_opening_members(path: Path, pii_key: str) -> tuple[pa.Table, ReferenceValidation]:
    """`_opening_members`: (person_key, last_billed as first of month); invalid rows skipped and
    counted; a NIK listed twice keeps its latest month."""
    names = _columns(path)
    for needed in ("nik", "last_billed"):
        if needed not in names:
            raise ValidationError(f"{path.name}: opening list lacks column {needed}")
    best, counts = _classify_and_key(
        path,
        f"""
        with cells as ({_NIK_CELLS}), src as (
            select {_CLEAN_NIK} as nik, nik_is_digits,
                   trim(last_billed::varchar) as lb
            from cells
        ), typed as (
            select nik, coalesce({_VALID_NIK}, false) as nik_ok,
                   case when regexp_full_match(lb, '\\d{{4}}-\\d{{2}}(?:-01(?: 00:00:00)?)?')
                        then try(make_date(try_cast(left(lb, 4) as integer),
                                           try_cast(substr(lb, 6, 2) as integer), 1)) end
                       as last_billed
            from src
        )
        select nik, nik_ok, last_billed, nik_ok and last_billed is not null as ok from typed
        """,
        "max(last_billed)::date as last_billed",
        "last_billed",
        pii_key,
    )
    table = pa.table(
        {
            "person_key": best.column("person_key").cast(pa.binary()),
            "last_billed": best.column("last_billed").cast(pa.date32()),
        },
        schema=OPENING_MEMBERS_SCHEMA,
    )
    return table, counts


# --- the period -------------------------------------------------------------------------------
def _landed_file(report: Any, raw_path: str | Path) -> Any:
    """The ingest report's entry for the landing file behind a raw path (None if unlisted)."""
    for file in _get(report, "files") or []:
        if _get(file, "raw_path") and Path(_get(file, "raw_path")) == Path(raw_path):
            return file
    return None


def _landed_name(report: Any, raw_path: str | Path) -> str:
    """The landing file name behind a raw path (reports name files as the city sent them)."""
    file = _landed_file(report, raw_path)
    return str(_get(file, "name")) if file is not None else Path(raw_path).name


def _landed_sha256(report: Any, raw_path: str | Path) -> str | None:
    """The sha256 of the landing file behind a raw path, as the ingest report recorded it."""
    return _get(_landed_file(report, raw_path), "sha256")


def _named(result: ReferenceValidation, name: str) -> ReferenceValidation:
    return ReferenceValidation(name, result.rows_read, result.rows_kept, dict(result.skipped))


def _validate_references(
    period: str, ingest_report: IngestReportLike | Mapping[str, Any], settings: Settings
) -> tuple[ReferenceValidation | None, ReferenceValidation | None, ReferenceValidation | None]:
    """The period's `_bpjs_active`, DTSEN extract and opening list into the validated layer;
    their results (None for an input not landed)."""
    out_dir = settings.validated_dir / period
    bpjs_result = None
    bpjs_path = _get(ingest_report, "bpjs_active_path")
    if bpjs_path:
        bpjs, bpjs_result = validate_bpjs_active(Path(bpjs_path))
        bpjs_result = _named(bpjs_result, _landed_name(ingest_report, bpjs_path))
    else:
        bpjs = BPJS_ACTIVE_SCHEMA.empty_table()
    _write_table(out_dir / "bpjs_active.parquet", bpjs)

    # A DTSEN file exists only for periods with their own extract: its presence is the signal
    # dbt uses to pick "the latest extract on or before the period".
    dtsen_result = None
    dtsen_file = settings.validated_dir / "dtsen" / f"{period}.parquet"
    dtsen_path = _get(ingest_report, "dtsen_path")
    if dtsen_path:
        dtsen, dtsen_result = validate_dtsen(Path(dtsen_path), period, settings.pii_key)
        dtsen_result = _named(dtsen_result, _landed_name(ingest_report, dtsen_path))
        _write_table(dtsen_file, dtsen)
    else:
        dtsen_file.unlink(missing_ok=True)  # a re-run without the extract must not keep it

    opening_path = _get(ingest_report, "opening_members_path")
    opening_result = _validate_opening(ingest_report, opening_path, settings)

    return bpjs_result, dtsen_result, opening_result


def _validate_opening(
    ingest_report: Any, opening_path: str | Path | None, settings: Settings
) -> ReferenceValidation | None:
    """The opening list into the validated layer (an empty file when none was landed). It is
    the same file every month: its validated file is reused while the landed file, the key and
    the validation code are unchanged (`berjasa.reference_cache`)."""
    opening_file = settings.validated_dir / "opening_members.parquet"
    if not opening_path:
        reference_cache.forget(opening_file)
        _write_table(opening_file, OPENING_MEMBERS_SCHEMA.empty_table())
        return None
    name = _landed_name(ingest_report, opening_path)
    key = reference_cache.cache_key(_landed_sha256(ingest_report, opening_path), settings.pii_key)
    stored = reference_cache.load(opening_file, key)
    if stored is not None:
        return _named(ReferenceValidation(**stored), name)
    reference_cache.forget(opening_file)
    opening, result = validate_opening_members(Path(opening_path), settings.pii_key)
    result = _named(result, name)
    _write_table(opening_file, opening)
    reference_cache.store(opening_file, key, asdict(result))
    return result


def validate_period(
    period: str,
    ingest_report: IngestReportLike | Mapping[str, Any],
    settings: Settings,
    *,
    batch_rows: int = BATCH_ROWS,
) -> ValidationResult:
    """Validate every cohort file and reference input of `period` into `validated/<period>/`."""
    parse_period(period)
    out_dir = settings.validated_dir / period
    out_dir.mkdir(parents=True, exist_ok=True)

    # The reference inputs (DTSEN extract, opening list: ~22M rows at national scale) are
    # DuckDB, the nogil keying kernel and Parquet writing, which release the GIL: validated in a
    # thread of their own, beside the cohort lists, they use the core the lists leave idle.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="references") as pool:
        references = pool.submit(_validate_references, period, ingest_report, settings)
        accepted_out = _AtomicParquet(out_dir / "accepted.parquet", ACCEPTED_SCHEMA)
        rejected_out = _AtomicParquet(out_dir / "rejected.parquet", REJECTED_SCHEMA)
        try:
            results = tuple(
                _validate_cohort_file(
                    f, period, settings.pii_key, accepted_out, rejected_out, batch_rows
                )
                for f in _cohort_files(ingest_report)
            )
        except BaseException:
            accepted_out.abort()
            rejected_out.abort()
            raise
        accepted_out.commit()
        rejected_out.commit()
        _write_table(out_dir / "source_files.parquet", _source_files_table(period, results))
        bpjs_result, dtsen_result, opening_result = references.result()

    return ValidationResult(
        period=period,
        files=results,
        dtsen=dtsen_result,
        bpjs_active=bpjs_result,
        opening_members=opening_result,
        output_dir=str(out_dir),
    )
