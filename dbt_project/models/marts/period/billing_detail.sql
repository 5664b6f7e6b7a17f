-- The bill line by line: one row per period x person x program. The codes are ENUMs on DuckDB
-- (macros/code_types.sql): a third of writing the 23.6M rows of a national month as text.
with

billing_lines as (

    select * from {{ ref('int_billing_lines') }}

),

final as (

    select
        {{ period_start() }} as period,
        cast(person_key as bytea) as person_key,
        cast(cohort_code as {{ code_type('cohort_code') }}) as cohort_code,
        cast(program as {{ code_type('program') }}) as program,
        cast(basis_idr as bigint) as basis_idr,
        cast(rate_id as {{ code_type('rate_id') }}) as rate_id,
        cast(premium_idr as bigint) as premium_idr
    from billing_lines

)

select * from final
