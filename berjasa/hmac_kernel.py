"""Numba kernel: HMAC-SHA256 of many 16-byte messages (NIKs), as hex or the 32 digest bytes,
and/or a 64-bit id.

Why it is fast: HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)) (RFC 2104). Both key blocks are
one 64-byte SHA-256 block, so their compressions ("midstates") are computed once per key, in
Python. A 16-byte message then fits, with its padding, in one block, and so does the 32-byte inner
digest: each NIK costs exactly two SHA-256 compressions, with no allocation per row. The
compressions run on LANES messages side by side so that LLVM vectorises them (see `_compress`).

Why threads and not `parallel=True`: the kernel is compiled `nogil=True` and `hmac16_rows` splits
the rows across a few Python threads. Numba's own threading layers are not safe for how this code
runs: `validate.py` already keys two batches at once from a thread pool (the "workqueue" layer
aborts the process on concurrent launches, and nested pools oversubscribe 2 cores), and GNU
OpenMP ("omp", the layer chosen here) aborts a forked child that launches a parallel region.

Compiled code is cached on disk (`cache=True`), so only the first process pays the compile
(~2-3 s of CPU; later processes load it in well under a second). The cache goes to
`NUMBA_CACHE_DIR` when set, else to `__pycache__` next to this file (git-ignored), else, when that
is read-only, to the user cache directory (`~/.cache/numba`). With no writable location at all the
kernel is compiled once per process instead.

This module imports numba, so import it lazily (`berjasa.pii` does) to keep numba off the import
path of code that never keys.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba as nb
import numpy as np

HEX_BYTES = 64
DIGEST_BYTES = 32
_BLOCK = 64
# Rows per unit of work handed to a thread: large enough that the launch cost is noise, small
# enough that 2 cores get a fair split.
_UNIT_ROWS = 1 << 17
# Below this many rows a single call in the caller's thread is faster than starting threads.
_THREADED_MIN_ROWS = 1 << 16
# Messages hashed side by side (see `_compress`): 64 keeps the (64, LANES) schedule in L1 cache.
LANES = 64

_K = np.array(
    [
        0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4,
        0xAB1C5ED5, 0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE,
        0x9BDC06A7, 0xC19BF174, 0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F,
        0x4A7484AA, 0x5CB0A9DC, 0x76F988DA, 0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7,
        0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967, 0x27B70A85, 0x2E1B2138, 0x4D2C6DFC,
        0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85, 0xA2BFE8A1, 0xA81A664B,
        0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070, 0x19A4C116,
        0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
        0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7,
        0xC67178F2,
    ],
    dtype=np.uint32,
)  # fmt: skip
_H0 = (
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
    0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
)  # fmt: skip


# --- key midstates (pure Python: once per key, so speed does not matter) ----------------------
def _rotr_py(x: int, n: int) -> int:
    return ((x >> n) | (x << (32 - n))) & 0xFFFFFFFF


def _compress_py(state: Sequence[int], block: bytes) -> tuple[int, ...]:
    """One SHA-256 compression (FIPS 180-4, 6.2.2) of a 64-byte block."""
    w = [int.from_bytes(block[i : i + 4], "big") for i in range(0, 64, 4)]
    for t in range(16, 64):
        s0 = _rotr_py(w[t - 15], 7) ^ _rotr_py(w[t - 15], 18) ^ (w[t - 15] >> 3)
        s1 = _rotr_py(w[t - 2], 17) ^ _rotr_py(w[t - 2], 19) ^ (w[t - 2] >> 10)
        w.append((w[t - 16] + s0 + w[t - 7] + s1) & 0xFFFFFFFF)
    a, b, c, d, e, f, g, h = state
    for t in range(64):
        s1 = _rotr_py(e, 6) ^ _rotr_py(e, 11) ^ _rotr_py(e, 25)
        ch = (e & f) ^ (~e & g)
        t1 = (h + s1 + ch + int(_K[t]) + w[t]) & 0xFFFFFFFF
        s0 = _rotr_py(a, 2) ^ _rotr_py(a, 13) ^ _rotr_py(a, 22)
        t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) & 0xFFFFFFFF
        a, b, c, d, e, f, g, h = (t1 + t2) & 0xFFFFFFFF, a, b, c, (d + t1) & 0xFFFFFFFF, e, f, g
    return tuple((x + y) & 0xFFFFFFFF for x, y in zip(state, (a, b, c, d, e, f, g, h), strict=True))


def midstates(ipad_block: bytes, opad_block: bytes) -> tuple[np.ndarray, np.ndarray]:
    """SHA-256 states after the (K ^ ipad) and (K ^ opad) blocks: the key's whole contribution."""
    if len(ipad_block) != _BLOCK or len(opad_block) != _BLOCK:
        raise ValueError("HMAC-SHA256 key blocks are 64 bytes")
    return (
        np.array(_compress_py(_H0, ipad_block), dtype=np.uint32),
        np.array(_compress_py(_H0, opad_block), dtype=np.uint32),
    )


# --- the kernel ---------------------------------------------------------------------------------
def _jit(function: Callable[..., Any]) -> Any:
    try:
        return nb.njit(nogil=True, cache=True)(function)
    except RuntimeError:  # numba found no writable cache directory: compile per process
        return nb.njit(nogil=True)(function)


@nb.njit(inline="always")
def _rotr(x, n):
    return np.uint32((x >> np.uint32(n)) | (x << np.uint32(32 - n)))


@nb.njit(inline="always")
def _compress(state, w, r, out):
    """SHA-256 compression of LANES blocks at once, all starting from the same `state`.

    w[t, lane] is the message schedule (rows 0..15 filled by the caller), r an (8, LANES)
    scratch and out (8, LANES) the result. Each statement runs over the lane axis in an
    innermost loop of fixed length, so LLVM turns it into SIMD (8 lanes per AVX2 instruction):
    ~3x the speed of hashing one message at a time. Instead of shifting a..h every round, the
    round reads them from rotating rows of `r`.
    """
    for t in range(16, 64):
        for lane in range(LANES):
            x = w[t - 15, lane]
            y = w[t - 2, lane]
            s0 = _rotr(x, 7) ^ _rotr(x, 18) ^ (x >> np.uint32(3))
            s1 = _rotr(y, 17) ^ _rotr(y, 19) ^ (y >> np.uint32(10))
            w[t, lane] = np.uint32(np.uint32(w[t - 16, lane] + s0) + np.uint32(w[t - 7, lane] + s1))
    for k in range(8):
        for lane in range(LANES):
            r[k, lane] = state[k]
    for t in range(64):
        # Row of each working variable in round t: a is row (-t) mod 8, b the next, ...
        ia = (64 - t) % 8
        ib = (65 - t) % 8
        ic = (66 - t) % 8
        id_ = (67 - t) % 8
        ie = (68 - t) % 8
        if_ = (69 - t) % 8
        ig = (70 - t) % 8
        ih = (71 - t) % 8
        kt = _K[t]
        for lane in range(LANES):
            a = r[ia, lane]
            b = r[ib, lane]
            c = r[ic, lane]
            d = r[id_, lane]
            e = r[ie, lane]
            f = r[if_, lane]
            g = r[ig, lane]
            h = r[ih, lane]
            s1 = _rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)
            ch = (e & f) ^ (~e & g)
            t1 = np.uint32(np.uint32(h + s1) + np.uint32(ch + np.uint32(kt + w[t, lane])))
            s0 = _rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)
            t2 = np.uint32(s0 + ((a & b) ^ (a & c) ^ (b & c)))
            r[ih, lane] = np.uint32(t1 + t2)  # h's row becomes the next round's a
            r[id_, lane] = np.uint32(d + t1)  # d's row becomes the next round's e
    # 64 rounds are a multiple of 8, so a..h are back in rows 0..7.
    for k in range(8):
        for lane in range(LANES):
            out[k, lane] = np.uint32(state[k] + r[k, lane])


@nb.njit(inline="always")
def _hex8(v):
    """The 8 lowercase hex digits of uint32 `v`, as the little-endian uint64 whose bytes they are.

    SWAR instead of a table lookup per digit: one 8-byte store instead of eight 1-byte ones.
    """
    x = np.uint64(v)
    # Nibble k (from the top) must land in byte k (from the bottom): move 16-bit halves, then
    # bytes within them, then nibbles within those.
    x = (x >> np.uint64(16)) | ((x & np.uint64(0xFFFF)) << np.uint64(32))
    m = np.uint64(0x000000FF000000FF)
    x = ((x >> np.uint64(8)) & m) | ((x & m) << np.uint64(16))
    m = np.uint64(0x000F000F000F000F)
    x = ((x >> np.uint64(4)) & m) | ((x & m) << np.uint64(8))
    # Digits 10..15 get 'a' - '0' - 10 = 0x27 more; byte-wise, since no byte can carry.
    letters = ((x + np.uint64(0x0606060606060606)) >> np.uint64(4)) & np.uint64(0x0101010101010101)
    return x + np.uint64(0x3030303030303030) + letters * np.uint64(0x27)


@nb.njit(inline="always")
def _bytes8(hi, lo):
    """Big-endian bytes of uint32 `hi` then `lo`, as the little-endian uint64 whose bytes they
    are (the digest as SHA-256 defines it: each word most significant byte first)."""
    x = (np.uint64(lo) << np.uint64(32)) | np.uint64(hi)
    # reverse the bytes within each 32-bit half
    m = np.uint64(0x00FF00FF00FF00FF)
    x = ((x >> np.uint64(8)) & m) | ((x & m) << np.uint64(8))
    m = np.uint64(0x0000FFFF0000FFFF)
    return ((x >> np.uint64(16)) & m) | ((x & m) << np.uint64(16))


@_jit
def _hmac16(
    values, offsets, bitmap, bit_offset, istate, ostate, as_hex, digest_out, digest_pos, ids_out
):
    """HMAC rows 0..len(offsets)-2 of an Arrow string array (`values` + `offsets`).

    Row i is the 16 bytes at values[offsets[i]:]; it is skipped when `bitmap` (the Arrow validity
    bitmap, empty when there are no nulls) marks it null. The digest goes to byte offset
    digest_pos[i] (a multiple of 8) of `digest_out`, a uint64 array: as 64 lowercase hex
    characters when `as_hex`, else as its 32 bytes. The first 8 digest bytes (big-endian, signed)
    go to ids_out[i]. An empty `digest_out` / `ids_out` means that output was not asked for.
    Null rows get id 0 (the caller's validity bitmap marks them).
    """
    n = offsets.shape[0] - 1
    has_nulls = bitmap.shape[0] > 0
    want_digest = digest_out.shape[0] > 0
    want_ids = ids_out.shape[0] > 0
    w = np.zeros((64, LANES), np.uint32)
    r = np.empty((8, LANES), np.uint32)
    inner = np.empty((8, LANES), np.uint32)
    outer = np.empty((8, LANES), np.uint32)
    live = np.zeros(LANES, np.bool_)
    for base in range(0, n, LANES):
        # Load up to LANES messages; a lane past the end or on a null row hashes zeros (its
        # offset may point past the values buffer) and its result is dropped.
        for lane in range(LANES):
            i = base + lane
            live[lane] = i < n
            if live[lane] and has_nulls:
                bit = bit_offset + i
                live[lane] = (bitmap[bit >> 3] >> (bit & 7)) & 1 == 1
            start = offsets[i] if live[lane] else 0
            for j in range(4):
                if live[lane]:
                    p = start + 4 * j
                    w[j, lane] = (
                        (np.uint32(values[p]) << np.uint32(24))
                        | (np.uint32(values[p + 1]) << np.uint32(16))
                        | (np.uint32(values[p + 2]) << np.uint32(8))
                        | np.uint32(values[p + 3])
                    )
                else:
                    w[j, lane] = np.uint32(0)
            # SHA-256 padding of a 16-byte message that follows the 64-byte key block.
            w[4, lane] = np.uint32(0x80000000)
            for j in range(5, 15):
                w[j, lane] = np.uint32(0)
            w[15, lane] = np.uint32((64 + 16) * 8)
        _compress(istate, w, r, inner)
        # ... and of the 32-byte inner digest after the (K ^ opad) block.
        for lane in range(LANES):
            for j in range(8):
                w[j, lane] = inner[j, lane]
            w[8, lane] = np.uint32(0x80000000)
            for j in range(9, 15):
                w[j, lane] = np.uint32(0)
            w[15, lane] = np.uint32((64 + 32) * 8)
        _compress(ostate, w, r, outer)
        for lane in range(min(LANES, n - base)):
            i = base + lane
            if not live[lane]:
                if want_ids:
                    ids_out[i] = 0
                continue
            if want_digest:
                p = digest_pos[i] >> 3
                if as_hex:
                    for j in range(8):
                        digest_out[p + j] = _hex8(outer[j, lane])
                else:
                    for j in range(4):
                        digest_out[p + j] = _bytes8(outer[2 * j, lane], outer[2 * j + 1, lane])
            if want_ids:
                ids_out[i] = (np.int64(outer[0, lane]) << np.int64(32)) | np.int64(outer[1, lane])


@_jit
def _nik_digits(numbers, out):
    """The 16 ASCII digits of each number in 0..10**16-1, zero-padded, into out[16 * i:]: a
    valid NIK is exactly 16 digits, so this is its text again. Two 8-digit halves in 32-bit
    arithmetic (12M numbers: ~0.25 s on one core)."""
    for i in range(numbers.shape[0]):
        n = numbers[i]
        hi = np.uint32(n // 100000000)
        lo = np.uint32(n % 100000000)
        p = 16 * i
        for j in range(7, -1, -1):
            out[p + j] = np.uint8(48 + hi % np.uint32(10))
            hi //= np.uint32(10)
            out[p + 8 + j] = np.uint8(48 + lo % np.uint32(10))
            lo //= np.uint32(10)


def nik_digits(numbers: np.ndarray) -> np.ndarray:
    """The zero-padded 16-digit text of int64 `numbers` (each in 0..10**16-1) as one uint8
    buffer, 16 bytes per number: the values buffer of an Arrow string array."""
    out = np.empty(16 * numbers.shape[0], dtype=np.uint8)
    _nik_digits(numbers, out)
    return out


# --- driver ---------------------------------------------------------------------------------------
def _threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def hmac16_rows(
    chunks: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, int]],
    states: tuple[np.ndarray, np.ndarray],
    digest_out: np.ndarray,
    digest_pos: np.ndarray,
    ids_out: np.ndarray,
    *,
    as_hex: bool = True,
) -> None:
    """Run the kernel over Arrow string chunks, each (values, offsets, bitmap, bit_offset).

    Output rows are the chunks' rows in order; `digest_pos` has one start position per output
    row (so it may be the output offsets array) and `ids_out` one slot per row (or is empty).
    Digests are hex (64 bytes a row) when `as_hex`, else their 32 bytes.
    """
    istate, ostate = states
    units = []
    row0 = 0
    for values, offsets, bitmap, bit_offset in chunks:
        rows = offsets.shape[0] - 1
        for a in range(0, rows, _UNIT_ROWS):
            b = min(rows, a + _UNIT_ROWS)
            ids = ids_out[row0 + a : row0 + b] if ids_out.shape[0] else ids_out
            units.append(
                (values, offsets[a : b + 1], bitmap, bit_offset + a, istate, ostate)
                + (as_hex, digest_out, digest_pos[row0 + a : row0 + b], ids)
            )
        row0 += rows
    threads = min(_threads(), len(units))
    if row0 < _THREADED_MIN_ROWS or threads <= 1:
        for unit in units:
            _hmac16(*unit)
        return
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="hmac16") as pool:
        for _ in pool.map(lambda unit: _hmac16(*unit), units):
            pass
