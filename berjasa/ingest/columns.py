"""Which columns each kind of landed file has, how headers map onto them, and the raw schemas.

Header matching (SPEC §2): case-insensitive, a run of spaces/underscores/dots is one separator,
plus aliases. Unknown columns are dropped. Kept in one place so the CSV, XLSX and Parquet readers
cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa

from berjasa.ingest.errors import FileLevelError

_SEPARATORS = re.compile(r"[\s_.]+")

BASE_REQUIRED = ("nik", "nama", "tanggal_lahir", "jenis_kelamin", "kecamatan", "kelurahan")
COHORT_COLUMNS = (*BASE_REQUIRED, "upah", "no_hp", "alamat", "pekerjaan", "disabilitas")
WAGE_COHORT = "non_asn"

COHORT_ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("NIK", "No KTP", "Nomor Induk Kependudukan"),
    "nama": ("Nama Lengkap", "Nama Peserta"),
    "tanggal_lahir": ("Tgl Lahir",),
    "jenis_kelamin": ("JK", "L/P"),
    "upah": ("Gaji", "Upah Sebulan"),
}

# Text columns whose values are (nearly) all different: plain text in the raw layer. All other
# text is stored dictionary-encoded (see `reader.stored_schema`).
PLAIN_TEXT = frozenset({"nik", "no_hp", "alamat"})
TEXT_DICTIONARY = pa.dictionary(pa.int32(), pa.string())

# Columns every raw table carries after its data columns.
PROVENANCE = (
    pa.field("source_file", pa.string()),
    pa.field("source_row", pa.int32()),
    pa.field("file_sha256", pa.string()),
)


def normalise_header(name: object) -> str:
    """`Tgl. Lahir` -> `tgl lahir`; `Jenis_Kelamin` -> `jenis kelamin`."""
    text = "" if name is None else str(name)
    return _SEPARATORS.sub(" ", text.replace("\ufeff", "").strip().lower()).strip()


@dataclass(frozen=True)
class TableSpec:
    """What one kind of file must / may contain and what its raw table looks like."""

    kind: str
    columns: tuple[str, ...]  # canonical data columns, in output order
    required: tuple[str, ...]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cell_type_columns: tuple[str, ...] = ()  # columns that get a `<col>_cell_type` column

    @property
    def lookup(self) -> dict[str, str]:
        """Normalised header -> canonical column."""
        table = {normalise_header(c): c for c in self.columns}
        for canonical, names in self.aliases.items():
            table.update({normalise_header(n): canonical for n in names})
        return table

    @property
    def schema(self) -> pa.Schema:
        fields = [pa.field(c, pa.string()) for c in self.columns]
        fields += list(PROVENANCE)
        fields += [pa.field(f"{c}_cell_type", pa.string()) for c in self.cell_type_columns]
        return pa.schema(fields)

    def map_headers(self, headers: list[object], file_name: str) -> dict[str, int]:
        """canonical column -> position in `headers`; FileLevelError when a required column is
        missing or two columns mean the same thing (header names are not personal data)."""
        lookup = self.lookup
        found: dict[str, int] = {}
        for position, header in enumerate(headers):
            canonical = lookup.get(normalise_header(header))
            if canonical is None:
                continue
            if canonical in found:
                first = headers[found[canonical]]
                raise FileLevelError(
                    file_name,
                    f"columns '{first}' and '{header}' both mean '{canonical}': keep only one",
                )
            found[canonical] = position
        missing = [c for c in self.required if c not in found]
        if missing:
            listed = ", ".join(f"'{c}'" for c in missing)
            plural = "columns" if len(missing) > 1 else "column"
            raise FileLevelError(
                file_name,
                f"required {plural} {listed} missing (header row has: "
                f"{', '.join(str(h) for h in headers if str(h).strip()) or 'nothing'}); "
                "add the column or rename the header (see the accepted names in SPEC §2)",
            )
        return found


def cohort_spec(cohort_code: str | None) -> TableSpec:
    required = BASE_REQUIRED + (("upah",) if cohort_code == WAGE_COHORT else ())
    return TableSpec(
        kind="cohort",
        columns=COHORT_COLUMNS,
        required=required,
        aliases=COHORT_ALIASES,
        cell_type_columns=("nik", "tanggal_lahir"),
    )


NIK_ALIASES = {"nik": COHORT_ALIASES["nik"]}
DTSEN_SPEC = TableSpec("dtsen", ("nik", "desil"), ("nik", "desil"), NIK_ALIASES, ("nik",))
BPJS_ACTIVE_SPEC = TableSpec(
    "bpjs_active", ("area_code", "active_participants"), ("area_code", "active_participants")
)
OPENING_SPEC = TableSpec(
    "opening_members", ("nik", "last_billed"), ("nik", "last_billed"), NIK_ALIASES, ("nik",)
)

#: Schema of a cohort file's raw table (`raw/<YYYY-MM>/<sha256>.parquet`). The file stores the
#: repeating text columns dictionary-encoded (`reader.stored_schema`): same values, and a reader
#: gets them as dictionary<int32, string>.
COHORT_RAW_SCHEMA = cohort_spec(None).schema
