"""Counter-based randomness: every random value is a hash of (seed, what, which).

A hash instead of a stateful generator is what makes any month generable directly and any chunk
of a large file generable on its own: the value of row 3,141,592 of a list never depends on
how many rows were drawn before it.
"""

from __future__ import annotations

import zlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def tag(name: str) -> int:
    """A stable integer for a text label (hash() of str is salted per process)."""
    return zlib.crc32(name.encode("utf-8"))


def _splitmix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + _GOLDEN
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        return x ^ (x >> np.uint64(31))


def hash64(*parts: int | np.ndarray) -> np.ndarray:
    """uint64 hash of the parts, broadcast like numpy (ints or non-negative int arrays)."""
    h = np.zeros(1, dtype=np.uint64)
    for part in parts:
        value = np.asarray(part)
        value = value.astype(np.int64).astype(np.uint64)
        h = _splitmix(h ^ value)
    return h


def uniform(*parts: int | np.ndarray) -> np.ndarray:
    """Floats in [0, 1)."""
    return (hash64(*parts) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def below(n: int | np.ndarray, *parts: int | np.ndarray) -> np.ndarray:
    """Integers in [0, n) (n may be an array)."""
    return (hash64(*parts) % np.asarray(n).astype(np.uint64)).astype(np.int64)
