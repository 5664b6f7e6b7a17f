-- One row per person x program billed this period: each program once, under the
-- highest-priority cohort of the person whose programs this month include it, at the rate of
-- that cohort's scheme. Premium = round half up of (basis x bp + flat x 10000) / 10000.
-- A view: billing_detail is its one reader and stores it (25M rows at national scale).
-- A person with one billable row is billed every program of that cohort; only the rows of an id
-- with several rows (a person in several cohorts, or people sharing an id: rare) go through the
-- window that picks the cohort per program, which over all 24M lines cost ~30 s of CPU.
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

shared_ids as (

    -- ids with more than one billable row: a person in several cohorts, or people sharing an id
    select person_id
    from billable_rows
    group by person_id
    having count(*) > 1

),

single_row_lines as (

    -- the id's only billable row: every program of its cohort is billed here
    select
        billable_rows.person_key,
        billable_rows.cohort_code,
        billable_rows.scheme,
        billable_rows.wage_idr,
        cohort_programs.program,
        true as is_billed_here
    from billable_rows
    inner join cohort_programs
        on billable_rows.cohort_code = cohort_programs.cohort_code
    where not exists (
        select 1
        from shared_ids
        where shared_ids.person_id = billable_rows.person_id
    )

),

shared_id_lines as (

    -- the same columns and join as single_row_lines, written twice on purpose: one step read by
    -- both branches would be materialised whole by DuckDB (24M lines at national scale)
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
    where billable_rows.person_id in (select shared_ids.person_id from shared_ids)

),

candidates as (

    select * from single_row_lines
    union all
    select * from shared_id_lines

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
