"""The Numba HMAC kernel behind `person_key_digests` / `person_keys` / `person_ids`: byte-for-byte
equal to the standard library's HMAC-SHA256 for every key length, null layout, chunking and array
type, and the DuckDB fallback for values that are not 16 bytes gives the same answers."""

import hashlib
import hmac
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from berjasa import hmac_kernel
from berjasa.pii import (
    hmac_params,
    hmac_sql,
    person_ids,
    person_key,
    person_key_digest,
    person_key_digests,
    person_key_digests_of_numbers,
    person_keys,
    person_keys_and_ids,
)

KEY = "berjasa-test-key"


def _digest(nik: str, key: str) -> bytes:
    return hmac.new(key.encode("utf-8"), nik.encode("utf-8"), hashlib.sha256).digest()


def _expected_hex(niks: list[str | None], key: str) -> list[str | None]:
    return [None if nik is None else _digest(nik, key).hex() for nik in niks]


def _expected_ids(niks: list[str | None], key: str) -> list[int | None]:
    return [
        None if nik is None else int.from_bytes(_digest(nik, key)[:8], "big", signed=True)
        for nik in niks
    ]


def _random_niks(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [f"{x:016d}" for x in rng.integers(0, 10**16, n)]


def test_fixed_niks_give_the_known_digests_and_ids():
    niks = ["7371014506900001", "7371110101850002", "7371014506900004"]
    keys, ids = person_keys_and_ids(pa.array(niks), KEY)
    assert keys.to_pylist() == [
        "16d24effccbf15268dd231860f8818ec912571c046cee8a97cc1b0832ea121c2",
        "6e1a3eb7f027669bbedd88829a89a907133307f7cd44694a768997c5c6d50e56",
        "eba3fcbde58e1eaf82dd89f152fe83b0b9e9f6a8586c46b27a00a9e49148c02d",
    ]
    assert ids.to_pylist() == [1644463674502354214, 7933722653295601307, -1467051161062334801]
    assert keys.type == pa.string() and ids.type == pa.int64()
    assert isinstance(keys, pa.Array) and isinstance(ids, pa.Array)
    assert person_keys(pa.array(niks), KEY).equals(keys)
    assert person_ids(pa.array(niks), KEY).equals(ids)


def test_ten_thousand_random_niks_match_hashlib():
    niks = _random_niks(10_000, seed=7)
    keys, ids = person_keys_and_ids(pa.array(niks), KEY)
    assert keys.to_pylist() == _expected_hex(niks, KEY)
    assert ids.to_pylist() == _expected_ids(niks, KEY)
    assert keys[0].as_py() == person_key(niks[0], KEY)


@pytest.mark.parametrize(
    "key",
    ["", "k", "a" * 63, "b" * 64, "c" * 65, "d" * 100, "kunci-rahasia-é€-🔑", "é" * 40],
    ids=["0", "1", "63", "64", "65", "100", "non-ascii", "non-ascii-80-bytes"],
)
def test_every_key_length_matches_hashlib(key: str):
    niks = _random_niks(300, seed=len(key))  # > LANES rows, so several lane blocks and a tail
    keys, ids = person_keys_and_ids(pa.array(niks), key)
    assert keys.to_pylist() == _expected_hex(niks, key)
    assert ids.to_pylist() == _expected_ids(niks, key)


def test_nulls_stay_null_in_place():
    niks = _random_niks(200, seed=3)
    with_nulls: list[str | None] = list(niks)
    for i in (0, 1, 63, 64, 65, 130, 199):
        with_nulls[i] = None
    keys, ids = person_keys_and_ids(pa.array(with_nulls), KEY)
    assert keys.to_pylist() == _expected_hex(with_nulls, KEY)
    assert ids.to_pylist() == _expected_ids(with_nulls, KEY)
    assert keys.null_count == ids.null_count == 7
    # Null rows take no bytes: the hex buffer holds exactly the non-null digests.
    assert keys.buffers()[1].size == 4 * 201 and keys.buffers()[2].size == 64 * 193


def test_all_null_and_empty_inputs():
    assert person_keys(pa.array([None, None], pa.string()), KEY).to_pylist() == [None, None]
    assert person_ids(pa.array([None], pa.string()), KEY).to_pylist() == [None]
    assert person_keys(pa.array([None, None]), KEY).to_pylist() == [None, None]  # null type
    for empty in (pa.array([], pa.string()), pa.chunked_array([], pa.string())):
        keys, ids = person_keys_and_ids(empty, KEY)
        assert len(keys) == len(ids) == 0
        assert keys.type == pa.string() and ids.type == pa.int64()


def test_chunked_and_sliced_arrays():
    niks: list[str | None] = _random_niks(500, seed=11)
    niks[5] = niks[260] = None
    whole = pa.array(niks)
    chunked = pa.chunked_array(
        [whole.slice(0, 3), whole.slice(3, 0), whole.slice(3, 250), whole.slice(253)]
    )
    keys, ids = person_keys_and_ids(chunked, KEY)
    assert isinstance(keys, pa.Array)
    assert keys.to_pylist() == _expected_hex(niks, KEY)
    assert ids.to_pylist() == _expected_ids(niks, KEY)
    # A slice whose offset is not a multiple of 8 reads the right validity bits.
    keys = person_keys(whole.slice(3, 300), KEY)
    assert keys.to_pylist() == _expected_hex(niks[3:303], KEY)


def test_string_types_other_than_utf8():
    niks = _random_niks(100, seed=5) + [None]
    expected = _expected_hex(niks, KEY)
    assert person_keys(pa.array(niks, pa.large_string()), KEY).to_pylist() == expected
    assert person_keys(pa.array(niks, pa.string_view()), KEY).to_pylist() == expected
    assert person_keys(pa.array(niks).dictionary_encode(), KEY).to_pylist() == expected


def test_values_that_are_not_16_bytes_take_the_duckdb_path():
    niks = ["7371014506900001", "123", "", None, "73710145069000011", "NIK dengan spasi "]
    keys, ids = person_keys_and_ids(pa.array(niks), KEY)
    assert keys.to_pylist() == _expected_hex(niks, KEY)
    assert ids.to_pylist() == _expected_ids(niks, KEY)
    assert keys.type == pa.string() and ids.type == pa.int64()
    assert person_ids(pa.array(niks), KEY).equals(ids)


def test_any_16_bytes_are_keyed_by_the_kernel():
    # 8 two-byte characters are 16 bytes: HMAC is over UTF-8 bytes, so the kernel handles them.
    niks = ["é" * 8, "7371014506900001", "ab" * 8]
    chunk = pa.array(niks)
    params = hmac_params(KEY)
    states = hmac_kernel.midstates(params["hmac_ipad"], params["hmac_opad"])
    hex_words = np.empty(3 * 8, dtype=np.uint64)
    ids = np.empty(3, dtype=np.int64)
    values = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)
    empty = np.empty(0, dtype=np.uint8)
    for view in (values, offsets, empty):
        view.setflags(write=False)  # as `person_keys` passes them: no second compilation
    hex_pos = np.arange(4, dtype=np.int32) * 64
    hmac_kernel.hmac16_rows([(values, offsets, empty, 0)], states, hex_words, hex_pos, ids)
    hexes = hex_words.tobytes().decode("ascii")
    assert [hexes[64 * i : 64 * (i + 1)] for i in range(3)] == _expected_hex(niks, KEY)
    assert ids.tolist() == _expected_ids(niks, KEY)
    assert person_keys(chunk, KEY).to_pylist() == _expected_hex(niks, KEY)


def test_threaded_split_matches_hashlib(monkeypatch: pytest.MonkeyPatch):
    # Small work units force many units across threads, crossing chunk boundaries.
    monkeypatch.setattr(hmac_kernel, "_UNIT_ROWS", 1000)
    monkeypatch.setattr(hmac_kernel, "_THREADED_MIN_ROWS", 0)
    niks: list[str | None] = _random_niks(10_000, seed=13)
    for i in range(0, 10_000, 997):
        niks[i] = None
    whole = pa.array(niks)
    chunked = pa.chunked_array([whole.slice(0, 4321), whole.slice(4321)])
    keys, ids = person_keys_and_ids(chunked, KEY)
    assert keys.to_pylist() == _expected_hex(niks, KEY)
    assert ids.to_pylist() == _expected_ids(niks, KEY)


def test_concurrent_callers_get_their_own_results():
    # validate.py keys two batches at once from a thread pool.
    batches = [_random_niks(3000, seed=seed) for seed in range(4)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda niks: person_keys(pa.array(niks), KEY), batches))
    assert [r.to_pylist() for r in results] == [_expected_hex(niks, KEY) for niks in batches]


def test_kernel_agrees_with_the_sql_expression():
    niks = _random_niks(1000, seed=17) + [None]
    table = pa.table({"nik": pa.array(niks)})
    con = duckdb.connect()
    try:
        con.register("t", table)
        sql = con.execute(f"select {hmac_sql('nik')} as k from t", hmac_params(KEY))
        sql_keys = sql.to_arrow_table().column("k").to_pylist()
    finally:
        con.close()
    assert person_keys(table.column("nik"), KEY).to_pylist() == sql_keys


def test_midstate_compression_is_sha256():
    # One block of "abc" with its padding is the whole SHA-256 of "abc".
    block = b"abc" + b"\x80" + b"\0" * 52 + (24).to_bytes(8, "big")
    state = hmac_kernel._compress_py(hmac_kernel._H0, block)
    assert b"".join(x.to_bytes(4, "big") for x in state) == hashlib.sha256(b"abc").digest()


def test_importing_pii_does_not_import_numba():
    code = "import sys, berjasa.pii; print('numba' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_digests_are_the_hmac_bytes_with_nulls_chunks_and_threads():
    """The 32-byte digests (the validated layer's keys) equal hashlib's, row for row, through
    nulls, several chunks and the threaded split; their hex is `person_keys`."""
    niks: list[str | None] = _random_niks(300_000, seed=7)
    niks[5] = niks[200_001] = None
    chunked = pa.chunked_array([pa.array(niks[:1000]), pa.array(niks[1000:])])
    digests = person_key_digests(chunked, KEY)
    assert digests.type == pa.binary()
    expected = [None if nik is None else _digest(nik, KEY) for nik in niks]
    assert digests.to_pylist() == expected
    assert [None if d is None else d.hex() for d in digests.to_pylist()] == person_keys(
        chunked, KEY
    ).to_pylist()
    assert person_key_digest(niks[0], KEY) == expected[0] == bytes.fromhex(person_key(niks[0], KEY))


def test_digests_of_values_that_are_not_16_bytes_take_the_duckdb_path():
    values = ["12", None, "7371014506900001 ", ""]
    assert person_key_digests(pa.array(values), KEY).to_pylist() == [
        None if v is None else _digest(v, KEY) for v in values
    ]


def test_digests_of_numbers_are_the_digests_of_the_zero_padded_niks():
    niks = ["7371014506900001", "0000000000000000", "0000000000000042", "9999999999999999"]
    niks += _random_niks(70_000, seed=7)  # above the threaded split
    numbers = np.array([int(nik) for nik in niks], dtype=np.int64)
    digests = person_key_digests_of_numbers(numbers, KEY)
    assert digests.type == pa.binary()
    assert digests.to_pylist() == [_digest(nik, KEY) for nik in niks]
    assert person_key_digests_of_numbers(np.array([], dtype=np.int64), KEY).to_pylist() == []
    for bad in (-1, 10**16):
        with pytest.raises(ValueError, match="16 digits"):
            person_key_digests_of_numbers(np.array([1, bad], dtype=np.int64), KEY)
