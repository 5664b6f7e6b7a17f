"""Each check passes on plausible data and fails on a crafted violation naming the culprit."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from conftest import FAKE_NIK, PERIOD

from berjasa.quality import (
    age_distribution,
    build_data_docs,
    desil_distribution,
    participants_drift,
    run_all,
    ucj_rates_plausible,
)


@pytest.fixture(scope="module")
def plausible(base_db: Path, tmp_path_factory: pytest.TempPathFactory):
    docs = tmp_path_factory.mktemp("docs")
    started = time.perf_counter()
    results = run_all(base_db, PERIOD, docs)
    return results, docs, time.perf_counter() - started


def test_run_all_passes_on_plausible_data_and_writes_docs(plausible) -> None:
    results, docs, _ = plausible
    assert [r.name for r in results] == [
        "participants_drift",
        "ucj_rates_plausible",
        "age_distribution",
        "desil_distribution",
    ]
    assert [r.passed for r in results] == [True, True, True, True]
    for result in results:
        assert result.data_docs_path == str(docs / PERIOD / "index.html")
        assert result.metadata["failing"] == []
        json.dumps(result.metadata)  # plain JSON
    index = (docs / PERIOD / "index.html").read_text(encoding="utf-8")
    for result in results:  # the one site lists all four validations
        assert result.name in index
    assert [p.name for p in docs.iterdir()] == [PERIOD]  # no staging folders left behind
    drift = results[0].metadata["observed"]["rt_rw"]
    assert drift == {"previous_participants": 100, "participants": 110, "ratio": 1.1}
    desil = results[3].metadata
    assert desil["dtsen_extract"] == "2025-01"  # the later 2025-06 extract is not used
    assert desil["observed"]["pekerja_rentan"]["desil_1"] == 12
    assert desil["observed"]["pekerja_rentan"]["max_desil"] == 5


def _set_rt_rw(participants: int) -> str:
    return (
        f"update berjasa.billing_monthly set participants = {participants} "
        "where cohort_code = 'rt_rw' and period = date '2025-03-01'"
    )


@pytest.mark.parametrize(("now", "passed"), [(130, False), (124, True), (125, True), (74, False)])
def test_participants_drift_tolerance(variant, now: int, passed: bool) -> None:
    result = participants_drift(variant(_set_rt_rw(now)), PERIOD)
    assert result.passed is passed
    assert result.metadata["failing"] == ([] if passed else ["rt_rw"])
    assert result.metadata["observed"]["rt_rw"]["participants"] == now
    if not passed:
        assert f"rt_rw={now / 100:g}" in result.description


def test_participants_drift_first_month_passes_with_note(variant) -> None:
    path = variant(
        _set_rt_rw(500) + "; delete from berjasa.billing_monthly where period = date '2025-02-01'"
    )
    result = participants_drift(path, PERIOD)
    assert result.passed
    assert result.metadata["notes"] == ["no billing for 2025-02: nothing to compare with"]


def test_participants_drift_new_and_vanished_cohorts(variant) -> None:
    new = variant(
        "delete from berjasa.billing_monthly "
        "where period = date '2025-02-01' and cohort_code = 'pekerja_keagamaan'"
    )
    result = participants_drift(new, PERIOD)
    assert result.passed
    assert result.metadata["notes"] == ["not billed in 2025-02: pekerja_keagamaan"]

    gone = variant(
        "delete from berjasa.billing_monthly "
        "where period = date '2025-03-01' and cohort_code = 'non_asn'"
    )
    result = participants_drift(gone, PERIOD)
    assert not result.passed
    assert result.metadata["failing"] == ["non_asn"]
    assert result.metadata["observed"]["non_asn"]["participants"] == 0


def test_ucj_rate_above_one_warns_naming_the_area(variant) -> None:
    path = variant(
        "update berjasa.coverage_monthly set ucj_rate = 1.12, ucj_rate_above_1 = true "
        "where area_code = '73.71.08'"
    )
    result = ucj_rates_plausible(path, PERIOD)
    assert not result.passed
    assert result.metadata["failing"] == ["73.71.08"]
    assert result.metadata["failed_expectations"][0]["column"] == "ucj_rate"
    assert result.metadata["failed_expectations"][0]["values"] == [1.12]
    assert "73.71.08=1.12" in result.description


def test_program_share_out_of_range_fails(variant) -> None:
    path = variant(
        "update berjasa.coverage_monthly set program_share = -0.1 where area_code = '73.71'"
    )
    result = ucj_rates_plausible(path, PERIOD)
    assert not result.passed
    assert result.metadata["failing"] == ["73.71"]
    assert result.metadata["failed_expectations"][0]["column"] == "program_share"


def test_age_share_outside_15_70_fails_for_that_cohort(variant) -> None:
    # 4 of rt_rw's 60 people born 1940 (85 years old): 56/60 = 0.933 < 0.95
    path = variant(
        "update berjasa_input.accepted_rows set birth_date = date '1940-01-01' "
        "where cohort_code = 'rt_rw' and source_row in (3, 9, 15, 21)"
    )
    result = age_distribution(path, PERIOD)
    assert not result.passed
    assert result.metadata["failing"] == ["rt_rw"]
    observed = result.metadata["observed"]["rt_rw"]
    assert observed["age_over_70"] == 4
    assert observed["share_in_age_range"] == 0.933333
    # 3 of 60 outside (0.95) still passes
    ok = variant(
        "update berjasa_input.accepted_rows set birth_date = date '1940-01-01' "
        "where cohort_code = 'rt_rw' and source_row in (3, 9, 15)"
    )
    assert age_distribution(ok, PERIOD).passed


def test_age_exact_on_period_first_day(variant) -> None:
    # row 8 (was 26) born 2010-03-02: still 14 on 2025-03-01; row 2 (was 20) born 2010-03-01: 15
    path = variant(
        "update berjasa_input.accepted_rows set birth_date = case source_row "
        "when 8 then date '2010-03-02' else date '2010-03-01' end "
        "where cohort_code = 'non_asn' and source_row in (2, 8)"
    )
    observed = age_distribution(path, PERIOD).metadata["observed"]["non_asn"]
    assert (observed["age_under_15"], observed["age_15_24"]) == (1, 8)


def test_median_age_out_of_bounds_fails(variant) -> None:
    path = variant(
        "update berjasa_input.accepted_rows set birth_date = date '1958-01-01' "
        "where cohort_code = 'pekerja_keagamaan'"
    )
    result = age_distribution(path, PERIOD)
    assert not result.passed  # median 67 > 65
    assert result.metadata["failing"] == ["pekerja_keagamaan"]
    assert result.metadata["observed"]["pekerja_keagamaan"]["median_age"] == 67.0


def test_median_age_from_the_histogram_and_rows_counted_as_listed(variant) -> None:
    # pekerja_keagamaan's 60 rows (source_row 5, 11, ..., 359): 30 aged 40, 30 aged 30 on 2025-03-01
    ages = (
        "update berjasa_input.accepted_rows set birth_date = case when source_row < 182 "
        "then date '1985-03-01' else date '1995-03-01' end "
        "where cohort_code = 'pekerja_keagamaan'"
    )
    observed = age_distribution(variant(ages), PERIOD).metadata["observed"]["pekerja_keagamaan"]
    # an even count: the mean of the two middle ages, as DuckDB's median
    assert (observed["rows"], observed["median_age"]) == (60, 35.0)
    assert (observed["age_25_34"], observed["age_35_44"]) == (30, 30)
    # a person listed twice counts twice: 31 rows aged 30 of 61, the median is 30
    repeated = ages + (
        "; insert into berjasa_input.accepted_rows select * from berjasa_input.accepted_rows "
        "where cohort_code = 'pekerja_keagamaan' and source_row = 359"
    )
    observed = age_distribution(variant(repeated), PERIOD).metadata["observed"]
    assert (observed["pekerja_keagamaan"]["rows"], observed["pekerja_keagamaan"]["median_age"]) == (
        61,
        30.0,
    )


def test_desil_out_of_range_and_low_share_fail(variant) -> None:
    bad_value = variant(
        "update berjasa_input.dtsen set desil = 11 "
        "where extract_period = date '2025-01-01' and desil = 5"
    )
    result = desil_distribution(bad_value, PERIOD)
    assert not result.passed
    assert result.metadata["failing"] == ["pekerja_rentan"]
    assert result.metadata["observed"]["pekerja_rentan"]["desil_out_of_range"] == 12
    assert {f["column"] for f in result.metadata["failed_expectations"]} == {"max_desil"}

    # desil 4 and 5 -> 7 and 8: 36 of 60 within desil 5 = 0.6 < 0.8
    low_share = variant(
        "update berjasa_input.dtsen set desil = desil + 3 "
        "where extract_period = date '2025-01-01' and desil >= 4"
    )
    result = desil_distribution(low_share, PERIOD)
    assert not result.passed
    assert result.metadata["failing"] == ["pekerja_rentan"]
    assert result.metadata["observed"]["pekerja_rentan"]["share_within_max_desil"] == 0.6


def test_desil_without_extract_passes_with_note(variant) -> None:
    path = variant("delete from berjasa_input.dtsen where extract_period <= date '2025-03-01'")
    result = desil_distribution(path, PERIOD)
    assert result.passed
    assert result.metadata["dtsen_extract"] is None
    assert result.metadata["notes"] == ["no DTSEN extract on or before 2025-03"]


def test_data_docs_hold_no_person_key_nor_16_digit_run(variant, tmp_path: Path) -> None:
    """Failing checks (so GE renders unexpected values) on a DB with a NIK-like person_key."""
    path = variant(
        "update berjasa_input.dtsen set person_key = "
        f"'{FAKE_NIK}'::blob, desil = 12 where person_key = unhex(sha256('person-5'));"
        f"update berjasa_input.accepted_rows set person_key = '{FAKE_NIK}'::blob "
        "where person_key = unhex(sha256('person-5'));"
        "update berjasa_input.accepted_rows set birth_date = date '1930-01-01' "
        "where cohort_code = 'pekerja_rentan' and source_row < 40;" + _set_rt_rw(500)
    )
    docs = tmp_path / "docs"
    results = run_all(path, PERIOD, docs)
    assert [r.passed for r in results] == [False, True, False, False]
    sixteen_digits = re.compile(r"(?<!\d)\d{16}(?!\d)")
    scanned = 0
    for file in docs.rglob("*"):
        if file.suffix in {".html", ".json", ".js", ".css"}:
            text = file.read_text(encoding="utf-8", errors="replace")
            assert FAKE_NIK not in text, file
            assert not sixteen_digits.search(text), file
            scanned += 1
    assert scanned >= 9  # index + expectation and validation pages of four checks
    metadata = json.dumps([r.metadata for r in results])
    assert FAKE_NIK not in metadata and not sixteen_digits.search(metadata)


def test_ge_progress_bars_are_silent(variant, capfd: pytest.CaptureFixture[str]) -> None:
    participants_drift(variant("select 1"), PERIOD)
    captured = capfd.readouterr()
    assert "Calculating Metrics" not in captured.err + captured.out


def test_rebuilding_docs_replaces_the_period_site(base_db: Path, tmp_path: Path) -> None:
    first = build_data_docs(base_db, PERIOD, tmp_path)
    second = build_data_docs(base_db, PERIOD, tmp_path)
    assert first == second == str(tmp_path / PERIOD / "index.html")
    pages = [p for p in (tmp_path / PERIOD / "validations").rglob("*.html")]
    assert len(pages) == 4  # the second build replaced the first, it did not pile up
    assert participants_drift(base_db, PERIOD).data_docs_path is None  # only run_all renders
