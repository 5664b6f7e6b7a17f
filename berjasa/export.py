"""Finance exports of a published period, read back from the warehouse (never from dbt).

- `xlsx`: one workbook "Rekap Tagihan Iuran": the bill per cohort and program with cohort,
  program and grand totals (rupiah `#,##0`), the cohort statuses, and one sheet per department
  (OPD) listing its rejected rows so it can fix its list. Cohort subtotal rows leave "Jumlah
  Peserta" empty: one person has several programs, so summing programs would count people twice.
- `csv` / `parquet`: one file per published table (the period's rows; dimensions whole).

Spreadsheet safety: every text cell of the xlsx and csv files that starts with `=`, `+`, `-`,
`@`, tab or carriage return gets a leading `'`, so a spreadsheet never runs it as a formula
(CSV injection). Parquet is typed data and is written unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import xlsxwriter

from berjasa.config import Settings
from berjasa.warehouse.publish import NotPublishedError
from berjasa.warehouse.reader import latest_log_row, read_table
from berjasa.warehouse.tables import DIM_TABLES, LOG_TABLE, PERIOD_TABLES

Format = Literal["xlsx", "csv", "parquet"]
SUMMARY_SHEET = "Rekap Tagihan Iuran"
STATUS_SHEET = "Status Kelompok"
SUMMARY_HEADERS = ("Periode", "Kelompok", "Program", "Jumlah Peserta", "Iuran (Rp)")
STATUS_HEADERS = (
    "Periode",
    "Kelompok",
    "Status",
    "Keterangan",
    "Baris Dibaca",
    "Baris Diterima",
    "Baris Ditolak",
)
REJECT_HEADERS = ("Kelompok", "Berkas", "Baris", "NIK (tersamar)", "Alasan", "Keterangan")
PROGRAM_ORDER = ("JKK", "JKM", "JHT")
_INJECTION = r"^[=+\-@\t\r]"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def neutralise(table: pa.Table) -> pa.Table:
    """Prefix `'` to text cells a spreadsheet would read as a formula (vectorised)."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.match_substring_regex(column, _INJECTION)
            column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def sheet_name(text: str, taken: set[str]) -> str:
    """Excel sheet name: no []:*?/\\, no leading/trailing quote, at most 31 chars, unique."""
    name = re.sub(r"\s+", " ", _BAD_SHEET_CHARS.sub("-", text)).strip().strip("'") or "OPD"
    name = name[:31].rstrip()
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f"~{n}"
        candidate = name[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    taken.add(candidate.lower())
    return candidate


def export_period(
    settings: Settings,
    period: str,
    fmt: Format,
    out_dir: Path,
    warehouse: str | None = None,
) -> list[Path]:
    """Write the period's finance files into `out_dir`; returns the files written."""
    target = str(warehouse or settings.warehouse)
    # an unpublished month would export as an empty bill that looks like a real Rp 0 one
    if latest_log_row(target, period) is None:
        raise NotPublishedError(f"period {period} has not been published: nothing to export")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        return [_write_xlsx(target, period, out_dir)]
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"export format must be xlsx, csv or parquet, got {fmt!r}")
    written = []
    for table in (*PERIOD_TABLES, LOG_TABLE, *DIM_TABLES):
        is_dim = table in DIM_TABLES
        data = read_table(target, table, None if is_dim else period)
        path = out_dir / (f"{table}.{fmt}" if is_dim else f"{table}_{period}.{fmt}")
        if fmt == "csv":
            pacsv.write_csv(neutralise(data), path)
        else:
            pq.write_table(data, path)
        written.append(path)
    return written


def _program_rank(program: str) -> tuple[int, str]:
    return (PROGRAM_ORDER.index(program) if program in PROGRAM_ORDER else 99, program)


def _write_xlsx(target: str, period: str, out_dir: Path) -> Path:
    billing = read_table(target, "billing_monthly", period).to_pandas()
    cohorts = read_table(target, "dim_cohort").to_pandas()
    status = read_table(target, "publication_cohort_status", period).to_pandas()
    rejected = read_table(target, "rejected_records", period)
    reasons = read_table(target, "dim_reason").to_pandas()

    cohorts = cohorts.sort_values(["priority", "cohort_code"])
    names = dict(zip(cohorts["cohort_code"], cohorts["cohort_name"], strict=True))
    path = out_dir / f"rekap_tagihan_iuran_{period}.xlsx"
    workbook = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    try:
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0"})
        money_bold = workbook.add_format({"num_format": "#,##0", "bold": True})
        taken: set[str] = set()

        # --- summary ------------------------------------------------------------------------
        sheet = workbook.add_worksheet(sheet_name(SUMMARY_SHEET, taken))
        sheet.write_string(
            0, 0, f"Rekap Tagihan Iuran BPJS Ketenagakerjaan - Periode {period}", bold
        )
        sheet.write_row(2, 0, SUMMARY_HEADERS, bold)
        rows: list[tuple[str, str, str, int | None, int, bool]] = []
        for code in cohorts["cohort_code"]:
            part = billing[billing["cohort_code"] == code]
            if part.empty:
                continue
            for _, line in sorted(part.iterrows(), key=lambda r: _program_rank(r[1]["program"])):
                rows.append(
                    (
                        period,
                        names[code],
                        line["program"],
                        int(line["participants"]),
                        int(line["premium_idr"]),
                        False,
                    )
                )
            rows.append(
                (period, f"Jumlah {names[code]}", "", None, int(part["premium_idr"].sum()), True)
            )
        by_program = billing.groupby("program")[["participants", "premium_idr"]].sum()
        for program in sorted(by_program.index, key=_program_rank):
            rows.append(
                (
                    period,
                    "Total per program",
                    program,
                    int(by_program.loc[program, "participants"]),
                    int(by_program.loc[program, "premium_idr"]),
                    True,
                )
            )
        rows.append(
            (period, "TOTAL KESELURUHAN", "", None, int(billing["premium_idr"].sum()), True)
        )
        for i, (per, group, program, people, premium, is_total) in enumerate(rows, start=3):
            text_format = bold if is_total else None
            sheet.write_string(i, 0, _safe(per), text_format)
            sheet.write_string(i, 1, _safe(group), text_format)
            sheet.write_string(i, 2, _safe(program), text_format)
            if people is not None:
                sheet.write_number(i, 3, people, money_bold if is_total else money)
            sheet.write_number(i, 4, premium, money_bold if is_total else money)
        sheet.set_column(0, 0, 10)
        sheet.set_column(1, 1, 48)
        sheet.set_column(2, 2, 10)
        sheet.set_column(3, 4, 18)

        # --- cohort statuses ----------------------------------------------------------------
        sheet = workbook.add_worksheet(sheet_name(STATUS_SHEET, taken))
        sheet.write_row(0, 0, STATUS_HEADERS, bold)
        status = status.assign(
            prio=status["cohort_code"].map(
                dict(zip(cohorts["cohort_code"], cohorts["priority"], strict=True))
            )
        ).sort_values(["prio", "cohort_code"])
        for i, (_, line) in enumerate(status.iterrows(), start=1):
            sheet.write_string(i, 0, period)
            sheet.write_string(i, 1, _safe(names.get(line["cohort_code"], line["cohort_code"])))
            sheet.write_string(i, 2, _safe(line["status"]))
            sheet.write_string(i, 3, _safe(line.get("detail")))
            for j, column in enumerate(("rows_read", "rows_accepted", "rows_rejected"), start=4):
                sheet.write_number(i, j, int(line[column]), money)
        sheet.set_column(1, 1, 48)
        sheet.set_column(3, 3, 60)
        sheet.set_column(4, 6, 14)

        # --- one sheet per department: its rejected rows -------------------------------------
        labels = dict(zip(reasons["reason_code"], reasons["label_id"], strict=True))
        rejected_df = neutralise(rejected).to_pandas()
        for department in sorted(cohorts["department"].dropna().unique()):
            codes = list(cohorts.loc[cohorts["department"] == department, "cohort_code"])
            part = rejected_df[rejected_df["cohort_code"].isin(codes)].sort_values(
                ["cohort_code", "source_file", "source_row"]
            )
            sheet = workbook.add_worksheet(sheet_name(str(department), taken))
            sheet.write_row(0, 0, REJECT_HEADERS, bold)
            columns = [
                [_safe(names.get(c, c)) for c in part["cohort_code"]],
                list(part["source_file"].fillna("")),
                [int(v) for v in part["source_row"]],
                list(part["nik_masked"].fillna("")),
                [_safe(labels.get(c, c)) for c in part["reason_code"]],
                list(part["reason_detail"].fillna("")),
            ]
            for j, values in enumerate(columns):
                sheet.write_column(1, j, values)
            sheet.set_column(0, 1, 30)
            sheet.set_column(3, 5, 40)
    finally:
        workbook.close()
    return path


def _safe(value: object) -> str:
    """One text cell, neutralised like `neutralise` (for the few scalar cells)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    return "'" + text if re.match(_INJECTION, text) else text
