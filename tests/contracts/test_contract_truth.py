"""End to end against the demo generator's truth file: every row-stage fault gets exactly its
expected reason, and every other row is accepted at this stage, for every file format."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from berjasa.config import Settings
from schemas.tables import check_accepted, check_rejected

PERIOD = "2025-03"
SCALE = 0.02


@pytest.fixture(scope="module", params=[7, 23])
def demo_month(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    demo = pytest.importorskip("berjasa.demo")
    ingest = pytest.importorskip("berjasa.ingest")
    from berjasa.validate import validate_period

    root = tmp_path_factory.mktemp("truth")
    landing = root / "landing"
    settings = Settings(home=root / "home", landing=landing, warehouse="-", pii_key="truth-key")
    summary = demo.generate_demo_data(
        PERIOD, landing, scale=SCALE, seed=request.param, progress=False
    )
    report = ingest.ingest_period(landing, PERIOD, settings.raw_dir)
    result = validate_period(PERIOD, report, settings)
    truth = pq.read_table(summary.truth_path)
    return settings, report, result, truth


def _decided(settings: Settings) -> pa.Table:
    out = settings.validated_dir / PERIOD
    accepted = pq.read_table(out / "accepted.parquet", columns=["source_file", "source_row"])
    rejected = pq.read_table(
        out / "rejected.parquet", columns=["source_file", "source_row", "reason_code"]
    )
    accepted = accepted.append_column("reason_code", pa.nulls(accepted.num_rows, pa.string()))
    return pa.concat_tables([accepted, rejected.select(accepted.column_names)])


def test_every_truth_row_gets_its_row_stage_reason(demo_month) -> None:
    settings, report, result, truth = demo_month
    decided = {
        (f, int(r)): code
        for f, r, code in zip(
            *(
                _decided(settings).column(c).to_pylist()
                for c in ("source_file", "source_row", "reason_code")
            ),
            strict=True,
        )
    }
    files = [f for f in report.files if f.kind == "cohort"]
    assert all(f.status == "ok" for f in files), [(f.name, f.message) for f in files]
    mismatches: list[tuple[str, int, str | None, str | None, str]] = []
    rows = truth.select(["source_file", "source_row", "expected", "stage", "fault"]).to_pylist()
    for row in rows:
        key = (row["source_file"], int(row["source_row"]))
        want = (
            row["expected"]
            if row["stage"] == "row" and row["expected"] not in (None, "ok")
            else None
        )
        got = decided.pop(key, "<missing>")
        if got != want:
            mismatches.append((*key, want, got, str(row["fault"])))
    assert mismatches[:20] == []
    assert decided == {}  # no validated row without a truth row
    assert result.rows_read == truth.num_rows


def test_all_formats_and_row_reasons_covered(demo_month) -> None:
    _, report, result, truth = demo_month
    formats = {f.name.rsplit(".", 1)[-1].lower() for f in report.files if f.kind == "cohort"}
    assert formats >= {"csv", "xlsx", "parquet"}
    row_reasons = {
        r["expected"]
        for r in truth.select(["expected", "stage"]).to_pylist()
        if r["stage"] == "row" and r["expected"] != "ok"
    }
    assert set(result.rejects_by_reason) == row_reasons
    assert result.dtsen is not None and result.dtsen.source_file == "_dtsen.parquet"
    for f in result.files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected


def test_outputs_meet_their_contracts(demo_month) -> None:
    settings, _, _, _ = demo_month
    out = settings.validated_dir / PERIOD
    check_accepted(pq.read_table(out / "accepted.parquet"))
    check_rejected(pq.read_table(out / "rejected.parquet"))
