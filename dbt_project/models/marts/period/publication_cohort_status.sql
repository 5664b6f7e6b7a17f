-- One row per period x cohort of cohorts.csv: its status and row counts.
with

cohort_status as (

    select * from {{ ref('int_cohort_status') }}

),

final as (

    select
        {{ period_start() }} as period,
        cast(cohort_code as varchar) as cohort_code,
        cast(status as varchar) as status,
        cast(detail as varchar) as detail,
        cast(rows_read as bigint) as rows_read,
        cast(rows_accepted as bigint) as rows_accepted,
        cast(rows_rejected as bigint) as rows_rejected,
        cast(list_used as varchar) as list_used
    from cohort_status

)

select * from final
