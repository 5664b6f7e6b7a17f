"""Arrow schemas of the validated layer (ARCHITECTURE.md schemas A, R, F and the reference
inputs) and Pandera contracts asserting them, usable as a Dagster asset check.

The Pandera contracts run on `table.to_pandas(types_mapper=pd.ArrowDtype)`, so Arrow types
(date32, int64, bool) are asserted exactly; see `check_accepted` / `check_rejected`.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa_schema
import pyarrow as pa

from berjasa import seeds

ACCEPTED_SCHEMA = pa.schema(
    [
        ("period", pa.date32()),
        ("cohort_code", pa.string()),
        ("source_file", pa.string()),
        ("file_ordinal", pa.int32()),
        ("source_row", pa.int32()),
        # the 32 bytes of the HMAC-SHA256 (`berjasa.pii.person_key_digests`); published as hex
        ("person_key", pa.binary()),
        ("nik_masked", pa.string()),
        ("birth_date", pa.date32()),
        ("sex", pa.string()),
        ("kecamatan_code", pa.string()),
        ("kelurahan_code", pa.string()),
        ("is_outside_city", pa.bool_()),
        ("wage_idr", pa.int64()),
        ("pekerjaan", pa.string()),
        ("disabilitas", pa.string()),
    ]
)

REJECTED_SCHEMA = pa.schema(
    [
        ("period", pa.date32()),
        ("cohort_code", pa.string()),
        ("source_file", pa.string()),
        ("file_ordinal", pa.int32()),
        ("source_row", pa.int32()),
        ("reason_code", pa.string()),
        ("reason_detail", pa.string()),
        ("nik_masked", pa.string()),
    ]
)

SOURCE_FILES_SCHEMA = pa.schema(
    [
        ("period", pa.date32()),
        ("cohort_code", pa.string()),
        ("source_file", pa.string()),
        ("file_sha256", pa.string()),
        ("file_ordinal", pa.int32()),
        ("file_status", pa.string()),
        ("error_detail", pa.string()),
        ("rows_read", pa.int64()),
    ]
)

BPJS_ACTIVE_SCHEMA = pa.schema([("area_code", pa.string()), ("active_participants", pa.int64())])

DTSEN_SCHEMA = pa.schema(
    [("extract_period", pa.date32()), ("person_key", pa.binary()), ("desil", pa.int32())]
)

OPENING_MEMBERS_SCHEMA = pa.schema([("person_key", pa.binary()), ("last_billed", pa.date32())])

# Columns that must never reach the validated layer (they stay in the raw layer).
PII_COLUMNS = frozenset({"nik", "nama", "no_hp", "alamat"})

_TEXT = pd.ArrowDtype(pa.string())
_BYTES = pd.ArrowDtype(pa.binary())
_DATE = pd.ArrowDtype(pa.date32())
_INT32 = pd.ArrowDtype(pa.int32())
_INT64 = pd.ArrowDtype(pa.int64())
_BOOL = pd.ArrowDtype(pa.bool_())

DIGEST_BYTES = 32  # an HMAC-SHA256 digest, the validated `person_key`
_MASKED = r"^\d{6}\*{6}\d{4}$"
_KECAMATAN = r"^73\.71\.\d{2}$"
_KELURAHAN = r"^73\.71\.\d{2}\.\d{4}$"


def _cohort_codes() -> list[str]:
    return seeds.cohort_codes()


AcceptedRowsSchema = pa_schema.DataFrameSchema(
    {
        "period": pa_schema.Column(_DATE, nullable=False),
        "cohort_code": pa_schema.Column(
            _TEXT, pa_schema.Check.isin(_cohort_codes()), nullable=False
        ),
        "source_file": pa_schema.Column(_TEXT, nullable=False),
        "file_ordinal": pa_schema.Column(_INT32, pa_schema.Check.ge(1), nullable=False),
        "source_row": pa_schema.Column(_INT32, pa_schema.Check.ge(2), nullable=False),
        "person_key": pa_schema.Column(
            _BYTES,
            pa_schema.Check(lambda keys: keys.map(len) == DIGEST_BYTES, name="hmac_sha256_digest"),
            nullable=False,
        ),
        "nik_masked": pa_schema.Column(_TEXT, pa_schema.Check.str_matches(_MASKED), nullable=False),
        "birth_date": pa_schema.Column(_DATE, nullable=False),
        "sex": pa_schema.Column(_TEXT, pa_schema.Check.isin(["L", "P"]), nullable=False),
        "kecamatan_code": pa_schema.Column(
            _TEXT, pa_schema.Check.str_matches(_KECAMATAN), nullable=True
        ),
        "kelurahan_code": pa_schema.Column(
            _TEXT, pa_schema.Check.str_matches(_KELURAHAN), nullable=True
        ),
        "is_outside_city": pa_schema.Column(_BOOL, nullable=False),
        "wage_idr": pa_schema.Column(_INT64, pa_schema.Check.gt(0), nullable=True),
        "pekerjaan": pa_schema.Column(_TEXT, nullable=True),
        "disabilitas": pa_schema.Column(_TEXT, pa_schema.Check.isin(["Y", "N"]), nullable=True),
    },
    checks=[
        # Outside the city <=> no area codes (only city employees may live outside).
        pa_schema.Check(
            lambda df: df["is_outside_city"] == df["kecamatan_code"].isna(),
            name="outside_city_has_no_codes",
        ),
    ],
    strict=True,
    ordered=True,
    name="AcceptedRowsSchema",
)

RejectedRowsSchema = pa_schema.DataFrameSchema(
    {
        "period": pa_schema.Column(_DATE, nullable=False),
        "cohort_code": pa_schema.Column(_TEXT, nullable=False),
        "source_file": pa_schema.Column(_TEXT, nullable=False),
        "file_ordinal": pa_schema.Column(_INT32, pa_schema.Check.ge(1), nullable=False),
        "source_row": pa_schema.Column(_INT32, pa_schema.Check.ge(2), nullable=False),
        "reason_code": pa_schema.Column(
            _TEXT,
            pa_schema.Check(lambda s: s.isin(list(seeds.reason_codes()["reason_code"]))),
            nullable=False,
        ),
        "reason_detail": pa_schema.Column(_TEXT, nullable=False),
        "nik_masked": pa_schema.Column(_TEXT, nullable=True),
    },
    strict=True,
    ordered=True,
    name="RejectedRowsSchema",
)


def _frame(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def check_accepted(table: pa.Table) -> None:
    """Assert schema A (raises pandera SchemaErrors; failure values are masked keys, not PII)."""
    AcceptedRowsSchema.validate(_frame(table), lazy=True)


def check_rejected(table: pa.Table) -> None:
    """Assert schema R."""
    RejectedRowsSchema.validate(_frame(table), lazy=True)
