-- One row per person billable this period with the primary cohort (lowest priority number
-- among the cohorts where the person has an accepted row) and that row's residence.
with

billable_rows as (

    select
        *,
        {{ person_id('person_key') }} as person_id
    from {{ ref('int_billable_rows') }}

),

ranked as (

    select
        *,
        -- partitioned on the 64-bit id, ordered by the full key first: the first row of each
        -- key is its primary cohort, so two people sharing an id stay two people
        coalesce(
            lag(person_key) over (partition by person_id order by person_key, priority, cohort_code)
            <> person_key,
            true
        ) as is_primary
    from billable_rows

),

final as (

    select
        person_id,
        person_key,
        cohort_code as primary_cohort,
        kecamatan_code,
        is_outside_city
    from ranked
    where is_primary

)

select * from final
