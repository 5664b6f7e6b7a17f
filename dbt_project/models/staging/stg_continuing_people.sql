-- People billed (any cohort) in any of the three calendar months before the period, per the
-- ledger of published periods or the opening list: they keep coverage past the maximum new age.
with

published_people as (

    select * from {{ source('berjasa_input', 'published_people') }}

),

opening_members as (

    select * from {{ source('berjasa_input', 'opening_members') }}

),

billed_in_ledger as (

    select person_key
    from published_people
    where period in ({{ period_start(-1) }}, {{ period_start(-2) }}, {{ period_start(-3) }})

),

billed_in_opening_list as (

    select person_key
    from opening_members
    where last_billed in ({{ period_start(-1) }}, {{ period_start(-2) }}, {{ period_start(-3) }})

),

final as (

    -- union all: a person in both sources is listed twice; the one reader (the age rule) only
    -- asks whether a person is here, and removing duplicates over 10M keys costs seconds
    select
        person_key,
        'ledger' as billed_in
    from billed_in_ledger
    union all
    select
        person_key,
        'opening_list' as billed_in
    from billed_in_opening_list

)

select * from final
