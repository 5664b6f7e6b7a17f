-- Movement per primary cohort against the calendar month before only: one row per period x
-- cohort (zeros included). A cohort mover is exited from the old cohort and new in the new one.
with

cohorts as (

    select * from {{ ref('stg_cohorts') }}

),

people as (

    select * from {{ ref('int_people') }}

),

previous_people as (

    select * from {{ ref('stg_previous_people') }}

),

current_counts as (

    select
        people.primary_cohort as cohort_code,
        count(*) as active,
        sum(case when previous_people.primary_cohort = people.primary_cohort then 1 else 0 end) as continuing,
        sum(
            case
                when previous_people.primary_cohort is null or previous_people.primary_cohort <> people.primary_cohort
                    then 1
                else 0
            end
        ) as new
    from people
    left join previous_people
        on people.person_key = previous_people.person_key
    group by people.primary_cohort

),

exited_counts as (

    select
        previous_people.primary_cohort as cohort_code,
        count(*) as exited
    from previous_people
    left join people
        on previous_people.person_key = people.person_key
    where people.person_key is null or people.primary_cohort <> previous_people.primary_cohort
    group by previous_people.primary_cohort

),

final as (

    select
        {{ period_start() }} as period,
        cast(cohorts.cohort_code as varchar) as cohort_code,
        cast(coalesce(current_counts.new, 0) as bigint) as new,
        cast(coalesce(current_counts.continuing, 0) as bigint) as continuing,
        cast(coalesce(exited_counts.exited, 0) as bigint) as exited,
        cast(coalesce(current_counts.active, 0) as bigint) as active
    from cohorts
    left join current_counts
        on cohorts.cohort_code = current_counts.cohort_code
    left join exited_counts
        on cohorts.cohort_code = exited_counts.cohort_code

)

select * from final
