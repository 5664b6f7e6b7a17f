"""Turn a chunk of list rows into the cell values one file holds, faults applied.

Everything is vectorised over the chunk (numpy for numbers, pyarrow compute for strings); the
only branching is per fault kind, as masks. Besides the cells, a chunk carries what the truth
file needs (fault kind, the person's NIK and age, the kelurahan for the BPJS counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from berjasa.demo.areas import Areas
from berjasa.demo.faults import FAULT_INDEX
from berjasa.demo.formats import FileSpec
from berjasa.demo.population import (
    Population,
    age_on,
    build_nik,
    excel_serial,
    month_start,
    ymd,
)
from berjasa.demo.rng import below, tag, uniform
from berjasa.demo.vocab import (
    DAENG_NAMES,
    FEMALE_FIRST,
    MALE_FIRST,
    OCCUPATIONS,
    OUTSIDE_KECAMATAN,
    OUTSIDE_KELURAHAN,
    PHONE_PREFIXES,
    SECOND_PART,
    STREETS,
)

TEXT, NUMBER, DATE = 0, 1, 2  # XLSX cell types
T_NAME, T_VAR, T_OPT, T_DOB = (tag(x) for x in ("name", "variant", "optional", "dob"))
_FIRST = pa.array(MALE_FIRST + FEMALE_FIRST)
_SECOND = pa.array(SECOND_PART)
_DAENG = pa.array([" Daeng " + d for d in DAENG_NAMES])
_PREFIX = pa.array(["", "Andi ", "H. ", "Hj. "])
_STREETS = pa.array(STREETS)
_PHONES = pa.array(PHONE_PREFIXES)
_OUTSIDE = pa.array(OUTSIDE_KELURAHAN)


@dataclass
class Chunk:
    columns: dict[str, pa.Array]
    cell_types: dict[str, np.ndarray]
    kind: np.ndarray  # fault index per row (0 = none)
    nik: np.ndarray  # int64 NIK of the person written (meaningful for clean rows)
    age: np.ndarray  # age on the period's first day
    kel: np.ndarray  # kelurahan index, -1 outside Makassar
    copied: np.ndarray  # person also in another cohort
    senior: np.ndarray  # a fixed senior RT head


def _s(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def _pad(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(_s(values), width=width, padding="0")


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _where(mask: np.ndarray, when_true: pa.Array | str, otherwise: pa.Array) -> pa.Array:
    if not mask.any():
        return otherwise
    return pc.if_else(pa.array(mask), when_true, otherwise)


def _take(values: pa.Array | np.ndarray, index: np.ndarray) -> pa.Array:
    if isinstance(values, np.ndarray):
        values = pa.array(list(values))
    return values.take(pa.array(np.asarray(index, dtype=np.int64)))


def _grouped(amount: np.ndarray, sep: str) -> pa.Array:
    """1234567 -> '1.234.567' (amounts between 1,000,000 and 999,999,999)."""
    return _join(
        _s(amount // 1_000_000), sep, _pad((amount // 1000) % 1000, 3), sep, _pad(amount % 1000, 3)
    )


class Renderer:
    def __init__(self, population: Population, areas: Areas, period_start: dt.date, m: int) -> None:
        self.pop = population
        self.areas = areas
        self.period_start = period_start
        self.m = m
        self.seed = population.seed

    # ---------------------------------------------------------------- persons + faults
    def render(
        self, spec: FileSpec, rows: np.ndarray, kind: np.ndarray, dup_source: np.ndarray
    ) -> Chunk:
        cohort, seed, m = spec.cohort, self.seed, self.m
        is_ = {code: kind == index for code, index in FAULT_INDEX.items()}
        effective = np.where(dup_source >= 0, dup_source, rows)
        persons, copied = self.pop.row_persons(cohort, effective, m)
        # Outside Makassar (city employees in Gowa) the kelurahan is not checked: an area
        # fault there would be accepted, so such rows stay clean.
        moot = (persons.kel < 0) & (is_["kelurahan_misspelt"] | is_["kelurahan_other_kecamatan"])
        if moot.any():
            kind = kind.copy()
            kind[moot] = 0
            is_ = {code: kind == index for code, index in FAULT_INDEX.items()}
        senior = np.zeros(len(rows), dtype=bool)
        if cohort == "rt_rw":
            senior = np.isin(rows, self.pop.senior_rows())
        start = month_start(m)

        def fresh(mask: np.ndarray, years: int, spread_months: int) -> None:
            index = np.nonzero(mask)[0]
            if len(index) == 0:
                return
            back = years * 12 + 1 + below(spread_months, seed, T_DOB, m, rows[index])
            dob = month_start(m - back) + below(28, seed, T_DOB, rows[index], 1).astype(
                "timedelta64[D]"
            )
            persons.assign(index, self.pop.fresh_persons(cohort, rows[index], m, dob))

        fresh(is_["age_14"], 14, 10)
        fresh(is_["age_65_new"], 65, 48)
        future = is_["date_future"]
        if future.any():
            days = 1 + below(200, seed, T_DOB, m, rows[future], 2)
            persons.dob[future] = start + days.astype("timedelta64[D]")
            persons.nik[future] = build_nik(
                persons.nik_kec[future],
                persons.dob[future],
                persons.female[future],
                persons.serial[future],
            )
        outside = is_["kecamatan_outside_city"]
        persons.kel[outside] = -1
        zero = is_["nik_serial_0000"]
        persons.nik[zero] -= persons.serial[zero]
        flip = is_["nik_sex_day"]
        if flip.any():
            persons.nik[flip] = build_nik(
                persons.nik_kec[flip],
                persons.dob[flip],
                ~persons.female[flip],
                persons.serial[flip],
            )
        wrong = is_["nik_wrong_day"]
        if wrong.any():
            day = ymd(persons.dob[wrong])[2]
            persons.nik[wrong] = build_nik(
                persons.nik_kec[wrong],
                persons.dob[wrong],
                persons.female[wrong],
                persons.serial[wrong],
                day_override=day % 28 + 1,
            )

        columns: dict[str, pa.Array] = {}
        types: dict[str, np.ndarray] = {}
        for column in spec.headers:
            values, cell_type = getattr(self, f"_col_{column}")(spec, persons, rows, is_)
            columns[column] = values
            if cell_type is not None:
                types[column] = cell_type
        return Chunk(
            columns=columns,
            cell_types=types,
            kind=kind,
            nik=persons.nik,
            age=age_on(persons.dob, self.period_start),
            kel=persons.kel,
            copied=copied,
            senior=senior,
        )

    # ---------------------------------------------------------------- columns
    def _col_nik(self, spec, persons, rows, is_):
        nik = persons.nik
        if spec.nik_int:
            # 17 digits: a 15-digit integer could be read as a zero-padded 16-digit text.
            values = np.where(is_["nik_wrong_length"], nik * 10 + 1, nik)
            return pa.array(values, type=pa.int64()), None
        text = _s(nik)
        text = _where(is_["nik_wrong_length"], pc.utf8_slice_codeunits(text, 0, 15), text)
        letter = _join(
            pc.utf8_slice_codeunits(text, 0, 12), "O", pc.utf8_slice_codeunits(text, 13, 16)
        )
        text = _where(is_["nik_letter"], letter, text)
        scientific = _join(_s(nik // 10**15), ".", _pad((nik // 10**10) % 100_000, 5), "E+15")
        text = _where(is_["nik_scientific"], scientific, text)
        cell = np.full(len(rows), TEXT, dtype=np.int8)
        number = is_["nik_number_cell"]
        if number.any():
            text = _where(number, _s(nik - nik % 10), text)
            cell[number] = NUMBER
        return text, cell

    def _col_nama(self, spec, persons, rows, is_):
        uid, female, s = persons.uid, persons.female, self.seed
        u = uniform(s, T_NAME, uid)
        born_early = ymd(persons.dob)[0] < 1978
        prefix = np.where(u < 0.08, 1, np.where(born_early & (u < 0.22), np.where(female, 3, 2), 0))
        first = np.where(
            female,
            len(MALE_FIRST) + below(len(FEMALE_FIRST), s, T_NAME, uid, 1),
            below(len(MALE_FIRST), s, T_NAME, uid, 2),
        )
        u2 = uniform(s, T_NAME, uid, 3)
        second = _where(
            u2 < 0.12,
            _take(_DAENG, below(len(DAENG_NAMES), s, T_NAME, uid, 4)),
            _take(_SECOND, below(len(SECOND_PART), s, T_NAME, uid, 5)),
        )
        name = _join(_take(_PREFIX, prefix), _take(_FIRST, first), second)
        return _where(is_["empty_nama"], "", name), None

    def _col_tanggal_lahir(self, spec, persons, rows, is_):
        dob = persons.dob
        year, month, day = ymd(dob)
        style = spec.date_style
        impossible = is_["date_impossible"]
        bare = is_["date_bare_number"]
        if style == "date32":
            return pa.array(dob, type=pa.date32()), None
        y, mm, dd = _s(year), _pad(month, 2), _pad(day, 2)
        cell = None
        if style in ("iso", "iso_time"):
            text = _join(y, "-", mm, "-", dd)
            bad = _join(y, "-02-31")
        elif style == "dmy_dash":
            text = _join(dd, "-", mm, "-", y)
            bad = _join("31-02-", y)
        elif style == "dmy_slash":
            text = _join(_s(day), "/", _s(month), "/", y)
            bad = _join("31/2/", y)
        else:  # cell: an Excel serial with a date format
            text = _s(excel_serial(dob))
            bad = _join("31-02-", y)
            cell = np.full(len(rows), DATE, dtype=np.int8)
            cell[impossible] = TEXT
            cell[bare] = NUMBER
        if style == "iso_time":
            text = _join(text, " 00:00:00")
            bad = _join(bad, " 00:00:00")
        text = _where(impossible, bad, text)
        text = _where(bare, _s(excel_serial(dob)), text)
        return text, cell

    def _col_jenis_kelamin(self, spec, persons, rows, is_):
        female = persons.female
        u = uniform(self.seed, T_VAR, self.m, rows, 1)
        if spec.sex_style == "words":
            text = _where(female, "Perempuan", pa.array(np.full(len(rows), "Laki-laki")))
            text = _where(u < 0.10, pc.utf8_lower(text), text)
            text = _where((u >= 0.10) & (u < 0.14), pc.utf8_upper(text), text)
            text = _where((u >= 0.14) & (u < 0.18) & ~female, "Laki laki", text)
        else:
            text = _where(female, "P", pa.array(np.full(len(rows), "L")))
            if spec.sex_style == "LP_mixed_case":
                text = _where(u < 0.06, pc.utf8_lower(text), text)
        return _where(is_["bad_sex"], "X", text), None

    def _variants(self, spec, text: pa.Array, rows: np.ndarray, salt: int) -> pa.Array:
        if not spec.area_variants:
            return text
        u = uniform(self.seed, T_VAR, self.m, rows, salt)
        text = _where(u < 0.03, _join("  ", pc.utf8_upper(text)), text)
        text = _where((u >= 0.03) & (u < 0.06), pc.utf8_lower(text), text)
        return _where(u >= 0.5, pc.replace_substring(text, "'", ""), text)

    def _col_kecamatan(self, spec, persons, rows, is_):
        kel = persons.kel
        inside = np.maximum(kel, 0)
        names = _take(self.areas.kec_name, inside)
        names = _where(is_["kelurahan_other_kecamatan"], _take(self.areas.other_kec, inside), names)
        names = self._variants(spec, names, rows, 2)
        return _where(kel < 0, OUTSIDE_KECAMATAN, names), None

    def _col_kelurahan(self, spec, persons, rows, is_):
        kel = persons.kel
        inside = np.maximum(kel, 0)
        names = _take(self.areas.kel_name, inside)
        names = _where(is_["kelurahan_misspelt"], _take(self.areas.misspelt, inside), names)
        names = self._variants(spec, names, rows, 3)
        names = _where(kel < 0, _take(_OUTSIDE, persons.outside_kel), names)
        return _where(is_["empty_kelurahan"], "", names), None

    def _col_upah(self, spec, persons, rows, is_):
        if spec.cohort != "non_asn":  # optional monthly income of informal workers
            return _s((persons.wage // 2000) * 1000), None
        wage = persons.wage
        u = uniform(self.seed, T_VAR, self.m, rows, 4)
        dots, commas = _grouped(wage, "."), _grouped(wage, ",")
        text = _join("Rp ", dots)
        text = _where(u < 0.55, _s(wage), text)
        text = _where((u >= 0.70) & (u < 0.80), _join(commas, ".00"), text)
        text = _where((u >= 0.80) & (u < 0.90), _join("IDR ", dots, ",00"), text)
        text = _where(u >= 0.90, _join("Rp. ", dots), text)
        cell = None
        if spec.wage_style == "cell":
            cell = np.where(u < 0.55, NUMBER, TEXT).astype(np.int8)
        text = _where(is_["wage_empty"], "", text)
        text = _where(is_["wage_dash"], "-", text)
        text = _where(is_["wage_zero"], "0", text)
        text = _where(is_["wage_negative"], _join("-", _s(wage)), text)
        if cell is not None:
            cell[is_["wage_zero"] | is_["wage_negative"]] = NUMBER
            cell[is_["wage_empty"] | is_["wage_dash"]] = TEXT
        return text, cell

    def _col_no_hp(self, spec, persons, rows, is_):
        s, uid = self.seed, persons.uid
        phone = _join(
            _take(_PHONES, below(len(PHONE_PREFIXES), s, T_OPT, uid)),
            _s(10_000_000 + below(90_000_000, s, T_OPT, uid, 1)),
        )
        return _where(uniform(s, T_OPT, uid, 2) < 0.1, "", phone), None

    def _col_alamat(self, spec, persons, rows, is_):
        s, uid = self.seed, persons.uid
        return _join(
            "Jl. ",
            _take(_STREETS, below(len(STREETS), s, T_OPT, uid, 3)),
            " No. ",
            _s(1 + below(150, s, T_OPT, uid, 4)),
            ", RT 00",
            _s(1 + below(9, s, T_OPT, uid, 5)),
            "/RW 00",
            _s(1 + below(9, s, T_OPT, uid, 6)),
        ), None

    def _col_pekerjaan(self, spec, persons, rows, is_):
        jobs = pa.array(OCCUPATIONS[spec.cohort])
        return _take(jobs, below(len(jobs), self.seed, T_OPT, persons.uid, 7)), None

    def _col_disabilitas(self, spec, persons, rows, is_):
        flag = uniform(self.seed, T_OPT, persons.uid, 8) < 0.02
        return _where(flag, "Y", pa.array(np.full(len(rows), "N"))), None
