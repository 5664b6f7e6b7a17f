-- One row per person billable this period with the primary cohort (lowest priority number
-- among the cohorts where the person has an accepted row) and that row's residence.
-- A person with one billable row needs no ranking: only the rows of an id with several rows (a
-- person in several cohorts, or people sharing an id: rare) go through the window.
with

billable_rows as (

    select
        *,
        {{ person_id('person_key') }} as person_id
    from {{ ref('int_billable_rows') }}

),

shared_ids as (

    -- ids with more than one billable row: a person in several cohorts, or people sharing an id
    select person_id
    from billable_rows
    group by person_id
    having count(*) > 1

),

single_rows as (

    -- the id's only billable row is its primary cohort
    select
        *,
        true as is_primary
    from billable_rows
    where not exists (
        select 1
        from shared_ids
        where shared_ids.person_id = billable_rows.person_id
    )

),

shared_id_rows as (

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
    where person_id in (select shared_ids.person_id from shared_ids)

),

ranked as (

    select * from single_rows
    union all
    select * from shared_id_rows

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
