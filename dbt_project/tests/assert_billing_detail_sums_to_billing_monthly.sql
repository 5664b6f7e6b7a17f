-- billing_monthly is exactly the sum of billing_detail per cohort x program, for the period
-- being built (earlier periods were checked when they were built).
-- Shown in Dagster as a check of `billing_monthly`.
{{ config(meta={'dagster': {'ref': {'name': 'billing_monthly'}}}) }}

with

detail as (

    select
        period,
        cohort_code,
        program,
        -- (period, person_key, program) is unique (billing_detail's own test), so rows = people
        count(*) as participants,
        sum(premium_idr) as premium_idr
    from {{ ref('billing_detail') }}
    where period = {{ period_start() }}
    group by period, cohort_code, program

),

monthly as (

    select * from {{ ref('billing_monthly') }}
    where period = {{ period_start() }}

)

select
    coalesce(detail.period, monthly.period) as period,
    coalesce(detail.cohort_code, monthly.cohort_code) as cohort_code,
    coalesce(detail.program, monthly.program) as program
from detail
full outer join monthly
    on
        detail.period = monthly.period
        and detail.cohort_code = monthly.cohort_code
        and detail.program = monthly.program
where
    detail.period is null
    or monthly.period is null
    or detail.participants <> monthly.participants
    or detail.premium_idr <> monthly.premium_idr
