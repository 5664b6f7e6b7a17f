"""Small aggregate frames for the quality checks, computed inside DuckDB.

Why SQL here: at national scale `billing_detail` has ~25M rows and `accepted_rows` millions, so
detail rows never travel to pandas; each function returns one row per cohort or area. The dbt
database is opened read-only (dbt may be its only writer).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from berjasa import duck

AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("age_under_15", 0, 14),
    ("age_15_24", 15, 24),
    ("age_25_34", 25, 34),
    ("age_35_44", 35, 44),
    ("age_45_54", 45, 54),
    ("age_55_64", 55, 64),
    ("age_65_70", 65, 70),
    ("age_over_70", 71, None),
)


def connect(db_path: Path | str) -> duckdb.DuckDBPyConnection:
    """dbt's database, read-only, with the pipeline's memory limit (`berjasa.duck`): the age and
    desil aggregates group the month's accepted rows and join the DTSEN extract (10M and 12M
    rows at national scale), which DuckDB's default would let take 80 % of the machine."""
    return duck.connect(str(db_path), read_only=True)


def participants_by_cohort(
    con: duckdb.DuckDBPyConnection, period: dt.date, previous: dt.date
) -> pd.DataFrame:
    """Per cohort: JKM participants this month and the month before, and their ratio.

    JKM is billed once per person in every cohort's primary membership, so its participants
    count the cohort's people; a cohort without a JKM row falls back to its largest program.
    A cohort billed last month and absent now gets 0 (ratio 0); one absent last month gets a
    null ratio (nothing to compare with).
    """
    return con.execute(
        """
        with per_cohort as (
            select period, cohort_code,
                coalesce(max(participants) filter (where program = 'JKM'), max(participants))
                    as participants
            from berjasa.billing_monthly
            where period in ($current, $previous)
            group by period, cohort_code
        ),
        cur as (select cohort_code, participants from per_cohort where period = $current),
        prev as (select cohort_code, participants from per_cohort where period = $previous)
        select
            coalesce(cur.cohort_code, prev.cohort_code) as cohort_code,
            prev.participants::bigint as previous_participants,
            coalesce(cur.participants, 0)::bigint as participants,
            case when prev.participants > 0
                then round(coalesce(cur.participants, 0)::double / prev.participants, 6)
            end as ratio
        from cur
        full outer join prev on cur.cohort_code = prev.cohort_code
        order by cohort_code
        """,
        {"current": period, "previous": previous},
    ).df()


def has_period(con: duckdb.DuckDBPyConnection, table: str, period: dt.date) -> bool:
    """Whether `table` (a fixed, qualified name from this package) holds rows of `period`."""
    return bool(
        con.execute(f"select count(*) > 0 from {table} where period = ?", [period]).fetchone()[0]
    )


def coverage_rates(con: duckdb.DuckDBPyConnection, period: dt.date) -> pd.DataFrame:
    """One row per area of `coverage_monthly` (kecamatan, luar Makassar, city)."""
    return con.execute(
        """
        select area_code, area_name, program_participants::bigint as program_participants,
            bpjs_active_participants::bigint as bpjs_active_participants,
            potential_workers::bigint as potential_workers,
            program_share::double as program_share, ucj_rate::double as ucj_rate
        from berjasa.coverage_monthly
        where period = ?
        order by area_code
        """,
        [period],
    ).df()


def age_by_cohort(
    con: duckdb.DuckDBPyConnection, period: dt.date, min_age: int, max_age: int
) -> pd.DataFrame:
    """Per cohort: accepted rows, age-band counts, share aged min_age..max_age, median age.

    Age is exact completed years on the period's first day (the age rule's reference day).
    Counted per accepted row, not per person: the check asks whether a list's birth dates are
    plausible, which a person listed twice (~1 % of rows) does not change, and finding the
    people among 10M rows was most of this check's cost at national scale (3.1 s -> 0.4 s). The
    rows are first counted per cohort and age, so the median and bands are read from that
    histogram; the median is DuckDB's `median` (the mean of the two middle ages when the count
    is even), computed from cumulative counts.
    """
    bands = ",\n".join(
        f"sum(n) filter (where age >= {low}"
        + (f" and age <= {high}" if high is not None else "")
        + f")::bigint as {name}"
        for name, low, high in AGE_BANDS
    )
    return con.execute(
        f"""
        with aged as (
            select cohort_code,
                year($period) - year(birth_date)
                - case when month(birth_date) > month($period)
                        or (month(birth_date) = month($period) and day(birth_date) > day($period))
                    then 1 else 0 end as age
            from berjasa_input.accepted_rows
            where period = $period and birth_date is not null
        ),
        histogram as (
            select cohort_code, age, count(*) as n
            from aged
            group by cohort_code, age
        ),
        cumulative as (
            select cohort_code, age, n,
                sum(n) over (partition by cohort_code order by age) as up_to,
                sum(n) over (partition by cohort_code) as total
            from histogram
        )
        select cohort_code, sum(n)::bigint as rows,
            round(coalesce(sum(n) filter (where age between $min_age and $max_age), 0)::double
                / sum(n), 6) as share_in_age_range,
            -- the ages at the two middle positions (1-based): equal when the count is odd
            (min(age) filter (where up_to >= (total + 1) // 2)
                + min(age) filter (where up_to >= total // 2 + 1))::double / 2
                as median_age,
            min(age) as min_age, max(age) as max_age,
            {bands}
        from cumulative
        group by cohort_code
        order by cohort_code
        """,
        {"period": period, "min_age": min_age, "max_age": max_age},
    ).df()


def dtsen_extract_used(con: duckdb.DuckDBPyConnection, period: dt.date) -> dt.date | None:
    """The period's own DTSEN extract, else the latest earlier one (SPEC §2)."""
    return con.execute(
        "select max(extract_period) from berjasa_input.dtsen where extract_period <= ?", [period]
    ).fetchone()[0]


def desil_by_cohort(
    con: duckdb.DuckDBPyConnection,
    period: dt.date,
    extract_period: dt.date,
    max_desil: dict[str, int],
) -> pd.DataFrame:
    """Per DTSEN cohort: people, matched in the extract, desil histogram, share <= max desil.

    A person listed twice in the extract has its highest desil, as the eligibility rule does:
    validation (`berjasa.validate.validate_dtsen`) already keeps one row per NIK and extract.
    """
    limits = pd.DataFrame(
        {"cohort_code": list(max_desil), "max_desil_allowed": list(max_desil.values())}
    )
    con.register("quality_desil_limits", limits)
    try:
        histogram = ",\n".join(
            f"count(*) filter (where desil = {d}) as desil_{d}" for d in range(1, 11)
        )
        return con.execute(
            f"""
            with extract as (
                -- validation keeps one row per NIK and extract (its highest desil)
                select person_key, desil
                from berjasa_input.dtsen
                where extract_period = $extract
            ),
            people as (
                select distinct a.cohort_code, a.person_key, l.max_desil_allowed
                from berjasa_input.accepted_rows a
                join quality_desil_limits l on l.cohort_code = a.cohort_code
                where a.period = $period
            ),
            joined as (
                select p.cohort_code, p.max_desil_allowed, e.desil
                from people p left join extract e on e.person_key = p.person_key
            )
            select cohort_code, any_value(max_desil_allowed)::integer as max_desil_allowed,
                count(*) as people, count(desil) as matched,
                count(*) - count(desil) as unmatched,
                min(desil)::integer as min_desil, max(desil)::integer as max_desil,
                round(count(*) filter (where desil <= max_desil_allowed)::double
                    / nullif(count(desil), 0), 6) as share_within_max_desil,
                {histogram},
                count(*) filter (where desil < 1 or desil > 10) as desil_out_of_range
            from joined
            group by cohort_code
            order by cohort_code
            """,
            {"period": period, "extract": extract_period},
        ).df()
    finally:
        con.unregister("quality_desil_limits")
