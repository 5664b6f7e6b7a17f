#!/usr/bin/env bash
# Idempotent set-up on a machine with only python3 (3.11): uv in .tools/, the locked stack in
# .venv/ (so .venv/bin/berjasa works without activating anything), dbt's manifest prepared.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never DBT_SEND_ANONYMOUS_USAGE_STATS=false
if [[ ! -x .tools/bin/uv ]]; then
  python3 -m venv .tools
  .tools/bin/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
fi
# --compile-bytecode: imports read .pyc files even where PYTHONDONTWRITEBYTECODE is set (as on
# CI machines); without them every run recompiles Dagster, dbt and numba (import dagster 1.7 s
# -> 0.8 s, the first NIK keying 3.8 s -> 1.3 s)
.tools/bin/uv sync --frozen --quiet --compile-bytecode --python "$(command -v python3)"
.venv/bin/python -m berjasa.dbt_manifest >/dev/null
# compile the NIK-keying kernel into numba's cache now rather than in the first run
.venv/bin/python -c "from berjasa.pii import warm_up; warm_up()"
