"""Kecamatan/kelurahan names from the Kemendagri reference seed, plus the broken variants the
faults need (a misspelling that matches no kelurahan; a kecamatan the kelurahan is not in)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from berjasa.seeds import normalise_area_name, wilayah


@dataclass(frozen=True)
class Areas:
    kel_name: np.ndarray  # object, per kelurahan index
    kec_name: np.ndarray  # object, kecamatan name of each kelurahan index
    kel_kec: np.ndarray  # int64 1..15, kecamatan number of each kelurahan index
    kec_codes: tuple[str, ...]  # "73.71.01".."73.71.15"
    misspelt: np.ndarray  # object, a misspelling of each kelurahan name
    other_kec: np.ndarray  # object, a kecamatan that does not hold that kelurahan


def _misspell(name: str, taken: set[str]) -> str:
    """Drop one inner vowel, or double a consonant, until no kelurahan matches."""
    vowels = [i for i, ch in enumerate(name) if ch.lower() in "aiueo" and 0 < i < len(name) - 1]
    candidates = [name[:i] + name[i + 1 :] for i in reversed(vowels)]
    candidates += [name[:i] + name[i] + name[i:] for i in range(1, len(name))]
    for candidate in candidates:
        if normalise_area_name(candidate) not in taken:
            return candidate
    return name + "x"  # pragma: no cover - every name has a usable variant


def load_areas() -> Areas:
    ref = wilayah()
    kel_norm = set(ref["kelurahan_norm"])
    kec_list = list(dict.fromkeys(ref["kecamatan_code"]))
    kec_names = dict(zip(ref["kecamatan_code"], ref["kecamatan"], strict=False))
    kels_by_kec: dict[str, set[str]] = {}
    for code, norm in zip(ref["kecamatan_code"], ref["kelurahan_norm"], strict=True):
        kels_by_kec.setdefault(code, set()).add(norm)
    kel_kec = np.array([kec_list.index(c) + 1 for c in ref["kecamatan_code"]], dtype=np.int64)
    misspelt, other = [], []
    for i, (code, name, norm) in enumerate(
        zip(ref["kecamatan_code"], ref["kelurahan"], ref["kelurahan_norm"], strict=True)
    ):
        misspelt.append(_misspell(name, kel_norm))
        for step in range(1, 15):
            candidate = kec_list[(kec_list.index(code) + step + i) % 15]
            if candidate != code and norm not in kels_by_kec[candidate]:
                other.append(kec_names[candidate])
                break
    return Areas(
        kel_name=np.array(list(ref["kelurahan"]), dtype=object),
        kec_name=np.array(list(ref["kecamatan"]), dtype=object),
        kel_kec=kel_kec,
        kec_codes=tuple(kec_list),
        misspelt=np.array(misspelt, dtype=object),
        other_kec=np.array(other, dtype=object),
    )
