-- Internal: one row per period x person billed, with the primary cohort (the ledger the
-- publisher writes to state/ledger).
with

people as (

    select * from {{ ref('int_people') }}

),

final as (

    select
        {{ period_start() }} as period,
        cast(person_key as bytea) as person_key,
        cast(primary_cohort as varchar) as primary_cohort
    from people

)

select * from final
