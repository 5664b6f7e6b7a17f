"""The shared plain modules: keyed hashing of NIKs (vectorised HMAC == RFC 2104 HMAC), masking,
key fingerprints and period arithmetic."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pyarrow as pa
import pytest

from berjasa.periods import PeriodError, add_months, parse_period, shift_period
from berjasa.pii import key_fingerprint, mask_nik, person_key, person_keys

NIKS = ["7371014506900001", "7371110101850002", None]


@pytest.mark.parametrize("key", ["short", "k" * 64, "a-key-longer-than-one-sha256-block-" * 3])
def test_vectorised_hmac_equals_the_standard_library(key: str):
    keys = person_keys(pa.array(NIKS), key).to_pylist()
    expected = [
        hmac.new(key.encode(), nik.encode(), hashlib.sha256).hexdigest() if nik else None
        for nik in NIKS
    ]
    assert keys == expected
    assert keys[0] == person_key(NIKS[0], key)


def test_person_key_depends_on_the_key():
    assert person_key(NIKS[0], "a") != person_key(NIKS[0], "b")


def test_mask_and_fingerprint_reveal_neither_nik_nor_key():
    assert mask_nik(" 7371014506900001 ") == "737101******0001"
    assert mask_nik("12345") == "*****"
    assert mask_nik(None) is None
    fingerprint = key_fingerprint("secret-key")
    assert len(fingerprint) == 16 and "secret" not in fingerprint
    assert fingerprint == key_fingerprint("secret-key") != key_fingerprint("other-key")


def test_periods():
    assert parse_period("2026-01") == dt.date(2026, 1, 1)
    assert add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert shift_period("2025-11", 3) == "2026-02"
    with pytest.raises(PeriodError, match="YYYY-MM"):
        parse_period("2026-13")
