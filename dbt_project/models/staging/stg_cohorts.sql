-- Cohorts in force on the period's first day (one row per cohort: the latest valid_from wins).
-- (A join to the latest valid_from, not row_number(): DuckDB 1.5 fails to bind that plan.)
with

source as (

    select * from {{ ref('cohorts') }}

),

effective as (

    select *
    from source
    where {{ is_effective() }}

),

latest as (

    select
        cohort_code,
        max(valid_from) as valid_from
    from effective
    group by cohort_code

),

final as (

    select
        effective.cohort_code,
        effective.cohort_name,
        effective.scheme,
        effective.priority,
        effective.max_desil,
        effective.requires_dtsen,
        effective.min_age,
        effective.max_new_age
    from effective
    inner join latest
        on
            effective.cohort_code = latest.cohort_code
            and effective.valid_from = latest.valid_from

)

select * from final
