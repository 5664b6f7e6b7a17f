"""Schedules: the monthly bill on the 6th at 07:00 Asia/Makassar (BPJS is paid by the 15th),
and the daily evaluation of the by-the-10th freshness check."""

import datetime as dt
from zoneinfo import ZoneInfo

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from assets.partitions import TIMEZONE
from orchestration.jobs import freshness_job, monthly_job

MONTHLY_CRON = "0 7 6 * *"
FRESHNESS_CRON = "0 8 * * *"


def period_for_tick(scheduled: dt.datetime) -> str:
    """The month a tick bills: the month it falls in, in Makassar time."""
    local = scheduled.astimezone(ZoneInfo(TIMEZONE))
    return f"{local.year:04d}-{local.month:02d}"


@schedule(
    name="monthly_bill",
    job=monthly_job,
    cron_schedule=MONTHLY_CRON,
    execution_timezone=TIMEZONE,
    description="Bills the current month on the 6th at 07:00 (Asia/Makassar).",
)
def monthly_bill_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    period = period_for_tick(context.scheduled_execution_time)
    return RunRequest(run_key=f"schedule:{period}", partition_key=period)


@schedule(
    name="bill_freshness_daily",
    job=freshness_job,
    cron_schedule=FRESHNESS_CRON,
    execution_timezone=TIMEZONE,
    description="Daily: is the current month's bill published (due by the 10th)?",
)
def freshness_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    return RunRequest(run_key=None)
