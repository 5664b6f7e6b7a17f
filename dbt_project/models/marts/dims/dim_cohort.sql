-- One row per cohort version of cohorts.csv (period-less dimension).
with

cohorts as (

    select * from {{ ref('cohorts') }}

),

final as (

    select
        cast(cohort_code as varchar) as cohort_code,
        cast(cohort_name as varchar) as cohort_name,
        cast(department as varchar) as department,
        cast(scheme as varchar) as scheme,
        cast(priority as integer) as priority,
        cast(max_desil as integer) as max_desil,
        cast(requires_dtsen as boolean) as requires_dtsen,
        cast(min_age as integer) as min_age,
        cast(max_new_age as integer) as max_new_age,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to
    from cohorts

)

select * from final
