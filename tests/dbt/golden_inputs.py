"""The golden fixture: 22 pseudonymised people over 2026-01 (M1) and 2026-02 (M2), written as
the validated Parquet of ARCHITECTURE.md (schemas A, R, F, DTSEN, opening list, good list), with
the bill computed by hand below. person_keys are literal fake keys (`p01`...), as bytes like the
validated layer's 32-byte digests (the marts are read back as text).

Hand computation (PU rates in bp of upah; BPU JKK 1% and JHT 2% of Rp1,000,000, JKM Rp6,800):
- p01 non_asn, upah 3,000,625: JKK 0.24% = 7,201.5 -> 7,202; JKM 0.30% = 9,001.875 -> 9,002.
  M2 (test-only rate PU JKK 0.54% from 2026-02): 16,203.375 -> 16,203.
- p02 non_asn living in Gowa (luar Makassar), upah 5,000,000: JKK 12,000 (M2 27,000); JKM 15,000.
- p03 non_asn upah 4,000,000 and health cadre: JKK 9,600 (M2 21,600), JKM 12,000 as non_asn;
  JHT 20,000 billed to kader_posyandu_kb at the BPU rate.
- p04 non_asn row rejected (wage_missing) -> billed in rt_rw: 10,000 + 6,800.
- p05 RT head and health cadre: JKK/JKM to rt_rw, JHT 20,000 to kader_posyandu_kb.
- p06 rt_rw aged 67, continuing by the opening list (last billed 2025-12): billed.
- p07 rt_rw turns 65 before 2026-01-01, new (opening list says 2025-09, too old): rejected.
- p19 rt_rw born 1961-01-15: 64 on 2026-01-01 (new, billed), 65 on 2026-02-01 and continuing
  through the ledger of M1: billed.
- p08 twice in the rt_rw list: the second row is duplicate_in_list.
- pekerja_rentan in M1 uses the 2025-12 DTSEN extract (no 2026-01 one): p14 desil 7 ->
  desil_too_high, p15 absent -> not_in_dtsen, p16 listed twice (2 and 5 -> 5) accepted; in M2
  the 2026-02 extract gives p14 desil 4 -> billed.
- M2 penyelenggara_pemilu sends a broken revision (2 of 3 rows rejected, above the fixture's
  threshold 0.5): held_back, billed from its last good list (p12, p18).
- M2 movement: p10 exits pekerja_keagamaan, p09 moves kader -> pekerja_keagamaan, p20 is new.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from schemas.tables import ACCEPTED_SCHEMA, REJECTED_SCHEMA, SOURCE_FILES_SCHEMA

M1 = "2026-01"
M2 = "2026-02"
REJECT_THRESHOLD = 0.5

# The validated layer's own schemas (ARCHITECTURE.md A, R, F): one definition, in schemas/.
SCHEMA_A = ACCEPTED_SCHEMA
SCHEMA_R = REJECTED_SCHEMA
SCHEMA_F = SOURCE_FILES_SCHEMA

# person -> (birth date, sex, kecamatan code or None for outside Makassar)
PEOPLE: dict[str, tuple[str, str, str | None]] = {
    "p01": ("1980-05-10", "L", "73.71.01"),
    "p02": ("1975-03-03", "P", None),
    "p03": ("1985-07-07", "P", "73.71.02"),
    "p04": ("1970-01-01", "L", "73.71.03"),
    "p05": ("1972-02-02", "L", "73.71.03"),
    "p06": ("1958-06-01", "L", "73.71.04"),
    "p07": ("1960-12-15", "L", "73.71.04"),
    "p08": ("1990-01-01", "L", "73.71.04"),
    "p09": ("1988-08-08", "P", "73.71.04"),
    "p10": ("1979-04-04", "L", "73.71.06"),
    "p11": ("1982-09-09", "L", "73.71.06"),
    "p12": ("1995-10-10", "P", "73.71.07"),
    "p13": ("1984-11-11", "P", "73.71.08"),
    "p14": ("1986-12-12", "L", "73.71.08"),
    "p15": ("1987-03-13", "L", "73.71.08"),
    "p16": ("1989-06-16", "P", "73.71.08"),
    "p18": ("1996-02-18", "L", "73.71.07"),
    "p19": ("1961-01-15", "L", "73.71.05"),
    "p20": ("1991-07-20", "P", "73.71.06"),
    "p21": ("1977-05-21", "P", "73.71.09"),
    "p22": ("1983-08-22", "L", "73.71.09"),
}
WAGES = {"p01": 3_000_625, "p02": 5_000_000, "p03": 4_000_000}

# (cohort, source_file, file_ordinal, source_row, person) per period
LISTS: dict[str, list[tuple[str, str, int, int, str]]] = {
    M1: [
        ("non_asn", "non_asn.csv", 1, 2, "p01"),
        ("non_asn", "non_asn.csv", 1, 3, "p02"),
        ("non_asn", "non_asn.csv", 1, 4, "p03"),
        ("rt_rw", "rt_rw.xlsx", 1, 2, "p04"),
        ("rt_rw", "rt_rw.xlsx", 1, 3, "p05"),
        ("rt_rw", "rt_rw.xlsx", 1, 4, "p06"),
        ("rt_rw", "rt_rw.xlsx", 1, 5, "p07"),
        ("rt_rw", "rt_rw.xlsx", 1, 6, "p08"),
        ("rt_rw", "rt_rw.xlsx", 1, 7, "p19"),
        ("rt_rw", "rt_rw.xlsx", 1, 8, "p08"),
        ("kader_posyandu_kb", "kader_posyandu_kb.csv", 1, 2, "p09"),
        ("kader_posyandu_kb", "kader_posyandu_kb.csv", 1, 3, "p05"),
        ("kader_posyandu_kb", "kader_posyandu_kb.csv", 1, 4, "p03"),
        ("pekerja_keagamaan", "pekerja_keagamaan.csv", 1, 2, "p10"),
        ("pekerja_keagamaan", "pekerja_keagamaan.csv", 1, 3, "p11"),
        ("penyelenggara_pemilu", "penyelenggara_pemilu.csv", 1, 2, "p12"),
        ("penyelenggara_pemilu", "penyelenggara_pemilu.csv", 1, 3, "p18"),
        ("pekerja_rentan", "pekerja_rentan__a.csv", 1, 2, "p13"),
        ("pekerja_rentan", "pekerja_rentan__a.csv", 1, 3, "p14"),
        ("pekerja_rentan", "pekerja_rentan__a.csv", 1, 4, "p15"),
        ("pekerja_rentan", "pekerja_rentan__a.csv", 1, 5, "p21"),
        ("pekerja_rentan", "pekerja_rentan__a.csv", 1, 6, "p22"),
        ("pekerja_rentan", "pekerja_rentan__b.csv", 2, 2, "p16"),
    ],
    M2: [
        ("non_asn", "non_asn.csv", 1, 2, "p01"),
        ("non_asn", "non_asn.csv", 1, 3, "p02"),
        ("non_asn", "non_asn.csv", 1, 4, "p03"),
        ("rt_rw", "rt_rw.csv", 1, 2, "p04"),
        ("rt_rw", "rt_rw.csv", 1, 3, "p05"),
        ("rt_rw", "rt_rw.csv", 1, 4, "p06"),
        ("rt_rw", "rt_rw.csv", 1, 5, "p07"),
        ("rt_rw", "rt_rw.csv", 1, 6, "p08"),
        ("rt_rw", "rt_rw.csv", 1, 7, "p19"),
        ("kader_posyandu_kb", "kader_posyandu_kb.csv", 1, 2, "p05"),
        ("kader_posyandu_kb", "kader_posyandu_kb.csv", 1, 3, "p03"),
        ("pekerja_keagamaan", "pekerja_keagamaan.csv", 1, 2, "p11"),
        ("pekerja_keagamaan", "pekerja_keagamaan.csv", 1, 3, "p09"),
        ("pekerja_keagamaan", "pekerja_keagamaan.csv", 1, 4, "p20"),
        ("penyelenggara_pemilu", "penyelenggara_pemilu.csv", 1, 2, "p12"),
        ("pekerja_rentan", "pekerja_rentan.csv", 1, 2, "p13"),
        ("pekerja_rentan", "pekerja_rentan.csv", 1, 3, "p14"),
        ("pekerja_rentan", "pekerja_rentan.csv", 1, 4, "p16"),
        ("pekerja_rentan", "pekerja_rentan.csv", 1, 5, "p21"),
        ("pekerja_rentan", "pekerja_rentan.csv", 1, 6, "p22"),
    ],
}
# (cohort, source_file, file_ordinal, source_row, reason_code, field)
LOCAL_REJECTS: dict[str, list[tuple[str, str, int, int, str, str]]] = {
    M1: [
        ("non_asn", "non_asn.csv", 1, 5, "wage_missing", "upah"),
        ("pekerja_rentan", "pekerja_rentan__b.csv", 2, 3, "nik_format", "nik"),
    ],
    M2: [
        ("penyelenggara_pemilu", "penyelenggara_pemilu.csv", 1, 3, "missing_field", "nama"),
        ("penyelenggara_pemilu", "penyelenggara_pemilu.csv", 1, 4, "missing_field", "nama"),
    ],
}
# the last good list of 2026-02 (as if a first revision of February had been published)
GOOD_LISTS: dict[str, list[tuple[str, str, int, int, str]]] = {
    M2: [
        ("penyelenggara_pemilu", "penyelenggara_pemilu__v1.csv", 1, 2, "p12"),
        ("penyelenggara_pemilu", "penyelenggara_pemilu__v1.csv", 1, 3, "p18"),
    ],
}
DTSEN = {
    "2025-12": [("p13", 3), ("p14", 7), ("p16", 2), ("p16", 5), ("p21", 1), ("p22", 4)],
    "2026-02": [("p13", 3), ("p14", 4), ("p16", 5), ("p21", 1), ("p22", 4)],
}
OPENING = [("p06", "2025-12-01"), ("p07", "2025-09-01")]
BPJS_ACTIVE = {M1: [("73.71", 300_000), ("73.71.01", 40_000)], M2: []}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _period_date(period: str) -> dt.date:
    return _date(period + "-01")


def _schema_a_rows(period: str, rows: list[tuple[str, str, int, int, str]]) -> pa.Table:
    records = []
    for cohort, source_file, ordinal, source_row, person in rows:
        birth, sex, kecamatan = PEOPLE[person]
        records.append(
            {
                "period": _period_date(period),
                "cohort_code": cohort,
                "source_file": source_file,
                "file_ordinal": ordinal,
                "source_row": source_row,
                "person_key": person.encode(),
                "nik_masked": "737101******" + person[1:].rjust(4, "0"),
                "birth_date": _date(birth),
                "sex": sex,
                "kecamatan_code": kecamatan,
                "kelurahan_code": None if kecamatan is None else kecamatan + ".1001",
                "is_outside_city": kecamatan is None,
                "wage_idr": WAGES.get(person) if cohort == "non_asn" else None,
                "pekerjaan": None,
                "disabilitas": None,
            }
        )
    return pa.Table.from_pylist(records, schema=SCHEMA_A)


def write_period(home: Path, period: str) -> None:
    """Write validated/<period>/*.parquet, its DTSEN extracts, opening and good lists."""
    folder = home / "validated" / period
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(_schema_a_rows(period, LISTS[period]), folder / "accepted.parquet")
    rejects = [
        {
            "period": _period_date(period),
            "cohort_code": cohort,
            "source_file": source_file,
            "file_ordinal": ordinal,
            "source_row": source_row,
            "reason_code": reason,
            "reason_detail": f"{field}: rule {reason}",
            "nik_masked": "737101******9999",
        }
        for cohort, source_file, ordinal, source_row, reason, field in LOCAL_REJECTS[period]
    ]
    pq.write_table(pa.Table.from_pylist(rejects, schema=SCHEMA_R), folder / "rejected.parquet")
    read: dict[tuple[str, str, int], int] = {}
    for cohort, source_file, ordinal, *_ in LISTS[period] + [r[:4] for r in LOCAL_REJECTS[period]]:
        read[(cohort, source_file, ordinal)] = read.get((cohort, source_file, ordinal), 0) + 1
    files = [
        {
            "period": _period_date(period),
            "cohort_code": cohort,
            "source_file": source_file,
            "file_sha256": f"sha-{source_file}",
            "file_ordinal": ordinal,
            "file_status": "ok",
            "error_detail": None,
            "rows_read": count,
        }
        for (cohort, source_file, ordinal), count in sorted(read.items())
    ]
    pq.write_table(pa.Table.from_pylist(files, schema=SCHEMA_F), folder / "source_files.parquet")
    pq.write_table(
        pa.table(
            {
                "period": pa.array([_period_date(period)] * len(BPJS_ACTIVE[period]), pa.date32()),
                "area_code": pa.array([a for a, _ in BPJS_ACTIVE[period]], pa.string()),
                "active_participants": pa.array([n for _, n in BPJS_ACTIVE[period]], pa.int64()),
            }
        ),
        folder / "bpjs_active.parquet",
    )
    dtsen_dir = home / "validated" / "dtsen"
    dtsen_dir.mkdir(parents=True, exist_ok=True)
    for extract, rows in DTSEN.items():
        pq.write_table(
            pa.table(
                {
                    "extract_period": pa.array([_period_date(extract)] * len(rows), pa.date32()),
                    "person_key": pa.array([p.encode() for p, _ in rows], pa.binary()),
                    "desil": pa.array([d for _, d in rows], pa.int32()),
                }
            ),
            dtsen_dir / f"{extract}.parquet",
        )
    pq.write_table(
        pa.table(
            {
                "person_key": pa.array([p.encode() for p, _ in OPENING], pa.binary()),
                "last_billed": pa.array([_date(d) for _, d in OPENING], pa.date32()),
            }
        ),
        home / "validated" / "opening_members.parquet",
    )
    if period in GOOD_LISTS:
        good_dir = home / "state" / "good"
        good_dir.mkdir(parents=True, exist_ok=True)
        pq.write_table(_schema_a_rows(period, GOOD_LISTS[period]), good_dir / f"{period}.parquet")


def write_ledger(home: Path, period: str, rows: list[tuple[dt.date, str, str]]) -> None:
    """state/ledger/<period>.parquet from people_monthly rows (period, person_key, cohort)."""
    ledger = home / "state" / "ledger"
    ledger.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.table(
            {
                "period": pa.array([r[0] for r in rows], pa.date32()),
                "person_key": pa.array([r[1].encode() for r in rows], pa.binary()),
                "primary_cohort": pa.array([r[2] for r in rows], pa.string()),
            }
        ),
        ledger / f"{period}.parquet",
    )


# ---- expected results (hand-computed) --------------------------------------------------------
BPU = {"JKK": 10_000, "JKM": 6_800, "JHT": 20_000}


def _bpu(person: str, cohort: str, programs: str) -> list[tuple[str, str, str, int]]:
    return [(person, cohort, program, BPU[program]) for program in programs.split()]


EXPECTED_DETAIL: dict[str, list[tuple[str, str, str, int]]] = {
    M1: [
        ("p01", "non_asn", "JKK", 7_202),
        ("p01", "non_asn", "JKM", 9_002),
        ("p02", "non_asn", "JKK", 12_000),
        ("p02", "non_asn", "JKM", 15_000),
        ("p03", "non_asn", "JKK", 9_600),
        ("p03", "non_asn", "JKM", 12_000),
        ("p03", "kader_posyandu_kb", "JHT", 20_000),
        *_bpu("p04", "rt_rw", "JKK JKM"),
        *_bpu("p05", "rt_rw", "JKK JKM"),
        *_bpu("p05", "kader_posyandu_kb", "JHT"),
        *_bpu("p06", "rt_rw", "JKK JKM"),
        *_bpu("p08", "rt_rw", "JKK JKM"),
        *_bpu("p19", "rt_rw", "JKK JKM"),
        *_bpu("p09", "kader_posyandu_kb", "JKK JKM JHT"),
        *_bpu("p10", "pekerja_keagamaan", "JKK JKM"),
        *_bpu("p11", "pekerja_keagamaan", "JKK JKM"),
        *_bpu("p12", "penyelenggara_pemilu", "JKK JKM"),
        *_bpu("p18", "penyelenggara_pemilu", "JKK JKM"),
        *_bpu("p13", "pekerja_rentan", "JKK JKM JHT"),
        *_bpu("p16", "pekerja_rentan", "JKK JKM JHT"),
        *_bpu("p21", "pekerja_rentan", "JKK JKM JHT"),
        *_bpu("p22", "pekerja_rentan", "JKK JKM JHT"),
    ],
    M2: [
        ("p01", "non_asn", "JKK", 16_203),
        ("p01", "non_asn", "JKM", 9_002),
        ("p02", "non_asn", "JKK", 27_000),
        ("p02", "non_asn", "JKM", 15_000),
        ("p03", "non_asn", "JKK", 21_600),
        ("p03", "non_asn", "JKM", 12_000),
        ("p03", "kader_posyandu_kb", "JHT", 20_000),
        *_bpu("p04", "rt_rw", "JKK JKM"),
        *_bpu("p05", "rt_rw", "JKK JKM"),
        *_bpu("p05", "kader_posyandu_kb", "JHT"),
        *_bpu("p06", "rt_rw", "JKK JKM"),
        *_bpu("p08", "rt_rw", "JKK JKM"),
        *_bpu("p19", "rt_rw", "JKK JKM"),
        *_bpu("p11", "pekerja_keagamaan", "JKK JKM"),
        *_bpu("p09", "pekerja_keagamaan", "JKK JKM"),
        *_bpu("p20", "pekerja_keagamaan", "JKK JKM"),
        *_bpu("p12", "penyelenggara_pemilu", "JKK JKM"),
        *_bpu("p18", "penyelenggara_pemilu", "JKK JKM"),
        *_bpu("p13", "pekerja_rentan", "JKK JKM JHT"),
        *_bpu("p14", "pekerja_rentan", "JKK JKM JHT"),
        *_bpu("p16", "pekerja_rentan", "JKK JKM JHT"),
        *_bpu("p21", "pekerja_rentan", "JKK JKM JHT"),
        *_bpu("p22", "pekerja_rentan", "JKK JKM JHT"),
    ],
}

# (cohort, program, participants, premium_idr), written out by hand
EXPECTED_MONTHLY: dict[str, set[tuple[str, str, int, int]]] = {
    M1: {
        ("non_asn", "JKK", 3, 28_802),
        ("non_asn", "JKM", 3, 36_002),
        ("rt_rw", "JKK", 5, 50_000),
        ("rt_rw", "JKM", 5, 34_000),
        ("kader_posyandu_kb", "JKK", 1, 10_000),
        ("kader_posyandu_kb", "JKM", 1, 6_800),
        ("kader_posyandu_kb", "JHT", 3, 60_000),
        ("pekerja_keagamaan", "JKK", 2, 20_000),
        ("pekerja_keagamaan", "JKM", 2, 13_600),
        ("penyelenggara_pemilu", "JKK", 2, 20_000),
        ("penyelenggara_pemilu", "JKM", 2, 13_600),
        ("pekerja_rentan", "JKK", 4, 40_000),
        ("pekerja_rentan", "JKM", 4, 27_200),
        ("pekerja_rentan", "JHT", 4, 80_000),
    },
    M2: {
        ("non_asn", "JKK", 3, 64_803),
        ("non_asn", "JKM", 3, 36_002),
        ("rt_rw", "JKK", 5, 50_000),
        ("rt_rw", "JKM", 5, 34_000),
        ("kader_posyandu_kb", "JHT", 2, 40_000),
        ("pekerja_keagamaan", "JKK", 3, 30_000),
        ("pekerja_keagamaan", "JKM", 3, 20_400),
        ("penyelenggara_pemilu", "JKK", 2, 20_000),
        ("penyelenggara_pemilu", "JKM", 2, 13_600),
        ("pekerja_rentan", "JKK", 5, 50_000),
        ("pekerja_rentan", "JKM", 5, 34_000),
        ("pekerja_rentan", "JHT", 5, 100_000),
    },
}

# cohort -> (new, continuing, exited, active)
EXPECTED_MEMBERSHIP: dict[str, dict[str, tuple[int, int, int, int]]] = {
    M1: {
        "non_asn": (3, 0, 0, 3),
        "rt_rw": (5, 0, 0, 5),
        "kader_posyandu_kb": (1, 0, 0, 1),
        "pekerja_keagamaan": (2, 0, 0, 2),
        "penyelenggara_pemilu": (2, 0, 0, 2),
        "pekerja_rentan": (4, 0, 0, 4),
    },
    M2: {
        "non_asn": (0, 3, 0, 3),
        "rt_rw": (0, 5, 0, 5),
        "kader_posyandu_kb": (0, 0, 1, 0),
        "pekerja_keagamaan": (2, 1, 1, 3),
        "penyelenggara_pemilu": (0, 2, 0, 2),
        "pekerja_rentan": (1, 4, 0, 5),
    },
}

# (cohort, source_file, source_row, reason_code)
EXPECTED_REJECTS: dict[str, set[tuple[str, str, int, str]]] = {
    M1: {
        ("non_asn", "non_asn.csv", 5, "wage_missing"),
        ("rt_rw", "rt_rw.xlsx", 5, "age_out_of_range"),
        ("rt_rw", "rt_rw.xlsx", 8, "duplicate_in_list"),
        ("pekerja_rentan", "pekerja_rentan__a.csv", 3, "desil_too_high"),
        ("pekerja_rentan", "pekerja_rentan__a.csv", 4, "not_in_dtsen"),
        ("pekerja_rentan", "pekerja_rentan__b.csv", 3, "nik_format"),
    },
    M2: {
        ("rt_rw", "rt_rw.csv", 5, "age_out_of_range"),
        ("penyelenggara_pemilu", "penyelenggara_pemilu.csv", 3, "missing_field"),
        ("penyelenggara_pemilu", "penyelenggara_pemilu.csv", 4, "missing_field"),
    },
}
