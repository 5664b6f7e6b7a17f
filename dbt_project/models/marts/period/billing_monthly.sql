-- The APBD bill: one row per period x cohort x program billed.
with

billing_lines as (

    select * from {{ ref('billing_detail') }}
    where period = {{ period_start() }}

),

final as (

    select
        {{ period_start() }} as period,
        cast(cohort_code as varchar) as cohort_code,
        cast(program as varchar) as program,
        -- one line per person and program (billing_detail's unique test): lines = people
        cast(count(*) as bigint) as participants,
        cast(sum(premium_idr) as bigint) as premium_idr
    from billing_lines
    group by cohort_code, program

)

select * from final
