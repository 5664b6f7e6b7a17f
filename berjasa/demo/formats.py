"""Which files a department sends, and in which shape (SPEC §2).

Below scale 10 the folder shows the variety found in real deliveries (XLSX with date cells,
semicolon CSV in Windows-1252, UTF-8 with BOM, Parquet with an integer NIK, header aliases, a
cohort split over two files). At scale 10 and above only CSV and Parquet are written: XLSX is
slow to write and read at millions of rows and departments would not send it at that size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LARGE_SCALE = 10.0


@dataclass(frozen=True)
class FileSpec:
    name: str
    cohort: str
    fmt: str                      # csv | xlsx | parquet
    headers: dict[str, str]       # canonical column -> header as written, in order
    share: float = 1.0            # share of the cohort's rows (split cohorts)
    delimiter: str = ","
    encoding: str = "utf-8"       # utf-8 | utf-8-sig | cp1252
    date_style: str = "iso"       # iso | iso_time | dmy_dash | dmy_slash | cell | date32
    sex_style: str = "LP"         # LP | LP_mixed_case | words
    wage_style: str = "text"      # text | cell
    nik_int: bool = False         # Parquet int64 NIK column
    area_variants: bool = False   # odd case / spacing / apostrophes in area names
    sheet_layout: str = ""        # xlsx: data_second | no_data
    trailing_blank: int = 0
    mid_blank: bool = False       # one blank line in the middle of the file
    extra: dict[str, str] = field(default_factory=dict)


def _h(*pairs: str) -> dict[str, str]:
    return dict(zip(pairs[0::2], pairs[1::2], strict=True))


def plan_files(scale: float) -> list[FileSpec]:
    """The files of one period, cohorts in priority order, a cohort's files in name order."""
    large = scale >= LARGE_SCALE
    files: list[FileSpec] = []
    if large:
        files.append(FileSpec(
            "non_asn.csv", "non_asn", "csv",
            _h("nik", "NIK", "nama", "Nama Lengkap", "tanggal_lahir", "Tgl Lahir",
               "jenis_kelamin", "Jenis Kelamin", "kecamatan", "Kecamatan", "kelurahan",
               "Kelurahan", "upah", "Upah Sebulan", "no_hp", "No HP", "alamat", "Alamat",
               "pekerjaan", "Pekerjaan"),
            date_style="iso", area_variants=True, trailing_blank=2))
    else:
        files.append(FileSpec(
            "non_asn.xlsx", "non_asn", "xlsx",
            _h("nik", "NIK", "nama", "Nama Lengkap", "tanggal_lahir", "Tgl. Lahir",
               "jenis_kelamin", "JK", "kecamatan", "Kecamatan", "kelurahan", "Kelurahan",
               "upah", "Gaji", "no_hp", "No HP", "alamat", "Alamat", "pekerjaan", "Pekerjaan"),
            date_style="cell", wage_style="cell", area_variants=True,
            sheet_layout="data_second", trailing_blank=3))
    files.append(FileSpec(
        "rt_rw.csv", "rt_rw", "csv",
        _h("nik", "No KTP", "nama", "Nama", "tanggal_lahir", "Tgl Lahir", "jenis_kelamin",
           "L/P", "kecamatan", "Kecamatan", "kelurahan", "Kelurahan", "alamat", "Alamat",
           "no_hp", "No_HP"),
        encoding="utf-8-sig", date_style="iso", area_variants=True, trailing_blank=2))
    kb_headers = _h("nik", "Nomor Induk Kependudukan", "nama", "Nama Peserta",
                    "tanggal_lahir", "Tgl Lahir", "jenis_kelamin", "JK", "kecamatan",
                    "KECAMATAN", "kelurahan", "KELURAHAN", "disabilitas", "Disabilitas")
    if large:
        files.append(FileSpec("kader_posyandu_kb__kb.parquet", "kader_posyandu_kb", "parquet",
                              kb_headers, share=0.3, date_style="iso"))
    else:
        files.append(FileSpec("kader_posyandu_kb__kb.xlsx", "kader_posyandu_kb", "xlsx",
                              kb_headers, share=0.3, date_style="cell",
                              sheet_layout="no_data", trailing_blank=2))
    files.append(FileSpec(
        "kader_posyandu_kb__posyandu.csv", "kader_posyandu_kb", "csv",
        _h("nik", "NIK", "nama", "Nama Lengkap", "tanggal_lahir", "Tanggal Lahir",
           "jenis_kelamin", "Jenis Kelamin", "kecamatan", "Kecamatan", "kelurahan",
           "Kelurahan", "alamat", "Alamat"),
        share=0.7, delimiter=";", encoding="cp1252", date_style="dmy_dash",
        sex_style="words", area_variants=True, trailing_blank=3, mid_blank=True))
    files.append(FileSpec(
        "pekerja_keagamaan.csv", "pekerja_keagamaan", "csv",
        _h("nik", "nik", "nama", "nama", "tanggal_lahir", "tanggal_lahir", "jenis_kelamin",
           "jenis_kelamin", "kecamatan", "kecamatan", "kelurahan", "kelurahan", "pekerjaan",
           "pekerjaan", "disabilitas", "disabilitas"),
        date_style="dmy_slash", sex_style="words", trailing_blank=1))
    files.append(FileSpec(
        "penyelenggara_pemilu.parquet", "penyelenggara_pemilu", "parquet",
        _h("nik", "nik", "nama", "nama", "tanggal_lahir", "tanggal_lahir", "jenis_kelamin",
           "jenis_kelamin", "kecamatan", "kecamatan", "kelurahan", "kelurahan", "pekerjaan",
           "pekerjaan", "no_hp", "no_hp"),
        date_style="date32", nik_int=True))
    files.append(FileSpec(
        "pekerja_rentan.csv", "pekerja_rentan", "csv",
        _h("nik", "NIK", "nama", "Nama Peserta", "tanggal_lahir", "Tgl. Lahir",
           "jenis_kelamin", "L/P", "kecamatan", "Kecamatan", "kelurahan", "Kelurahan",
           "pekerjaan", "Pekerjaan", "upah", "Upah Sebulan", "disabilitas", "Disabilitas"),
        date_style="iso_time", sex_style="LP_mixed_case", area_variants=True,
        trailing_blank=2))
    return files


def formats_used(scale: float) -> set[str]:
    return {spec.fmt for spec in plan_files(scale)}
