"""The reference inputs beside the cohort lists: DTSEN extract, BPJS active counts, and the
opening member list.

DTSEN: an extract written in month Q covers every person who holds a `pekerja_rentan` row in
any month from Q−3 to Q+12 (lifetimes are ≥20 months, so the lists at Q−3, Q and Q+12 contain
them all), mostly desil 1–5; about 1% are absent and 1% have desil 6–8 (person-level, so they
are rejected in every month); plus twice as many other poor households, a few invalid rows
(bad NIK, desil 0 or 11) and two NIKs listed twice (one of them with a desil above 5).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from berjasa.demo.population import COHORTS, SERIAL_DTSEN_OTHERS, Population, month_start
from berjasa.demo.rng import below, hash64, tag, uniform

CHUNK = 250_000
T_DESIL, T_OTHER, T_BPJS = tag("desil"), tag("dtsen_other"), tag("bpjs")
DTSEN_MISSING_SHARE = 0.01
DTSEN_HIGH_SHARE = 0.01
# Employer-registered and other active BPJS participants per kecamatan (73.71.01..15), before
# the program's own people are added: Ujung Pandang (the business district) exceeds its own
# workforce because employers register workers at the office address.
BPJS_BASE = (
    9_100,
    11_400,
    14_200,
    58_300,
    16_100,
    10_200,
    17_300,
    6_400,
    52_100,
    33_500,
    38_200,
    15_300,
    31_400,
    30_100,
    1_200,
)


def desil_of(seed: int, uid: np.ndarray) -> np.ndarray:
    """DTSEN desil of a list person; 0 means absent from DTSEN."""
    u = uniform(seed, T_DESIL, uid)
    normal = 1 + below(5, seed, T_DESIL, uid, 1)
    high = 6 + below(3, seed, T_DESIL, uid, 2)
    return np.where(
        u < DTSEN_MISSING_SHARE,
        0,
        np.where(u < DTSEN_MISSING_SHARE + DTSEN_HIGH_SHARE, high, normal),
    )


def write_dtsen(path: Path, population: Population, m: int) -> int:
    """Write the extract for month index m; returns its row count."""
    seed = population.seed
    n_rentan = population.sizes["pekerja_rentan"]
    nik = np.zeros(0, np.int64)
    desil = np.zeros(0, np.int8)
    for month in (m - 3, m, m + 12):  # merged month by month to keep memory flat
        niks, desils = [nik], [desil]
        for a in range(0, n_rentan, CHUNK):
            rows = np.arange(a, min(a + CHUNK, n_rentan), dtype=np.int64)
            persons, _ = population.row_persons("pekerja_rentan", rows, month)
            niks.append(persons.nik)
            desils.append(desil_of(seed, persons.uid).astype(np.int8))
        nik, first = np.unique(np.concatenate(niks), return_index=True)
        desil = np.concatenate(desils)[first]
    present = desil > 0
    nik, desil = nik[present], desil[present].astype(np.int64)
    # Two people listed twice: one stays within the limit, one goes above it.
    twice_nik = nik[desil <= 5][:2]
    twice_desil = np.array([4, 7][: len(twice_nik)], dtype=np.int64)
    sample = nik[:4]
    invalid_nik = [
        str(sample[0])[:12],
        str(sample[1])[:12] + "O" + str(sample[1])[13:],
        str(sample[2]),
        str(sample[3]),
    ]
    invalid_desil = [3, 2, 0, 11]
    schema = pa.schema([("nik", pa.string()), ("desil", pa.int64())])
    rows_written = 0

    def table(part_nik: np.ndarray, part_desil: np.ndarray) -> pa.Table:
        return pa.table(
            {
                "nik": pa.array(part_nik).cast(pa.string()),
                "desil": pa.array(part_desil, type=pa.int64()),
            },
            schema=schema,
        )

    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for a in range(0, len(nik), 1_000_000):
            writer.write_table(table(nik[a : a + 1_000_000], desil[a : a + 1_000_000]))
        writer.write_table(table(twice_nik, twice_desil))
        rows_written += len(nik) + len(twice_nik)
        del nik, desil
        # Other poor households of the city: twice as many as the rentan list.
        for a in range(0, 2 * n_rentan, CHUNK):
            index = np.arange(a, min(a + CHUNK, 2 * n_rentan), dtype=np.int64)
            uid = hash64(seed, T_OTHER, index)
            dob = np.datetime64("1945-01-01") + below(27_000, seed, T_OTHER, uid).astype(
                "timedelta64[D]"
            )
            persons = population._from_uid("pekerja_rentan", uid, dob, SERIAL_DTSEN_OTHERS)
            writer.write_table(table(persons.nik, 1 + below(10, seed, T_OTHER, uid, 1)))
            rows_written += len(index)
        writer.write_table(pa.table({"nik": invalid_nik, "desil": invalid_desil}, schema=schema))
    return rows_written + len(invalid_nik)


def _valid_nik(nik: pa.Array) -> pa.Array:
    ok = pc.and_(
        pc.match_substring_regex(nik, r"^[0-9]{16}$"), pc.invert(pc.ends_with(nik, "0000"))
    )
    return pc.fill_null(ok, False)


def _batches(path: Path, columns: list[str]):
    """Record batches of the given columns, as text, without loading the whole file."""
    if path.suffix.lower() == ".csv":
        reader = pacsv.open_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()), include_columns=columns
            ),
        )
        for batch in reader:
            yield batch
    else:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=1_000_000, columns=columns):
            yield pa.record_batch([pc.cast(batch[c], pa.string()) for c in columns], names=columns)


def read_dtsen_max(path: Path, only: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Valid DTSEN rows of an extract for the NIKs in `only`, one per NIK (sorted) with its
    highest desil (SPEC §2: invalid NIK or desil outside 1–10 skipped)."""
    wanted = np.unique(only)
    niks, desils = [], []
    for batch in _batches(path, ["nik", "desil"]):
        nik_text = pc.utf8_trim_whitespace(batch["nik"])
        desil_text = pc.utf8_trim_whitespace(batch["desil"])
        keep = pc.and_(
            _valid_nik(nik_text),
            pc.fill_null(pc.match_substring_regex(desil_text, r"^[0-9]{1,2}$"), False),
        )
        nik = pc.cast(nik_text.filter(keep), pa.int64()).to_numpy()
        desil = pc.cast(desil_text.filter(keep), pa.int64()).to_numpy()
        found = wanted[np.minimum(np.searchsorted(wanted, nik), max(len(wanted) - 1, 0))]
        hit = (found == nik) & (desil >= 1) & (desil <= 10) if len(wanted) else nik < 0
        niks.append(nik[hit])
        desils.append(desil[hit])
    nik = np.concatenate(niks) if niks else np.zeros(0, np.int64)
    desil = np.concatenate(desils) if desils else np.zeros(0, np.int64)
    order = np.argsort(nik, kind="stable")
    nik, desil = nik[order], desil[order]
    if len(nik) == 0:
        return nik, desil
    starts = np.concatenate([[0], np.nonzero(nik[1:] != nik[:-1])[0] + 1])
    return nik[starts], np.maximum.reduceat(desil, starts)


def write_bpjs_active(
    path: Path, seed: int, m: int, kec_codes: tuple[str, ...], participants_by_kec: np.ndarray
) -> None:
    """Active participants per kecamatan and for the city: the base plus the program's own."""
    drift = 1 + (uniform(seed, T_BPJS, m, np.arange(15)) - 0.5) * 0.02
    kec = np.round(np.array(BPJS_BASE) * drift).astype(np.int64) + participants_by_kec[1:16]
    unallocated = int(round(kec.sum() * 0.02))
    lines = ["area_code,active_participants"]
    lines += [f"{code},{count}" for code, count in zip(kec_codes, kec, strict=True)]
    lines.append(f"73.71,{int(kec.sum()) + unallocated}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_opening_members(path: Path, population: Population, m: int, last_billed: str) -> int:
    """Everyone in the lists of the month before the first generated one, as billed then."""
    niks = []
    for cohort in COHORTS:
        n = population.sizes[cohort]
        for a in range(0, n, CHUNK):
            rows = np.arange(a, min(a + CHUNK, n), dtype=np.int64)
            persons, _ = population.row_persons(cohort, rows, m - 1)
            niks.append(persons.nik)
    nik = np.unique(np.concatenate(niks))
    with path.open("wb") as handle:
        handle.write(b"nik,last_billed\n")
        for a in range(0, len(nik), 1_000_000):
            part = pa.array(nik[a : a + 1_000_000]).cast(pa.string())
            lines = pc.binary_join_element_wise(part, last_billed, ",")
            handle.write(("\n".join(lines.to_pylist()) + "\n").encode())
    return len(nik)


def read_opening_members(path: Path, only: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(nik int64, last_billed month index) of the opening-list rows whose NIK is in `only`
    (a handful of candidates, so a list of millions costs one scan and little memory)."""
    wanted = pa.array(np.unique(only)).cast(pa.string())
    parts = []
    for batch in _batches(path, ["nik", "last_billed"]):
        nik_text = pc.utf8_trim_whitespace(batch["nik"])
        parts.append(batch.filter(pc.fill_null(pc.is_in(nik_text, value_set=wanted), False)))
    table = pa.Table.from_batches(
        parts, schema=pa.schema([("nik", pa.string()), ("last_billed", pa.string())])
    )
    billed = pc.utf8_trim_whitespace(table["last_billed"])
    ok = pc.fill_null(pc.match_substring_regex(billed, r"^[0-9]{4}-[0-9]{2}$"), False)
    table, billed = table.filter(ok), billed.filter(ok)
    year = pc.cast(pc.utf8_slice_codeunits(billed, 0, 4), pa.int64()).to_numpy()
    month = pc.cast(pc.utf8_slice_codeunits(billed, 5, 7), pa.int64()).to_numpy()
    nik = pc.cast(pc.utf8_trim_whitespace(table["nik"]), pa.int64()).to_numpy()
    return nik, year * 12 + month - 1


def first_of(m: int) -> dt.date:
    day = month_start(m).astype(dt.date)
    return day if isinstance(day, dt.date) else day[()]
