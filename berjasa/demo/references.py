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
BPJS_BASE = (9_100, 11_400, 14_200, 58_300, 16_100, 10_200, 17_300, 6_400, 52_100, 33_500,
             38_200, 15_300, 31_400, 30_100, 1_200)


def desil_of(seed: int, uid: np.ndarray) -> np.ndarray:
    """DTSEN desil of a list person; 0 means absent from DTSEN."""
    u = uniform(seed, T_DESIL, uid)
    normal = 1 + below(5, seed, T_DESIL, uid, 1)
    high = 6 + below(3, seed, T_DESIL, uid, 2)
    return np.where(u < DTSEN_MISSING_SHARE, 0,
                    np.where(u < DTSEN_MISSING_SHARE + DTSEN_HIGH_SHARE, high, normal))


def write_dtsen(path: Path, population: Population, m: int) -> int:
    """Write the extract for month index m; returns its row count."""
    seed = population.seed
    n_rentan = population.sizes["pekerja_rentan"]
    niks, desils = [], []
    for month in (m - 3, m, m + 12):
        for a in range(0, n_rentan, CHUNK):
            rows = np.arange(a, min(a + CHUNK, n_rentan), dtype=np.int64)
            persons, _ = population.row_persons("pekerja_rentan", rows, month)
            niks.append(persons.nik)
            desils.append(desil_of(seed, persons.uid))
    nik = np.concatenate(niks)
    desil = np.concatenate(desils)
    nik, first = np.unique(nik, return_index=True)
    desil = desil[first]
    present = desil > 0
    nik, desil = nik[present], desil[present]
    # Two people listed twice: one stays within the limit, one goes above it.
    twice_nik = nik[desil <= 5][:2]
    twice_desil = np.array([4, 7][: len(twice_nik)], dtype=np.int64)
    others = np.arange(2 * n_rentan, dtype=np.int64)
    other_nik, other_desil = [], []
    for a in range(0, len(others), CHUNK):
        index = others[a:a + CHUNK]
        uid = hash64(seed, T_OTHER, index)
        dob = np.datetime64("1945-01-01") + below(27_000, seed, T_OTHER, uid).astype(
            "timedelta64[D]")
        persons = population._from_uid("pekerja_rentan", uid, dob, SERIAL_DTSEN_OTHERS)
        other_nik.append(persons.nik)
        other_desil.append(1 + below(10, seed, T_OTHER, uid, 1))
    all_nik = np.concatenate([nik, twice_nik, *other_nik])
    all_desil = np.concatenate([desil, twice_desil, *other_desil])
    order = np.argsort(all_nik, kind="stable")
    all_nik, all_desil = all_nik[order], all_desil[order]
    invalid_nik = [str(all_nik[0])[:12], str(all_nik[1])[:12] + "O" + str(all_nik[1])[13:],
                   str(all_nik[2]), str(all_nik[3])]
    invalid_desil = [3, 2, 0, 11]
    schema = pa.schema([("nik", pa.string()), ("desil", pa.int64())])
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for a in range(0, len(all_nik), 1_000_000):
            writer.write_table(pa.table({
                "nik": pa.array(all_nik[a:a + 1_000_000]).cast(pa.string()),
                "desil": pa.array(all_desil[a:a + 1_000_000], type=pa.int64())}, schema=schema))
        writer.write_table(pa.table({"nik": invalid_nik, "desil": invalid_desil},
                                    schema=schema))
    return len(all_nik) + len(invalid_nik)


def _read_text_columns(path: Path, columns: list[str]) -> pa.Table:
    if path.suffix.lower() == ".csv":
        return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(columns, pa.string()), include_columns=columns))
    table = pq.read_table(path, columns=columns)
    return pa.table({c: pc.cast(table[c], pa.string()) for c in columns})


def _valid_nik(nik: pa.ChunkedArray) -> pa.ChunkedArray:
    nik = pc.utf8_trim_whitespace(nik)
    ok = pc.and_(pc.match_substring_regex(nik, r"^[0-9]{16}$"),
                 pc.invert(pc.ends_with(nik, "0000")))
    return pc.fill_null(ok, False)


def read_dtsen_max(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Valid DTSEN rows of an extract, one per NIK (sorted) with its highest desil (SPEC §2)."""
    table = _read_text_columns(path, ["nik", "desil"])
    desil_text = pc.utf8_trim_whitespace(table["desil"])
    keep = pc.and_(_valid_nik(table["nik"]),
                   pc.fill_null(pc.match_substring_regex(desil_text, r"^[0-9]{1,2}$"), False))
    nik = pc.cast(pc.utf8_trim_whitespace(table["nik"].filter(keep)), pa.int64()).to_numpy()
    desil = pc.cast(desil_text.filter(keep), pa.int64()).to_numpy()
    del table
    in_range = (desil >= 1) & (desil <= 10)
    nik, desil = nik[in_range], desil[in_range]
    order = np.argsort(nik, kind="stable")
    nik, desil = nik[order], desil[order]
    if len(nik) == 0:
        return nik, desil
    starts = np.concatenate([[0], np.nonzero(nik[1:] != nik[:-1])[0] + 1])
    return nik[starts], np.maximum.reduceat(desil, starts)


def write_bpjs_active(path: Path, seed: int, m: int, kec_codes: tuple[str, ...],
                      participants_by_kec: np.ndarray) -> None:
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
            part = pa.array(nik[a:a + 1_000_000]).cast(pa.string())
            lines = pc.binary_join_element_wise(part, last_billed, ",")
            handle.write(("\n".join(lines.to_pylist()) + "\n").encode())
    return len(nik)


def read_opening_members(path: Path, only: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(nik int64, last_billed month index) of the opening-list rows whose NIK is in `only`
    (a handful of candidates, so a list of millions costs one scan and little memory)."""
    table = _read_text_columns(path, ["nik", "last_billed"])
    wanted = pa.array(np.unique(only)).cast(pa.string())
    nik_text = pc.utf8_trim_whitespace(table["nik"])
    table = table.filter(pc.fill_null(pc.is_in(nik_text, value_set=wanted), False))
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
