-- The bill line by line: one row per period x person x program.
with

billing_lines as (

    select * from {{ ref('int_billing_lines') }}

),

final as (

    select
        {{ period_start() }} as period,
        cast(person_key as bytea) as person_key,
        cast(cohort_code as varchar) as cohort_code,
        cast(program as varchar) as program,
        cast(basis_idr as bigint) as basis_idr,
        cast(rate_id as varchar) as rate_id,
        cast(premium_idr as bigint) as premium_idr
    from billing_lines

)

select * from final
