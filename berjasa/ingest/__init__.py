"""Ingest: a period's landing folder -> the immutable raw layer (`raw/<YYYY-MM>/`).

Public API:
- `ingest_period(landing, period, raw_dir) -> IngestReport`
- `read_cohort_file(path, cohort_code=None) -> pyarrow.Table` (raises FileLevelError)
- `load_ingest_report(raw_dir, period) -> IngestReport`
- `read_raw(landed_file, columns=None) -> pyarrow.Table` (source_file = the landed name)
- `COHORT_RAW_SCHEMA`: the schema of a cohort file's raw table (the Parquet file stores its
  repeating text dictionary-encoded: same values, read back as dictionary<int32, string>).
"""

from berjasa.ingest.columns import COHORT_RAW_SCHEMA, normalise_header
from berjasa.ingest.errors import FileLevelError, LandingError
from berjasa.ingest.period import ingest_period
from berjasa.ingest.reader import read_cohort_file, read_raw
from berjasa.ingest.report import IngestReport, LandedFile, load_ingest_report

__all__ = [
    "COHORT_RAW_SCHEMA",
    "FileLevelError",
    "IngestReport",
    "LandedFile",
    "LandingError",
    "ingest_period",
    "load_ingest_report",
    "normalise_header",
    "read_cohort_file",
    "read_raw",
]
