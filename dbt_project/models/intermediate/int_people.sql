-- One row per person billable this period with the primary cohort (lowest priority number
-- among the cohorts where the person has an accepted row) and that row's residence.
with

billable_rows as (

    select * from {{ ref('int_billable_rows') }}

),

ranked as (

    select
        *,
        row_number() over (partition by person_key order by priority, cohort_code) as cohort_rank
    from billable_rows

),

final as (

    select
        person_key,
        cohort_code as primary_cohort,
        kecamatan_code,
        is_outside_city
    from ranked
    where cohort_rank = 1

)

select * from final
