-- One row per person x program billed this period: each program once, under the
-- highest-priority cohort of the person whose programs this month include it, at the rate of
-- that cohort's scheme. Premium = round half up of (basis x bp + flat x 10000) / 10000.
-- A view: billing_detail is its one reader and stores it (25M rows at national scale).
{{ config(materialized='view') }}
with

billable_rows as (

    select
        *,
        {{ person_id('person_key') }} as person_id
    from {{ ref('int_billable_rows') }}

),

cohort_programs as (

    select * from {{ ref('stg_cohort_programs') }}

),

rates as (

    select * from {{ ref('stg_contribution_rates') }}

),

candidates as (

    select
        billable_rows.person_key,
        billable_rows.cohort_code,
        billable_rows.scheme,
        billable_rows.wage_idr,
        cohort_programs.program,
        -- partitioned on the 64-bit id, ordered by the full key first: the first row of each key
        -- and program is the cohort it is billed under (two people sharing an id stay apart)
        coalesce(
            lag(billable_rows.person_key) over (
                partition by billable_rows.person_id, cohort_programs.program
                order by billable_rows.person_key, billable_rows.priority, billable_rows.cohort_code
            ) <> billable_rows.person_key,
            true
        ) as is_billed_here
    from billable_rows
    inner join cohort_programs
        on billable_rows.cohort_code = cohort_programs.cohort_code

),

priced as (

    select
        candidates.person_key,
        candidates.cohort_code,
        candidates.program,
        rates.rate_id,
        case rates.basis_type
            when 'wage' then cast(candidates.wage_idr as bigint)
            when 'fixed_income_basis' then cast(rates.basis_idr as bigint)
        end as basis_idr,
        cast(rates.rate_bp as bigint) as rate_bp,
        cast(rates.flat_idr as bigint) as flat_idr
    from candidates
    inner join rates
        on
            candidates.scheme = rates.scheme
            and candidates.program = rates.program
    where candidates.is_billed_here

),

final as (

    select
        person_key,
        cohort_code,
        program,
        basis_idr,
        rate_id,
        {{ round_half_up_div('coalesce(basis_idr, 0) * rate_bp + coalesce(flat_idr, 0) * 10000', 10000) }}
            as premium_idr
    from priced

)

select * from final
