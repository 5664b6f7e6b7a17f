-- The DTSEN extract the period uses: its own, else the latest earlier one. A person listed twice
-- takes the highest (least poor) desil. Empty when no extract exists on or before the period.
with

source as (

    select * from {{ source('berjasa_input', 'dtsen') }}

),

latest_extract as (

    select max(extract_period) as extract_period
    from source
    where extract_period <= {{ period_start() }}

),

final as (

    select
        source.extract_period,
        source.person_key,
        max(source.desil) as desil
    from source
    inner join latest_extract
        on source.extract_period = latest_extract.extract_period
    group by source.extract_period, source.person_key

)

select * from final
