-- One row per period x person x non-primary cohort where the person also has an accepted row,
-- with the programs billed under that cohort ('' when none, the usual case).
with

billable_rows as (

    select * from {{ ref('int_billable_rows') }}

),

people as (

    select * from {{ ref('int_people') }}

),

billing_lines as (

    select * from {{ ref('billing_detail') }}
    where period = {{ period_start() }}

),

duplicates as (

    select
        billable_rows.person_key,
        people.primary_cohort,
        billable_rows.cohort_code as duplicate_cohort
    from billable_rows
    inner join people
        on {{ person_id('billable_rows.person_key') }} = {{ person_id('people.person_key') }}
    where
        billable_rows.person_key = people.person_key
        and billable_rows.cohort_code <> people.primary_cohort

),

programs as (

    -- only the duplicates' lines: aggregating every billing line would cost a full pass
    select
        billing_lines.person_key,
        billing_lines.cohort_code,
        string_agg(billing_lines.program, ',' order by billing_lines.program) as programs_billed
    from billing_lines
    inner join duplicates
        on
            billing_lines.person_key = duplicates.person_key
            and billing_lines.cohort_code = duplicates.duplicate_cohort
    group by billing_lines.person_key, billing_lines.cohort_code

),

final as (

    select
        {{ period_start() }} as period,
        cast(duplicates.person_key as bytea) as person_key,
        cast(duplicates.primary_cohort as varchar) as primary_cohort,
        cast(duplicates.duplicate_cohort as varchar) as duplicate_cohort,
        cast(coalesce(programs.programs_billed, '') as varchar) as programs_billed
    from duplicates
    left join programs
        on
            duplicates.person_key = programs.person_key
            and duplicates.duplicate_cohort = programs.cohort_code

)

select * from final
