"""One pass over a landed file's bytes: its SHA-256 and, for text, its encoding.

SPEC §2: CSV is UTF-8 (with or without BOM) or Windows-1252. We try strict UTF-8 first and fall
back to cp1252; deciding before parsing means a big file is parsed once, never restarted halfway.
ASCII chunks skip the UTF-8 check; the others are validated by Arrow's UTF-8 validator (the
same strict rules as Python's codec: no overlong forms, surrogates or code points past U+10FFFF)
in place, without decoding them into Python strings, so the pass costs little beyond hashing.
Windows-1252 only matters once UTF-8 has failed, so it is checked then, not on every UTF-8 file:
it decodes every byte except five undefined ones, so "is it cp1252" is five byte searches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

_CHUNK = 8 << 20
# The bytes Python's cp1252 codec leaves undefined (it decodes all 251 others).
CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    size: int
    encoding: str | None  # 'utf8' / 'cp1252' for text that decodes, None otherwise


def _chunks(path: Path) -> Iterator[bytearray]:
    """The file in chunks, read into one reused buffer rather than a fresh 8 MB object each."""
    buffer = bytearray(_CHUNK)
    with path.open("rb") as handle:
        while size := handle.readinto(buffer):
            yield buffer if size == _CHUNK else buffer[:size]


def _utf8_valid(data: bytes | bytearray | memoryview) -> bool:
    """Whether `data` is strict UTF-8, checked in place as the bytes of one Arrow string."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int32))
    text = pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _complete(data: bytes | bytearray) -> int:
    """Length of the longest prefix of `data` that does not end inside a UTF-8 sequence (the
    rest is carried into the next chunk). Malformed endings count as complete: validation then
    rejects them."""
    end = len(data)
    for back in range(1, min(4, end) + 1):
        byte = data[end - back]
        if byte & 0xC0 != 0x80:  # not a continuation byte: where the last sequence starts
            need = 2 if byte >> 5 == 0b110 else 3 if byte >> 4 == 0b1110 else 4
            if byte < 0x80 or byte >> 3 > 0b11110 or back >= need:
                return end
            return end - back
    return end


def _is_cp1252(path: Path) -> bool:
    for chunk in _chunks(path):
        if not chunk.isascii() and any(chunk.find(byte) >= 0 for byte in CP1252_UNDEFINED):
            return False
    return True


def scan_file(path: Path, detect_encoding: bool) -> FileFacts:
    digest = hashlib.sha256()
    utf8_ok = detect_encoding
    carried = b""  # the start of a multi-byte sequence the previous chunk ended in
    size = 0
    for chunk in _chunks(path):
        size += len(chunk)
        digest.update(chunk)  # releases the GIL: another file's parse goes on meanwhile
        if not utf8_ok or (not carried and chunk.isascii()):
            continue
        data = carried + chunk if carried else chunk
        complete = _complete(data)
        utf8_ok = _utf8_valid(memoryview(data)[:complete])
        carried = bytes(data[complete:])
    if carried:
        utf8_ok = False  # the file ends inside a multi-byte sequence
    if utf8_ok:
        encoding: str | None = "utf8"
    elif detect_encoding and _is_cp1252(path):
        encoding = "cp1252"
    else:
        encoding = None
    return FileFacts(digest.hexdigest(), size, encoding)
