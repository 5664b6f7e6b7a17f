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
.tools/bin/uv sync --frozen --quiet --python "$(command -v python3)"
.venv/bin/python -m berjasa.dbt_manifest >/dev/null
# compile the NIK-keying kernel into numba's cache now rather than in the first run
.venv/bin/python -c "from berjasa.pii import warm_up; warm_up()"
