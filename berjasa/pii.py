"""Pseudonymisation: `person_key` (HMAC-SHA256 of the NIK) and `nik_masked`.

HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)) (RFC 2104). Two vectorised implementations:

- `person_key_digests` / `person_keys` / `person_ids` / `person_keys_and_ids` key an Arrow array
  (as the 32 digest bytes, their hex, or a 64-bit id) with a Numba kernel
  (`berjasa.hmac_kernel`, imported on first use) when every value is 16 bytes, as every validated
  NIK is: two SHA-256 compressions per NIK, ~10x faster than SQL. Other values (tests key
  arbitrary strings) go through the DuckDB expression below, so the result never depends on the
  path taken.
- `hmac_sql` is the same HMAC as a DuckDB expression over its vectorised `sha256`, for keying
  inside SQL.

The key only travels as a bound parameter or a function argument, never inside SQL text, so it
cannot reach a log.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_BLOCK = 64
_NIK_BYTES = 16
_INT32_MAX = 2**31 - 1
_EMPTY_BYTES = np.empty(0, dtype=np.uint8)
_NIBBLE = np.zeros(256, dtype=np.uint8)
_NIBBLE[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint8)


def _pads(key: str) -> tuple[bytes, bytes]:
    raw = key.encode("utf-8")
    if len(raw) > _BLOCK:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in raw), bytes(b ^ 0x5C for b in raw)


def person_key(nik: str, key: str) -> str:
    """Reference (scalar) implementation, used by tests and tiny inputs."""
    return hmac.new(key.encode("utf-8"), nik.encode("utf-8"), hashlib.sha256).hexdigest()


def person_key_digest(nik: str, key: str) -> bytes:
    """The 32 bytes of `person_key(nik, key)`: how the validated layer and dbt hold a key."""
    return hmac.new(key.encode("utf-8"), nik.encode("utf-8"), hashlib.sha256).digest()


def key_fingerprint(key: str) -> str:
    """A short, non-reversible fingerprint that identifies which key was used (for the log)."""
    return hashlib.sha256(b"berjasa-key-fingerprint:" + key.encode("utf-8")).hexdigest()[:16]


def hmac_sql(column: str) -> str:
    """A DuckDB expression for the person_key of VARCHAR `column`; bind `hmac_params(key)`."""
    return f"sha256($hmac_opad::blob || unhex(sha256($hmac_ipad::blob || encode({column}))))"


def hmac_params(key: str) -> dict[str, bytes]:
    ipad, opad = _pads(key)
    return {"hmac_ipad": ipad, "hmac_opad": opad}


def person_keys(niks: pa.Array | pa.ChunkedArray, key: str) -> pa.Array:
    """Vectorised HMAC-SHA256 hex digests of `niks` as one string array (nulls stay null)."""
    return _keyed(niks, key, digest="hex", want_ids=False)[0]


def person_key_digests(niks: pa.Array | pa.ChunkedArray, key: str) -> pa.Array:
    """The same HMAC-SHA256 as `person_keys`, as the 32 digest bytes (one binary array; nulls
    stay null): how the validated layer and dbt hold `person_key`. Half the bytes of the hex
    text to write, read, hash and compare; the publisher writes it as hex (`lower(hex(...))`)."""
    return _keyed(niks, key, digest="bytes", want_ids=False)[0]


def person_key_digests_of_numbers(numbers: np.ndarray, key: str) -> pa.Array:
    """`person_key_digests` of NIKs given as int64 numbers (a valid NIK is exactly 16 digits, so
    its number identifies it; zero-padded back to 16 digits). Lets DuckDB group a reference
    extract on the number alone instead of carrying 22M texts through the group."""
    from berjasa import hmac_kernel  # lazy: numba costs ~0.5 s to import

    numbers = np.ascontiguousarray(numbers, dtype=np.int64)
    if numbers.size and (numbers.min() < 0 or numbers.max() >= 10**_NIK_BYTES):
        raise ValueError("a NIK number has 16 digits at most")
    large = _NIK_BYTES * numbers.size > _INT32_MAX
    offsets = np.arange(
        0, _NIK_BYTES * (numbers.size + 1), _NIK_BYTES, dtype=np.int64 if large else np.int32
    )
    niks = pa.Array.from_buffers(
        pa.large_string() if large else pa.string(),
        numbers.size,
        [None, pa.py_buffer(offsets), pa.py_buffer(hmac_kernel.nik_digits(numbers))],
    )
    return person_key_digests(niks, key)


def person_ids(niks: pa.Array | pa.ChunkedArray, key: str) -> pa.Array:
    """The first 8 bytes of each HMAC digest as a big-endian signed int64 (nulls stay null).

    A compact join key: equal to the leading 16 hex characters of `person_keys`, so the two
    columns identify the same person (2^-64 collision odds per pair).
    """
    return _keyed(niks, key, digest=None, want_ids=True)[1]


def person_keys_and_ids(niks: pa.Array | pa.ChunkedArray, key: str) -> tuple[pa.Array, pa.Array]:
    """`person_keys` and `person_ids` computed together (one HMAC per NIK)."""
    return _keyed(niks, key, digest="hex", want_ids=True)


def _keyed(
    niks: pa.Array | pa.ChunkedArray, key: str, *, digest: str | None, want_ids: bool
) -> tuple[Any, Any]:
    """The Numba kernel when every non-null value is 16 bytes (every validated NIK is), else the
    DuckDB expression, which keys strings of any length. `digest` is "hex", "bytes" or None (not
    asked for); unasked outputs come back as None."""
    chunks = niks.chunks if isinstance(niks, pa.ChunkedArray) else [niks]
    chunks = [_as_string(chunk) for chunk in chunks]
    if all(_all_16_bytes(chunk) for chunk in chunks):
        return _keyed_by_kernel(chunks, key, digest=digest, want_ids=want_ids)
    hexes = _keyed_by_duckdb(chunks, key)
    forms = {"hex": lambda: hexes, "bytes": lambda: _bytes_from_hex(hexes)}
    digests = forms[digest]() if digest else None
    return digests, (_ids_from_hex(hexes) if want_ids else None)


def _as_string(chunk: pa.Array) -> pa.Array:
    """32-bit-offset strings where they fit, so the kernel has one compiled specialisation."""
    if pa.types.is_string(chunk.type):
        return chunk
    if pa.types.is_large_string(chunk.type):
        values = chunk.buffers()[2]
        return chunk if values is not None and values.size > _INT32_MAX else chunk.cast(pa.string())
    return chunk.cast(pa.string())


def _all_16_bytes(chunk: pa.Array) -> bool:
    lengths = pc.binary_length(chunk)
    return chunk.null_count == len(chunk) or pc.all(pc.equal(lengths, _NIK_BYTES)).as_py()


def _keyed_by_kernel(
    chunks: list[pa.Array], key: str, *, digest: str | None, want_ids: bool
) -> tuple[pa.Array | None, pa.Array | None]:
    from berjasa import hmac_kernel  # lazy: numba costs ~0.5 s to import

    as_hex = digest == "hex"
    width = hmac_kernel.HEX_BYTES if as_hex else hmac_kernel.DIGEST_BYTES
    n = sum(len(chunk) for chunk in chunks)
    null_count = sum(chunk.null_count for chunk in chunks)
    validity = _validity(chunks) if null_count else None
    if null_count:
        valid_rows = np.frombuffer(validity, dtype=np.uint8)
        valid_rows = np.unpackbits(valid_rows, count=n, bitorder="little")
        ends = np.cumsum(valid_rows, dtype=np.int64) * width
    else:
        ends = np.arange(1, n + 1, dtype=np.int64) * width
    total = int(ends[-1]) if n else 0
    large = total > _INT32_MAX
    offsets = np.zeros(n + 1, dtype=np.int64 if large else np.int32)
    offsets[1:] = ends
    digest_values = np.empty((total if digest else 0) // 8, dtype=np.uint64)
    ids = np.empty(n if want_ids else 0, dtype=np.int64)
    hmac_kernel.hmac16_rows(
        [_kernel_chunk(chunk) for chunk in chunks],
        _midstates(key),
        digest_values,
        offsets,
        ids,
        as_hex=as_hex,
    )
    digests = None
    if digest:
        text = pa.large_string() if large else pa.string()
        data = pa.large_binary() if large else pa.binary()
        digests = pa.Array.from_buffers(
            text if as_hex else data,
            n,
            [validity, pa.py_buffer(offsets), pa.py_buffer(digest_values)],
            null_count=null_count,
        )
    id_array = None
    if want_ids:
        id_array = pa.Array.from_buffers(
            pa.int64(), n, [validity, pa.py_buffer(ids)], null_count=null_count
        )
    return digests, id_array


@functools.lru_cache(maxsize=4)
def _midstates(key: str) -> tuple[np.ndarray, np.ndarray]:
    """The key's SHA-256 midstates, cached: pure Python costs ~0.7 ms, which would double the
    cost of keying one 2048-row DuckDB vector. (The cache holds the key in memory, as the caller
    already does.)"""
    from berjasa import hmac_kernel

    return hmac_kernel.midstates(*_pads(key))  # never written to: safe to share across threads


def _kernel_chunk(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Zero-copy numpy views of one Arrow string chunk: values, offsets, validity bitmap."""
    validity, offsets, values = chunk.buffers()
    offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    start = chunk.offset
    offsets = np.frombuffer(offsets, dtype=offset_type)[start : start + len(chunk) + 1]
    values = _EMPTY_BYTES if values is None else np.frombuffer(values, dtype=np.uint8)
    bitmap, bit_offset = _EMPTY_BYTES, 0
    if chunk.null_count and validity is not None:
        bitmap, bit_offset = np.frombuffer(validity, dtype=np.uint8), start
    return _read_only(values), _read_only(offsets), _read_only(bitmap), bit_offset


def _read_only(view: np.ndarray) -> np.ndarray:
    """Views of Arrow buffers are writable or not depending on who built the buffer; making them
    all read-only keeps Numba at one compiled specialisation (it types on writability)."""
    view = view.view()
    view.setflags(write=False)
    return view


def _validity(chunks: list[pa.Array]) -> pa.Buffer:
    """One validity bitmap (offset 0) for all rows of `chunks`."""
    valid = [pc.is_valid(chunk) for chunk in chunks]
    bits = pa.concat_arrays(valid) if len(valid) > 1 else valid[0]
    if bits.offset:
        bits = pa.concat_arrays([pa.array([], pa.bool_()), bits])
    return bits.buffers()[1]


def _keyed_by_duckdb(chunks: list[pa.Array], key: str) -> pa.Array:
    types = {chunk.type for chunk in chunks}
    niks_type = types.pop() if len(types) == 1 else pa.large_string()
    niks_table = pa.table({"nik": pa.chunked_array([c.cast(niks_type) for c in chunks], niks_type)})
    con = duckdb.connect()
    try:
        con.register("niks_table", niks_table)
        result = con.execute(
            f"select {hmac_sql('nik')} as k from niks_table", hmac_params(key)
        ).to_arrow_table()
    finally:
        con.close()
    keys = result.column("k")
    total = sum(pc.sum(pc.binary_length(chunk)).as_py() or 0 for chunk in keys.chunks)
    return keys.cast(pa.large_string() if total > _INT32_MAX else pa.string()).combine_chunks()


def _bytes_from_hex(hexes: pa.Array) -> pa.Array:
    """Hex digests as their bytes (the DuckDB path, for values that are not 16 bytes)."""
    con = duckdb.connect()
    try:
        con.register("hexes", pa.table({"k": hexes}))
        return (
            con.execute("select unhex(k) as k from hexes")
            .to_arrow_table()
            .column("k")
            .combine_chunks()
        )
    finally:
        con.close()


def _ids_from_hex(hexes: pa.Array) -> pa.Array:
    """Leading 16 hex characters of each digest as a big-endian signed int64."""
    head = pc.utf8_slice_codeunits(hexes, 0, 16)
    head_values = np.frombuffer(head.buffers()[2] or b"", dtype=np.uint8)
    starts = np.frombuffer(
        head.buffers()[1], dtype=np.int32 if pa.types.is_string(head.type) else np.int64
    )
    starts = starts[head.offset : head.offset + len(head)]
    valid = pc.is_valid(head).to_numpy(zero_copy_only=False)
    nibbles = _NIBBLE[head_values[starts[valid][:, None] + np.arange(16)]]
    ids = np.zeros(len(head), dtype=np.uint64)
    packed = np.zeros(int(valid.sum()), dtype=np.uint64)
    for column in range(16):
        packed = (packed << np.uint64(4)) | nibbles[:, column].astype(np.uint64)
    ids[valid] = packed
    return pa.array(ids.view(np.int64), mask=~valid)


def warm_up() -> None:
    """Compile the HMAC kernel into numba's on-disk cache (set-up runs this once, so the first
    `berjasa run` does not spend ~3 s compiling). Keys a dummy NIK with a dummy key."""
    person_keys_and_ids(pa.array(["0" * _NIK_BYTES]), "warm-up")
    person_key_digests_of_numbers(np.zeros(1, dtype=np.int64), "warm-up")


def mask_nik(nik: str | None) -> str | None:
    """First 6 and last 4 characters, the middle starred: 737101******0001."""
    if nik is None:
        return None
    nik = nik.strip()
    if len(nik) < 10:
        return "*" * len(nik)
    return nik[:6] + "*" * (len(nik) - 10) + nik[-4:]
