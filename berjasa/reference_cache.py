"""A validated reference file reused while nothing that made it has changed.

The opening member list is the same file month after month (~10M rows at national scale), and
validating it (classify, deduplicate, key every NIK, write) cost ~4 s of a monthly run. Its
validated file is reused when a sidecar beside it records that it was made from the same landed
file (its sha256, from the ingest report), with the same PII key (its fingerprint, never the
key) and by the same validation code (a digest of the modules that decide the result), and
the validated file is still the one written then (size and modification time). Anything else,
or a missing sidecar, validates again.

Knows nothing of Dagster, dbt or the warehouse: a plain helper of `berjasa.validate`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from berjasa.pii import key_fingerprint

_PACKAGE = Path(__file__).resolve().parent
# The code that decides a validated reference file: its rules, its schema and its keying.
RULE_MODULES = (
    _PACKAGE / "validate.py",
    _PACKAGE / "pii.py",
    _PACKAGE / "hmac_kernel.py",
    _PACKAGE.parent / "schemas" / "tables.py",
)
SIDECAR_SUFFIX = ".cache.json"


@functools.lru_cache(maxsize=1)
def rules_digest() -> str:
    digest = hashlib.sha256()
    for module in RULE_MODULES:
        digest.update(module.read_bytes())
    return digest.hexdigest()


def cache_key(source_sha256: str | None, pii_key: str) -> dict[str, str] | None:
    """What the validated file depends on; None when the source's sha256 is unknown (no reuse)."""
    if not source_sha256:
        return None
    return {
        "source_sha256": source_sha256,
        "key_fingerprint": key_fingerprint(pii_key),
        "rules": rules_digest(),
    }


def _sidecar(validated_file: Path) -> Path:
    return validated_file.with_name(validated_file.name + SIDECAR_SUFFIX)


def _stamp(validated_file: Path) -> dict[str, int]:
    stat = validated_file.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def load(validated_file: Path, key: dict[str, str] | None) -> dict[str, Any] | None:
    """The result stored with `validated_file` when it is still valid for `key`, else None."""
    sidecar = _sidecar(validated_file)
    if key is None or not sidecar.exists() or not validated_file.exists():
        return None
    try:
        stored = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stored.get("key") != key or stored.get("file") != _stamp(validated_file):
        return None
    result = stored.get("result")
    return result if isinstance(result, dict) else None


def store(validated_file: Path, key: dict[str, str] | None, result: dict[str, Any]) -> None:
    """Record that `validated_file`, just written, holds `result` for `key` (atomic)."""
    if key is None:
        forget(validated_file)
        return
    sidecar = _sidecar(validated_file)
    tmp = sidecar.with_name(f".{sidecar.name}.tmp")
    payload = {"key": key, "file": _stamp(validated_file), "result": result}
    tmp.write_text(json.dumps(payload, sort_keys=True), encoding="utf-8")
    os.replace(tmp, sidecar)


def forget(validated_file: Path) -> None:
    """Before `validated_file` is rewritten or emptied: its sidecar no longer describes it."""
    _sidecar(validated_file).unlink(missing_ok=True)
