"""SPEC §3 cohort status: a revision with 30 % bad rows is `held_back`; the other cohorts are
published, `berjasa run` exits 2, the cohort's previously published bill is unchanged, and the
new file's rejects are listed so the department can fix it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

import duckdb
from conftest import Home

MONTH = "2026-01"
PERIOD = dt.date(2026, 1, 1)


def _read_csv(path) -> tuple[str, list[list[str]], str, str]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return delimiter, rows, encoding, text


def _billing(home: Home, cohort: str) -> list[tuple]:
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute(
            "select program, participants, premium_idr from berjasa.billing_monthly "
            "where period = ? and cohort_code = ? order by program",
            [PERIOD, cohort],
        ).fetchall()
    finally:
        con.close()


def test_thirty_percent_bad_rows_hold_the_cohort_back(home_factory: Callable[..., Home]):
    home = home_factory("held_back")
    home.berjasa("demo-data", "--period", MONTH, "--scale", "0.01", check=True)
    first = home.berjasa("run", "--period", MONTH)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    rt_rw_before = _billing(home, "rt_rw")
    others_before = _billing(home, "pekerja_keagamaan")
    assert rt_rw_before and rt_rw_before[0][1] > 0

    # The department sends a revision in which 30 % of the rows lost their NIK's last digit.
    path = home.landing / MONTH / "rt_rw.csv"
    delimiter, rows, encoding, _ = _read_csv(path)
    header, body = rows[0], [r for r in rows[1:] if any(cell.strip() for cell in r)]
    nik_col = next(i for i, h in enumerate(header) if h.strip().lower() in ("nik", "no ktp"))
    broken = [i for i in range(len(body)) if i % 10 < 3]
    for i in broken:
        body[i][nik_col] = body[i][nik_col][:-1]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([header, *body])
    path.write_bytes(out.getvalue().encode("utf-8" if encoding == "utf-8-sig" else encoding))

    second = home.berjasa("run", "--period", MONTH)
    assert second.returncode == 2, second.stdout[-2000:] + second.stderr[-2000:]
    assert "held_back" in second.stdout

    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        statuses = dict(
            con.execute(
                "select cohort_code, status from berjasa.publication_cohort_status "
                "where period = ?",
                [PERIOD],
            ).fetchall()
        )
        nik_rejects = con.execute(
            "select count(*) from berjasa.rejected_records where period = ? "
            "and cohort_code = 'rt_rw' and reason_code = 'nik_format'",
            [PERIOD],
        ).fetchone()[0]
    finally:
        con.close()
    assert statuses["rt_rw"] == "held_back"
    assert {c: s for c, s in statuses.items() if c != "rt_rw"} == {
        c: "published" for c in statuses if c != "rt_rw"
    }
    # the last good list is billed again: the rt_rw bill is unchanged to the rupiah
    assert _billing(home, "rt_rw") == rt_rw_before
    assert _billing(home, "pekerja_keagamaan") == others_before
    # the broken file's rejects are listed for the department
    assert nik_rejects >= len(broken)
