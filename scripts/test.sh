#!/usr/bin/env bash
# Set-up, then the whole test suite: ruff (lint and format), sqlfluff (dbt models), pytest. Needs the local
# PostgreSQL (started by .ci/run when down); no test is skipped for a missing service.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DBT_SEND_ANONYMOUS_USAGE_STATS=false GX_ANALYTICS_ENABLED=false
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== sqlfluff"
.venv/bin/sqlfluff lint dbt_project/models --processes 2
echo "== pytest"
exec .venv/bin/pytest "$@"
