"""A period's outcome in numbers, read from dbt's marts: cohort statuses, the bill per cohort,
rejects by reason. Shared by the run metadata in Dagster and the summary `berjasa run` prints."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from berjasa import duck
from berjasa.periods import parse_period


@dataclass(frozen=True)
class CohortOutcome:
    cohort_code: str
    status: str
    detail: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    participants: int
    premium_idr: int


@dataclass(frozen=True)
class PeriodSummary:
    period: str
    cohorts: list[CohortOutcome]
    rejects_by_reason: dict[str, int]
    premium_by_program: dict[str, int] = field(default_factory=dict)

    @property
    def total_premium_idr(self) -> int:
        return sum(c.premium_idr for c in self.cohorts)

    @property
    def rows_read(self) -> int:
        return sum(c.rows_read for c in self.cohorts)

    @property
    def rows_accepted(self) -> int:
        return sum(c.rows_accepted for c in self.cohorts)

    @property
    def rows_rejected(self) -> int:
        return sum(c.rows_rejected for c in self.cohorts)

    def exit_code(self) -> int:
        """SPEC §3: 0 when every cohort with a file was published, 2 when one was not."""
        sent = [c for c in self.cohorts if c.status != "no_file"]
        if not sent:
            return 1
        return 0 if all(c.status == "published" for c in sent) else 2


def read_period_summary(database: Path, period: str) -> PeriodSummary:
    day: dt.date = parse_period(period)
    con = duck.connect(str(database), read_only=True)
    try:
        billed = {
            cohort: (int(participants), int(premium))
            for cohort, participants, premium in con.execute(
                "select cohort_code, max(participants), sum(premium_idr) "
                "from berjasa.billing_monthly where period = ? group by 1",
                [day],
            ).fetchall()
        }
        cohorts = [
            CohortOutcome(
                cohort_code=cohort,
                status=status,
                detail=detail or "",
                rows_read=int(read or 0),
                rows_accepted=int(accepted or 0),
                rows_rejected=int(rejected or 0),
                participants=billed.get(cohort, (0, 0))[0],
                premium_idr=billed.get(cohort, (0, 0))[1],
            )
            for cohort, status, detail, read, accepted, rejected in con.execute(
                "select s.cohort_code, s.status, s.detail, s.rows_read, s.rows_accepted, "
                "s.rows_rejected from berjasa.publication_cohort_status s "
                "join berjasa.dim_cohort c using (cohort_code) "
                "where s.period = ? order by c.priority",
                [day],
            ).fetchall()
        ]
        rejects = dict(
            con.execute(
                "select reason_code, count(*) from berjasa.rejected_records where period = ? "
                "group by 1 order by 1",
                [day],
            ).fetchall()
        )
        by_program = dict(
            con.execute(
                "select program, sum(premium_idr) from berjasa.billing_monthly "
                "where period = ? group by 1 order by 1",
                [day],
            ).fetchall()
        )
    finally:
        con.close()
    return PeriodSummary(
        period=period,
        cohorts=cohorts,
        rejects_by_reason={k: int(v) for k, v in rejects.items()},
        premium_by_program={k: int(v) for k, v in by_program.items()},
    )


def format_summary(summary: PeriodSummary) -> str:
    def rp(n: int) -> str:
        return "Rp " + f"{n:,}".replace(",", ".")

    lines = [
        f"Berjasa {summary.period}: read {summary.rows_read:,}, accepted "
        f"{summary.rows_accepted:,}, rejected {summary.rows_rejected:,}",
        "",
        f"{'cohort':<22}{'status':<11}{'read':>12}{'rejected':>11}{'billed':>12}  premium",
    ]
    for c in summary.cohorts:
        lines.append(
            f"{c.cohort_code:<22}{c.status:<11}{c.rows_read:>12,}{c.rows_rejected:>11,}"
            f"{c.participants:>12,}  {rp(c.premium_idr)}"
            + (f"  ({c.detail})" if c.detail and c.status != "published" else "")
        )
    lines += ["", "Rejects by reason:"]
    lines += [f"  {k:<24}{v:>11,}" for k, v in summary.rejects_by_reason.items()] or ["  none"]
    lines += ["", "Bill by program:"]
    lines += [f"  {k:<6}{rp(v):>22}" for k, v in summary.premium_by_program.items()]
    lines.append(f"Total APBD bill: {rp(summary.total_premium_idr)}")
    return "\n".join(lines)
