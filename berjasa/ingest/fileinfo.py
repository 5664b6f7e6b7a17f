"""One pass over a landed file's bytes: its SHA-256 and, for text, its encoding.

SPEC §2: CSV is UTF-8 (with or without BOM) or Windows-1252. We try strict UTF-8 first and fall
back to cp1252; deciding before parsing means a big file is parsed once, never restarted halfway.
ASCII chunks (nearly all of a real list) skip decoding, so the pass costs little beyond hashing.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 8 << 20


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    size: int
    encoding: str | None  # 'utf8' / 'cp1252' for text that decodes, None otherwise


def scan_file(path: Path, detect_encoding: bool) -> FileFacts:
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok = cp1252_ok = detect_encoding
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            size += len(chunk)
            digest.update(chunk)
            if not detect_encoding or (not utf8_ok and not cp1252_ok):
                continue
            if chunk.isascii():
                # Only a multi-byte sequence left open by the previous chunk can fail here.
                try:
                    utf8.decode(chunk[:4])
                except UnicodeDecodeError:
                    utf8_ok = False
                continue
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if cp1252_ok:
                try:
                    chunk.decode("cp1252")
                except UnicodeDecodeError:
                    cp1252_ok = False
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    encoding = "utf8" if utf8_ok else "cp1252" if cp1252_ok else None
    return FileFacts(digest.hexdigest(), size, encoding)
