#!/usr/bin/env bash
# Set-up, then a demo month: synthetic lists → full pipeline (Dagster, Pandera, dbt, GE) →
# DuckDB warehouse → printed summary. Extra arguments go to `berjasa demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/berjasa demo "$@"
