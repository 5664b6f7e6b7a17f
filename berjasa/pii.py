"""Pseudonymisation: `person_key` (HMAC-SHA256 of the NIK) and `nik_masked`.

HMAC is computed inside DuckDB from its vectorised `sha256`, so a 10-million-row list is keyed
without a Python loop: HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)) (RFC 2104). The key only
travels as a bound parameter, never inside SQL text, so it cannot reach a log.
"""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import pyarrow as pa

_BLOCK = 64


def _pads(key: str) -> tuple[bytes, bytes]:
    raw = key.encode("utf-8")
    if len(raw) > _BLOCK:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in raw), bytes(b ^ 0x5C for b in raw)


def person_key(nik: str, key: str) -> str:
    """Reference (scalar) implementation, used by tests and tiny inputs."""
    return hmac.new(key.encode("utf-8"), nik.encode("utf-8"), hashlib.sha256).hexdigest()


def key_fingerprint(key: str) -> str:
    """A short, non-reversible fingerprint that identifies which key was used (for the log)."""
    return hashlib.sha256(b"berjasa-key-fingerprint:" + key.encode("utf-8")).hexdigest()[:16]


def hmac_sql(column: str) -> str:
    """A DuckDB expression for the person_key of VARCHAR `column`; bind `hmac_params(key)`."""
    return f"sha256($hmac_opad::blob || unhex(sha256($hmac_ipad::blob || encode({column}))))"


def hmac_params(key: str) -> dict[str, bytes]:
    ipad, opad = _pads(key)
    return {"hmac_ipad": ipad, "hmac_opad": opad}


def person_keys(niks: pa.Array | pa.ChunkedArray, key: str) -> pa.ChunkedArray:
    """Vectorised HMAC-SHA256 hex digests of `niks` (nulls stay null)."""
    niks_table = pa.table({"nik": niks})
    con = duckdb.connect()
    try:
        con.register("niks_table", niks_table)
        result = con.execute(
            f"select {hmac_sql('nik')} as k from niks_table", hmac_params(key)
        ).to_arrow_table()
        return result.column("k")
    finally:
        con.close()


def mask_nik(nik: str | None) -> str | None:
    """First 6 and last 4 characters, the middle starred: 737101******0001."""
    if nik is None:
        return None
    nik = nik.strip()
    if len(nik) < 10:
        return "*" * len(nik)
    return nik[:6] + "*" * (len(nik) - 10) + nik[-4:]
