"""The home's Dagster instance on kept-connection SQLite storage (orchestration/dagster_storage.py):
a job's runs, materialisations and check results are stored and read back, by this process and
by another instance opening the same folder (as `dagster dev` does), in Dagster's own file
layout, and each database is written through one kept engine rather than one per event."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dagster import (
    AssetCheckResult,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    MaterializeResult,
    asset,
    asset_check,
    define_asset_job,
)

from berjasa.config import get_settings
from orchestration.dagster_storage import (
    KeptConnectionSqliteEventLogStorage,
    KeptConnectionSqliteRunStorage,
    KeptConnectionSqliteStorage,
)
from orchestration.instance import instance_yaml, prepare_dagster_home


@asset
def upstream() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": 3})


@asset(deps=[upstream])
def downstream() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": 5})


@asset_check(asset=downstream)
def downstream_has_rows() -> AssetCheckResult:
    return AssetCheckResult(passed=True, metadata={"rows": 5})


DEFS = Definitions(
    assets=[upstream, downstream],
    asset_checks=[downstream_has_rows],
    jobs=[define_asset_job("both", selection="*")],
)


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BERJASA_HOME", str(tmp_path / "home"))
    previous = os.environ.get("DAGSTER_HOME")
    home = prepare_dagster_home(get_settings())
    yield home
    if previous is None:  # prepare_dagster_home sets it for the run's process
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = previous


def test_the_home_yaml_names_the_storage_and_its_absolute_folder(dagster_home: Path):
    text = (dagster_home / "dagster.yaml").read_text()
    assert text == instance_yaml(dagster_home)
    assert "class: KeptConnectionSqliteStorage" in text
    assert f'base_dir: "{dagster_home.resolve()}"' in text


def test_runs_events_and_checks_are_stored_and_read_back(dagster_home: Path):
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        assert instance.get_ref().storage_data.class_name == KeptConnectionSqliteStorage.__name__
        assert isinstance(instance.run_storage, KeptConnectionSqliteRunStorage)
        assert isinstance(instance.event_log_storage, KeptConnectionSqliteEventLogStorage)
        for _ in range(2):
            result = DEFS.resolve_job_def("both").execute_in_process(instance=instance)
            assert result.success
        run_id = result.run_id
        # one engine per database written: the run's own log and the cross-run asset index
        engines = instance.event_log_storage._engines  # noqa: SLF001 - what is kept open
        assert set(engines) >= {run_id, "index"}
        # reading many runs' logs (the UI, a migration) keeps only the files used last open
        for _ in range(KeptConnectionSqliteEventLogStorage.KEPT_ENGINES):
            DEFS.resolve_job_def("both").execute_in_process(instance=instance)
        assert len(engines) == KeptConnectionSqliteEventLogStorage.KEPT_ENGINES
        assert "index" in engines
        run_id = instance.get_runs(limit=1)[0].run_id

    # another instance on the same folder (as `dagster dev` opens it) reads everything back
    with DagsterInstance.from_config(str(dagster_home)) as reader:
        runs = reader.get_runs()
        assert len(runs) == 2 + KeptConnectionSqliteEventLogStorage.KEPT_ENGINES
        assert all(run.is_success for run in runs)
        latest = reader.get_latest_materialization_event(AssetKey("downstream"))
        assert latest is not None and latest.run_id == run_id
        assert latest.asset_materialization.metadata["rows"].value == 5
        records = reader.get_records_for_run(run_id).records
        types = [r.event_log_entry.dagster_event_type for r in records]
        assert types.count(DagsterEventType.ASSET_MATERIALIZATION) == 2
        assert types.count(DagsterEventType.ASSET_CHECK_EVALUATION) == 1
        assert types[-1] == DagsterEventType.RUN_SUCCESS

    # Dagster's own layout, so a home written before keeps its history
    assert (dagster_home / "history" / "runs.db").is_file()
    assert (dagster_home / "history" / "runs" / f"{run_id}.db").is_file()
    assert (dagster_home / "history" / "runs" / "index.db").is_file()
    assert (dagster_home / "schedules" / "schedules.db").is_file()
