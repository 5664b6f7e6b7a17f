"""Great Expectations drift and distribution checks on the period's aggregates.

Public API (pure functions; the Dagster layer wraps them in WARN-severity asset checks):
`participants_drift`, `ucj_rates_plausible`, `age_distribution`, `desil_distribution`,
`run_all` (all four plus Data Docs at `<data_docs_dir>/<period>/index.html`),
`build_data_docs`, and their result type `QualityResult`. GE itself is imported lazily.
"""

from berjasa.quality._gx import warm_up
from berjasa.quality.checks import (
    QualityResult,
    age_distribution,
    build_data_docs,
    desil_distribution,
    participants_drift,
    run_all,
    ucj_rates_plausible,
)

__all__ = [
    "QualityResult",
    "age_distribution",
    "build_data_docs",
    "desil_distribution",
    "participants_drift",
    "run_all",
    "ucj_rates_plausible",
    "warm_up",
]
