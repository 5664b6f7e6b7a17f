"""The `berjasa` command.

    berjasa demo-data --period YYYY-MM [--landing DIR] [--scale X] [--seed N]
    berjasa run       --period YYYY-MM [--landing DIR] [--warehouse PATH|postgresql://…]
                      [--supersede --reason "…"]
    berjasa demo      [--period YYYY-MM] [--scale X]   demo data → full pipeline → summary
    berjasa finalize  --period YYYY-MM [--warehouse …]
    berjasa export    --period YYYY-MM --format xlsx|csv|parquet [--out DIR] [--warehouse …]
    berjasa grant     [--warehouse postgresql://…]
    berjasa ui        the Dagster UI on this home's instance

`run` exits 0 when every cohort with a file was published, 2 when the period was published
with a cohort not published, 1 when nothing was published (SPEC §3). Errors are printed as one
clear message, never a traceback, and never contain a NIK or a name.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from berjasa.config import REPO_ROOT, Settings, get_settings
from berjasa.errors import BerjasaError
from berjasa.periods import parse_period

DEMO_PERIOD = "2026-01"


def _settings(args: argparse.Namespace) -> Settings:
    return get_settings(
        landing=getattr(args, "landing", None), warehouse=getattr(args, "warehouse", None)
    )


def cmd_demo_data(args: argparse.Namespace) -> int:
    from berjasa.demo import generate_demo_data

    settings = _settings(args)
    summary = generate_demo_data(
        args.period, settings.landing, scale=args.scale, seed=args.seed, progress=True
    )
    print(
        f"Demo landing folder {summary.landing_dir}: {summary.total_rows:,} rows in "
        f"{len(summary.files)} files; truth file {summary.truth_path}"
    )
    return 0


def refuse_before_work(settings: Settings, period: str, supersede_reason: str | None) -> None:
    """Refusals known before any work: the demo key on PostgreSQL, a final month without a
    supersede reason. (The publisher refuses them again: this only spares a useless run.)"""
    from berjasa.warehouse import DemoKeyError, PeriodFinalError, period_status
    from berjasa.warehouse.targets import is_postgres

    if is_postgres(settings.warehouse) and settings.pii_key_is_demo:
        raise DemoKeyError(
            "refusing to publish to PostgreSQL with the labelled demo PII key: set "
            "BERJASA_PII_KEY to the city's key"
        )
    if supersede_reason is None and period_status(settings, period) == "final":
        raise PeriodFinalError(
            f"{period} is final (the bill was paid): republish it only with "
            '--supersede --reason "why"'
        )


def run_period(
    settings: Settings, period: str, supersede_reason: str | None = None, quiet: bool = True
) -> int:
    """Runs one month through the Dagster job on this home's instance; prints the summary."""
    refuse_before_work(settings, period, supersede_reason)  # before anything is written
    from berjasa.dbt_client import SOCKET_ENV
    from berjasa.dbt_manifest import ensure_manifest
    from berjasa.dbt_vars import dbt_vars_arg
    from berjasa.dbt_warm import socket_path, start_warm_dbt

    ensure_manifest()
    # dbt starts up and parses this month beside Dagster's start-up, ingest and validation, then
    # runs the dbt step's build itself (berjasa/dbt_warm.py)
    warm_dbt = start_warm_dbt(
        settings.dbt_database,
        settings.dbt_target_dir,
        dbt_vars_arg(period, settings.reject_threshold),
    )
    os.environ[SOCKET_ENV] = str(socket_path(settings.dbt_target_dir))  # for berjasa-dbt
    try:
        return _run_job(settings, period, supersede_reason, quiet)
    finally:
        os.environ.pop(SOCKET_ENV, None)
        warm_dbt.release()  # a run that ended before its dbt step no longer needs it


def _run_job(settings: Settings, period: str, supersede_reason: str | None, quiet: bool) -> int:
    from orchestration.instance import prepare_dagster_home

    prepare_dagster_home(settings)

    from dagster import DagsterEventType, DagsterInstance

    from assets.names import MONTHLY_JOB
    from berjasa.heap import freeze_startup_heap
    from berjasa.summary import format_summary, read_period_summary
    from orchestration.definitions import defs

    # the imports above are the long-lived heap: keep them out of the month's collections
    freeze_startup_heap()
    run_config: dict[str, object] = {
        "resources": {
            "berjasa": {
                "config": {
                    "landing": str(settings.landing),
                    "warehouse": settings.warehouse,
                    "supersede_reason": supersede_reason or "",
                }
            }
        },
    }
    if quiet:
        # Step failures are printed below as one line each; Dagster's own stack traces stay
        # in the instance's event log.
        run_config["loggers"] = {"console": {"config": {"log_level": "CRITICAL"}}}
    job = defs.resolve_job_def(MONTHLY_JOB)
    log_path = settings.home / "logs" / f"run-{period}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # dbt's progress lines go to the run log (and Dagster's compute logs), not the terminal.
    with (
        DagsterInstance.get() as instance,
        open(log_path, "w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log if quiet else sys.stdout),
    ):
        result = job.execute_in_process(
            partition_key=period, instance=instance, run_config=run_config, raise_on_error=False
        )
        run_id = result.run_id
    if not result.success:
        print(f"Berjasa {period}: the run failed; nothing was published (run {run_id}).")
        for event in result.all_events:
            if event.event_type == DagsterEventType.STEP_FAILURE:
                data = event.step_failure_data
                reason = (
                    data.user_failure_data.description
                    if data.user_failure_data and data.user_failure_data.description
                    else (data.error.message.strip() if data.error else "unknown error")
                )
                print(f"  step {event.step_key}: {reason}")
        return 1
    summary = read_period_summary(settings.dbt_database, period)
    print(format_summary(summary))
    print(f"Published to {settings.warehouse} (Dagster run {run_id}).")
    return summary.exit_code()


def cmd_run(args: argparse.Namespace) -> int:
    if args.supersede and not args.reason:
        raise BerjasaError('--supersede needs --reason "…" (it is recorded in publication_log)')
    return run_period(_settings(args), args.period, args.reason if args.supersede else None)


def cmd_demo(args: argparse.Namespace) -> int:
    from berjasa.demo import generate_demo_data

    settings = _settings(args)
    summary = generate_demo_data(args.period, settings.landing, scale=args.scale, seed=args.seed)
    print(f"Demo data: {summary.total_rows:,} rows in {summary.landing_dir}")
    return run_period(settings, args.period)


def cmd_finalize(args: argparse.Namespace) -> int:
    from berjasa.warehouse import finalize_period

    settings = _settings(args)
    finalize_period(settings, args.period, warehouse=settings.warehouse)
    print(f"{args.period} is final: republishing it now needs --supersede --reason.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from berjasa.export import export_period

    settings = _settings(args)
    out = Path(args.out) if args.out else settings.exports_dir / args.period
    paths = export_period(settings, args.period, args.format, out, warehouse=settings.warehouse)
    for path in paths:
        print(path)
    return 0


def cmd_grant(args: argparse.Namespace) -> int:
    from berjasa.warehouse import grant_roles

    settings = _settings(args)
    grant_roles(settings, settings.warehouse)
    print("Roles berjasa_finance and berjasa_bi granted.")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from berjasa.dbt_manifest import ensure_manifest
    from orchestration.instance import prepare_dagster_home

    settings = _settings(args)
    prepare_dagster_home(settings)
    ensure_manifest()
    dagster = Path(sys.executable).parent / "dagster"
    os.chdir(REPO_ROOT)
    os.execv(
        str(dagster),
        [str(dagster), "dev", "-w", "workspace.yaml", "-h", args.host, "-p", str(args.port)],
    )
    return 0  # pragma: no cover


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="berjasa", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler, help_text: str, period: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(handler=handler)
        if period:
            p.add_argument("--period", required=True, help="YYYY-MM")
        return p

    p = add("demo-data", cmd_demo_data, "write a synthetic landing folder for a month")
    p.add_argument("--landing", help="landing folder (default $BERJASA_LANDING)")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)

    p = add("run", cmd_run, "run one month through the pipeline and publish it")
    p.add_argument("--landing")
    p.add_argument("--warehouse", help="DuckDB file or postgresql:// URL")
    p.add_argument("--supersede", action="store_true", help="republish a final month")
    p.add_argument("--reason", help="why a final month is superseded")

    p = add("demo", cmd_demo, "generate a demo month and run it (the README's demo)", False)
    p.add_argument("--period", default=DEMO_PERIOD)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--landing")
    p.add_argument("--warehouse")

    p = add("finalize", cmd_finalize, "mark a published month final (the bill was paid)")
    p.add_argument("--warehouse")

    p = add("export", cmd_export, "write the finance files of a published month")
    p.add_argument("--format", choices=("xlsx", "csv", "parquet"), default="xlsx")
    p.add_argument("--out")
    p.add_argument("--warehouse")

    p = add("grant", cmd_grant, "create the finance and BI roles in PostgreSQL", False)
    p.add_argument("--warehouse")

    p = add("ui", cmd_ui, "start the Dagster UI on this home's instance", False)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3000)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "period", None):
            parse_period(args.period)  # PeriodError: one readable line, exit 1
        return int(args.handler(args))
    except (BerjasaError, ValueError) as error:
        print(f"berjasa: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def console() -> NoReturn:
    """The `berjasa` executable: `main`, then the exit functions, then the end of the process
    without the interpreter's teardown. Freeing the modules and objects of Dagster, dbt, GE and
    pandas one by one took 1.2-1.4 s after every run, for nothing: by then every file and
    database is closed (the Dagster instance is disposed, DuckDB connections are closed by
    their context managers) and both streams are flushed here."""
    code = main()
    atexit._run_exitfuncs()  # noqa: SLF001 - what a normal exit runs first (logging, pools)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    console()
