-- Internal: one row per period x person billed, with the primary cohort (the ledger the
-- publisher writes to state/ledger). A view of the period being built, not a period table:
-- its one reader is the publisher, which keeps its history as state/ledger (the months' ledger
-- files are dbt's `published_people` source); a stored copy of int_people's 10M rows only cost
-- ~3.5 s of writing at national scale.
{{ config(materialized='view') }}
with

people as (

    select * from {{ ref('int_people') }}

),

final as (

    select
        {{ period_start() }} as period,
        cast(person_key as varchar) as person_key,
        cast(primary_cohort as varchar) as primary_cohort
    from people

)

select * from final
