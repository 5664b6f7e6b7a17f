-- BPJS active participants of the period by Kemendagri area code.
with

source as (

    select * from {{ source('berjasa_input', 'bpjs_active') }}

),

final as (

    select
        area_code,
        sum(cast(active_participants as bigint)) as active_participants
    from source
    where period = {{ period_start() }}
    group by area_code

)

select * from final
