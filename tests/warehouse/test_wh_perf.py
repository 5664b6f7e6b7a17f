"""Publication time at city scale: ~110k people, ~220k billing_detail rows, to both targets.

Runs in the normal suite with a generous bound (a regression to row-by-row inserts would take
minutes); the measured seconds are printed (`pytest -s`) and kept in the report.
"""

from __future__ import annotations

import time

from fake_marts import build_period

from berjasa.warehouse import InputFile, Provenance, publish_period, read_table

CITY_SIZES = {
    "non_asn": 12_800,
    "rt_rw": 6_500,
    "kader_posyandu_kb": 6_600,
    "pekerja_keagamaan": 6_200,
    "penyelenggara_pemilu": 39_000,
    "pekerja_rentan": 38_900,
}


def test_publish_city_scale_to_both_targets(settings, pg_url):
    db = settings.home / "dbt" / "big.duckdb"
    db.parent.mkdir(parents=True)
    build_period(db, "2025-03", CITY_SIZES, home=settings.home)
    people = sum(CITY_SIZES.values())
    prov = Provenance(input_files=(InputFile("non_asn.csv", "0" * 64),), code_version="perf")
    timings = {}
    for name, target in (("duckdb", settings.warehouse), ("postgresql", pg_url)):
        started = time.perf_counter()
        result = publish_period(
            settings, "2025-03", run_id="perf", source_db=db, warehouse=target, provenance=prov
        )
        timings[name] = time.perf_counter() - started
        assert result.rows["billing_detail"] == 2 * people == 220_000
        assert result.total_premium_idr == 12_800 * 16_204 + (people - 12_800) * 16_800
    detail = read_table(pg_url, "billing_detail", "2025-03")
    assert detail.num_rows == 220_000
    print(
        f"\npublish {people} people / 220000 billing_detail rows:"
        f" duckdb {timings['duckdb']:.2f}s, postgresql {timings['postgresql']:.2f}s"
    )
    assert max(timings.values()) < 60
