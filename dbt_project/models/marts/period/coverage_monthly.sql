-- UCJ coverage: one row per period x area: the 15 kecamatan, `luar` (city employees living
-- outside Makassar) and the city `73.71` (all program participants). Rates above 1 are kept
-- and flagged, never capped.
with

areas as (

    select * from {{ ref('dim_area') }}

),

people as (

    select * from {{ ref('int_people') }}

),

bpjs_active as (

    select * from {{ ref('stg_bpjs_active') }}

),

ucj_targets as (

    select * from {{ ref('stg_ucj_targets') }}

),

participants_by_area as (

    select
        case
            when is_outside_city or kecamatan_code is null then 'luar'
            else kecamatan_code
        end as area_code,
        count(*) as program_participants
    from people
    group by 1

    union all

    select
        '73.71' as area_code,
        count(*) as program_participants
    from people

),

joined as (

    select
        areas.area_code,
        areas.area_name,
        areas.area_order,
        coalesce(participants_by_area.program_participants, 0) as program_participants,
        bpjs_active.active_participants as bpjs_active_participants,
        ucj_targets.potential_workers,
        ucj_targets.target_rate
    from areas
    left join participants_by_area
        on areas.area_code = participants_by_area.area_code
    left join bpjs_active
        on areas.area_code = bpjs_active.area_code
    left join ucj_targets
        on areas.area_code = ucj_targets.area_code

),

final as (

    select
        {{ period_start() }} as period,
        cast(area_code as varchar) as area_code,
        cast(area_name as varchar) as area_name,
        cast(program_participants as bigint) as program_participants,
        cast(bpjs_active_participants as bigint) as bpjs_active_participants,
        cast(potential_workers as bigint) as potential_workers,
        {{ safe_ratio('program_participants', 'potential_workers') }} as program_share,
        {{ safe_ratio('bpjs_active_participants', 'potential_workers') }} as ucj_rate,
        cast(target_rate as decimal(12, 6)) as target_rate,
        coalesce(
            cast(bpjs_active_participants as numeric(18, 6)) > cast(potential_workers as numeric(18, 6)), false
        ) as ucj_rate_above_1
    from joined

)

select * from final
