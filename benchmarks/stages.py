"""Per-stage wall times of the last `berjasa run`, read from the Dagster instance of its home.

Each Dagster step (ingest, validation, dbt, checks, publication) is one stage. Two more make
the stages add up to the measured wall time:
- `startup`: from the start of the `berjasa` process to the start of the first step (Python
  and Dagster imports, dbt manifest check, instance and run set-up);
- `other`: what is left (gaps between steps, run teardown, summary, interpreter exit).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunStages:
    run_id: str
    run_status: str
    stages: dict[str, float]  # startup, each step in start order, other (seconds)


def read_run_stages(dagster_home: Path, started_epoch: float, total_seconds: float) -> RunStages:
    """Stages of the most recent run on the instance in `dagster_home`."""
    from dagster import DagsterInstance  # heavy import: only when a run was measured

    with DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            raise RuntimeError(f"no Dagster run recorded in {dagster_home}")
        run = runs[0]
        steps = [
            s
            for s in instance.get_run_step_stats(run.run_id)
            if s.start_time is not None and s.end_time is not None
        ]
    steps.sort(key=lambda s: s.start_time)
    stages: dict[str, float] = {}
    startup = (steps[0].start_time - started_epoch) if steps else total_seconds
    stages["startup"] = startup
    for step in steps:
        stages[step.step_key] = stages.get(step.step_key, 0.0) + step.end_time - step.start_time
    stages["other"] = total_seconds - sum(stages.values())
    return RunStages(run.run_id, run.status.value, {k: round(v, 3) for k, v in stages.items()})
