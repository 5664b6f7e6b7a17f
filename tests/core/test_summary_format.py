"""The printed run summary stays a readable table at national scale (10M-row cohorts)."""

from berjasa.summary import CohortOutcome, PeriodSummary, format_summary


def test_national_scale_counts_stay_in_their_own_columns() -> None:
    summary = PeriodSummary(
        period="2026-01",
        cohorts=[
            CohortOutcome(
                "penyelenggara_pemilu",
                "published",
                "",
                36_000_000,
                35_213_706,
                786_294,
                35_213_706,
                591_577_392_000,
            )
        ],
        rejects_by_reason={"duplicate_in_list": 46_197_000},
        premium_by_program={"JKK": 95_032_161_071},
    )
    lines = format_summary(summary).splitlines()
    row = next(line for line in lines if line.startswith("penyelenggara_pemilu"))
    assert row.split() == [
        "penyelenggara_pemilu",
        "published",
        "36,000,000",
        "786,294",
        "35,213,706",
        "Rp",
        "591.577.392.000",
    ]
    reason = next(line for line in lines if "duplicate_in_list" in line)
    assert reason.split() == ["duplicate_in_list", "46,197,000"]
