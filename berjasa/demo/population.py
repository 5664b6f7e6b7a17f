"""The synthetic people: a deterministic function of (seed, scale) and the month.

Each cohort list has a fixed number of *slots* (its size at the scale). A slot holds one person
for a lifetime of 20–48 months (its own length and phase), then a new person takes it, so any
month can be computed directly and month M+1 keeps ~97% of month M's people (the fault rows,
drawn afresh each month, bring the accepted overlap to ~94%). A person's birth date follows
from the age at which they joined, capped so that nobody turns 65 while in a slot: the only
people aged 65+ are the deliberate ones (the seniors below and the injected new registrations).

Seniors: three RT heads, one per birth-year cohort ("era"), sit in fixed rows of the `rt_rw`
list from January of era−2 to December of era; born in December era−67, they are 64, then 65,
then 66 — the *continuing member aged 65+* that the age rule must accept.

NIK: `73 71` + kecamatan (01–15) + DDMMYY (+40 on DD for women) + a 4-digit serial. Serials
are partitioned (cohort c: 1+1500c … 1500(c+1); DTSEN-only people 9001–9800; injected fault
people 9801–9989; seniors 9990–9999) so that different populations never share a NIK by
accident; within one population a rare collision is possible and is a real duplicate (the truth
file computes duplicates from the NIKs written, so it stays exact).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np

from berjasa.demo.rng import below, hash64, tag, uniform
from berjasa.demo.vocab import OUTSIDE_KELURAHAN

COHORTS = (
    "non_asn",
    "rt_rw",
    "kader_posyandu_kb",
    "pekerja_keagamaan",
    "penyelenggara_pemilu",
    "pekerja_rentan",
)
COHORT_SIZES = {
    "non_asn": 11_815,
    "rt_rw": 6_004,
    "kader_posyandu_kb": 6_107,
    "pekerja_keagamaan": 5_750,
    "penyelenggara_pemilu": 36_000,
    "pekerja_rentan": 35_782,
}
MIN_ROWS = 25
AGE_AT_JOIN = {
    "non_asn": (20, 55),
    "rt_rw": (35, 60),
    "kader_posyandu_kb": (20, 58),
    "pekerja_keagamaan": (25, 60),
    "penyelenggara_pemilu": (17, 45),
    "pekerja_rentan": (18, 60),
}
FEMALE_SHARE = {
    "non_asn": 0.45,
    "rt_rw": 0.2,
    "kader_posyandu_kb": 0.92,
    "pekerja_keagamaan": 0.12,
    "penyelenggara_pemilu": 0.5,
    "pekerja_rentan": 0.45,
}
OUTSIDE_SHARE_NON_ASN = 0.012  # city employees living in Somba Opu (Gowa)
# Rows of a target cohort that hold a person of another cohort ("one person, several cohorts").
COPY_FROM = {
    "kader_posyandu_kb": (("rt_rw", 0.004), ("non_asn", 0.003)),
    "pekerja_rentan": (("kader_posyandu_kb", 0.004),),
}
LIFETIME_MIN, LIFETIME_SPAN = 20, 29  # months: 20..48
SERIAL_BLOCK = 1500
SERIAL_DTSEN_OTHERS = (9001, 800)
SERIAL_FRESH = (9801, 189)
SERIAL_SENIOR = (9990, 10)

_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")

T_LIFE, T_PHASE, T_UID, T_SEX, T_AGE, T_KEL, T_OUT, T_SERIAL, T_NIKKEC, T_WAGE = (
    tag(x) for x in ("life", "phase", "uid", "sex", "age", "kel", "out", "serial", "nikkec", "wage")
)
T_COPY, T_COPYSLOT, T_SENIOR, T_FRESH = (tag(x) for x in ("copy", "copyslot", "senior", "fresh"))


def month_index(period: str) -> int:
    year, month = (int(x) for x in period.split("-"))
    return year * 12 + month - 1


def month_start(m: int | np.ndarray) -> np.ndarray:
    """First day of month index(es) as datetime64[D]."""
    return (
        (np.asarray(m, dtype=np.int64) - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")
    )


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def age_on(dob: np.ndarray, on: dt.date) -> np.ndarray:
    """Whole years of age on the given day (vectorised)."""
    year, month, day = ymd(dob)
    before = (month > on.month) | ((month == on.month) & (day > on.day))
    return on.year - year - before.astype(np.int64)


def excel_serial(days: np.ndarray) -> np.ndarray:
    return (days - _EXCEL_EPOCH).astype(np.int64)


def build_nik(
    kec: np.ndarray,
    dob: np.ndarray,
    female: np.ndarray,
    serial: np.ndarray,
    day_override: np.ndarray | None = None,
) -> np.ndarray:
    year, month, day = ymd(dob)
    if day_override is not None:
        day = day_override
    dd = day + 40 * female.astype(np.int64)
    return (
        7371 * 10**12
        + kec.astype(np.int64) * 10**10
        + dd * 10**8
        + month * 10**6
        + (year % 100) * 10**4
        + serial.astype(np.int64)
    )


@dataclass
class Persons:
    """Column arrays, one element per person (row)."""

    uid: np.ndarray  # uint64, stable identity (names are drawn from it)
    female: np.ndarray  # bool
    dob: np.ndarray  # datetime64[D]
    kel: np.ndarray  # int64 index into the wilayah reference, -1 outside Makassar
    outside_kel: np.ndarray  # int64 index into OUTSIDE_KELURAHAN
    nik_kec: np.ndarray  # int64 1..15, the kecamatan that issued the NIK
    serial: np.ndarray  # int64
    nik: np.ndarray  # int64, 16 digits
    wage: np.ndarray  # int64 rupiah (used for non_asn)

    def __len__(self) -> int:
        return len(self.uid)

    def assign(self, index: np.ndarray, other: Persons) -> None:
        for f in fields(self):
            getattr(self, f.name)[index] = getattr(other, f.name)

    def take(self, index: np.ndarray) -> Persons:
        return Persons(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def refresh_nik(self) -> None:
        self.nik = build_nik(self.nik_kec, self.dob, self.female, self.serial)


class Population:
    """People of every cohort for one (seed, scale), any month."""

    def __init__(self, seed: int, scale: float, kel_kec: np.ndarray) -> None:
        self.seed = seed
        self.scale = scale
        self.kel_kec = kel_kec  # kecamatan number (1..15) of each kelurahan index
        self.sizes = {c: max(MIN_ROWS, round(n * scale)) for c, n in COHORT_SIZES.items()}

    # -- building blocks ------------------------------------------------------------------
    def _from_uid(
        self, cohort: str, uid: np.ndarray, dob: np.ndarray, serial_block: tuple[int, int]
    ) -> Persons:
        s = self.seed
        n = len(uid)
        female = uniform(s, T_SEX, uid) < FEMALE_SHARE[cohort]
        kel = below(len(self.kel_kec), s, T_KEL, uid)
        outside = np.zeros(n, dtype=bool)
        if cohort == "non_asn" and serial_block[0] <= 9000:
            outside = uniform(s, T_OUT, uid) < OUTSIDE_SHARE_NON_ASN
        kel = np.where(outside, -1, kel)
        outside_kel = below(len(OUTSIDE_KELURAHAN), s, T_OUT, uid, 1)
        nik_kec = np.where(
            outside, below(15, s, T_NIKKEC, uid) + 1, self.kel_kec[np.maximum(kel, 0)]
        )
        serial = serial_block[0] + below(serial_block[1], s, T_SERIAL, uid)
        wage_u = uniform(s, T_WAGE, uid)
        wage = np.where(wage_u < 0.04, 3_000_625, (1_500 + below(3_001, s, T_WAGE, uid, 1)) * 1_000)
        persons = Persons(
            uid=uid,
            female=female,
            dob=dob,
            kel=kel.astype(np.int64),
            outside_kel=outside_kel,
            nik_kec=nik_kec.astype(np.int64),
            serial=serial,
            nik=np.zeros(n, np.int64),
            wage=wage.astype(np.int64),
        )
        persons.refresh_nik()
        return persons

    def slot_persons(self, cohort: str, slots: np.ndarray, m: int) -> Persons:
        """The person holding each slot of a cohort's list in month index m."""
        s, c = self.seed, COHORTS.index(cohort)
        slots = np.asarray(slots, dtype=np.int64)
        life = LIFETIME_MIN + below(LIFETIME_SPAN, s, T_LIFE, c, slots)
        phase = below(life, s, T_PHASE, c, slots)
        generation = (m + phase) // life
        joined = generation * life - phase
        uid = hash64(s, T_UID, c, slots, generation)
        low, high = AGE_AT_JOIN[cohort]
        age_days = np.floor((low + uniform(s, T_AGE, uid) * (high - low)) * 365.25)
        dob = month_start(joined) - age_days.astype("timedelta64[D]")
        return self._from_uid(cohort, uid, dob, (1 + c * SERIAL_BLOCK, SERIAL_BLOCK))

    def senior_rows(self) -> np.ndarray:
        n = self.sizes["rt_rw"]
        return np.array([n // 7, 3 * n // 7, 5 * n // 7], dtype=np.int64)

    def senior_eras(self, m: int) -> np.ndarray:
        """Era (birth-year cohort) of the senior at each senior row in month index m."""
        year = m // 12
        eras = np.array([year, year + 1, year + 2])
        return eras[np.argsort(eras % 3)]  # era e sits at senior row e % 3

    def senior_persons(self, eras: np.ndarray) -> Persons:
        eras = np.asarray(eras, dtype=np.int64)
        uid = hash64(self.seed, T_SENIOR, eras)
        day = 2 + below(27, self.seed, T_SENIOR, uid)
        dob = (
            month_start((eras - 67) * 12 + 11)
            + day.astype("timedelta64[D]")
            - np.timedelta64(1, "D")
        )
        return self._from_uid("rt_rw", uid, dob, SERIAL_SENIOR)

    def fresh_persons(self, cohort: str, rows: np.ndarray, m: int, dob: np.ndarray) -> Persons:
        """Brand-new people injected for a fault (never in any earlier month)."""
        uid = hash64(self.seed, T_FRESH, COHORTS.index(cohort), m, rows)
        return self._from_uid(cohort, uid, dob, SERIAL_FRESH)

    # -- a list as it is sent ------------------------------------------------------------
    def row_persons(self, cohort: str, rows: np.ndarray, m: int) -> tuple[Persons, np.ndarray]:
        """Persons of list positions `rows` in month m, and a flag for rows that hold a person
        of another cohort. Seniors occupy their fixed `rt_rw` rows."""
        rows = np.asarray(rows, dtype=np.int64)
        persons = self.slot_persons(cohort, rows, m)
        copied = np.zeros(len(rows), dtype=bool)
        u = uniform(self.seed, T_COPY, COHORTS.index(cohort), rows)
        low = 0.0
        for source, share in COPY_FROM.get(cohort, ()):
            index = np.nonzero((u >= low) & (u < low + share))[0]
            low += share
            if len(index) == 0:
                continue
            source_slots = below(
                self.sizes[source], self.seed, T_COPYSLOT, COHORTS.index(cohort), rows[index]
            )
            other = self.slot_persons(source, source_slots, m)
            keep = other.kel >= 0  # a Gowa resident cannot be in a Makassar-only cohort
            persons.assign(index[keep], other.take(np.nonzero(keep)[0]))
            copied[index[keep]] = True
        if cohort == "rt_rw":
            seniors = self.senior_rows()
            hit = np.isin(rows, seniors)
            if hit.any():
                eras = self.senior_eras(m)
                era_of_row = eras[np.searchsorted(seniors, rows[hit])]
                persons.assign(np.nonzero(hit)[0], self.senior_persons(era_of_row))
        return persons, copied

    @cached_property
    def total_rows(self) -> int:
        return sum(self.sizes.values())
