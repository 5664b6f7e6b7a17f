-- Every cohort of cohorts.csv has a status row in every built period.
-- Shown in Dagster as a check of `publication_cohort_status`.
{{ config(meta={'dagster': {'ref': {'name': 'publication_cohort_status'}}}) }}

with

periods as (

    select distinct period from {{ ref('publication_cohort_status') }}

),

cohorts as (

    select distinct cohort_code from {{ ref('cohorts') }}

),

expected as (

    select
        periods.period,
        cohorts.cohort_code
    from periods
    cross join cohorts

)

select
    expected.period,
    expected.cohort_code
from expected
left join {{ ref('publication_cohort_status') }} as status
    on
        expected.period = status.period
        and expected.cohort_code = status.cohort_code
where status.cohort_code is null
