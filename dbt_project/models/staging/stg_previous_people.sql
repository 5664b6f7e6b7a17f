-- People published in the calendar month before the period, with their primary cohort.
with

source as (

    select * from {{ source('berjasa_input', 'published_people') }}

),

final as (

    select
        person_key,
        min(primary_cohort) as primary_cohort
    from source
    where period = {{ period_start(-1) }}
    group by person_key

)

select * from final
