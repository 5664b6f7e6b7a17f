-- One row per reporting area: the 15 kecamatan (Kemendagri codes), `luar` (outside Makassar)
-- and the city `73.71`.
with

wilayah as (

    select * from {{ ref('ref_wilayah') }}

),

kecamatan as (

    select distinct
        kecamatan_code as area_code,
        kecamatan as area_name,
        'kecamatan' as area_level,
        kecamatan_code_bps as area_code_bps
    from wilayah

),

special_areas as (

    select
        'luar' as area_code,
        'luar Makassar' as area_name,
        'outside' as area_level,
        cast(null as varchar) as area_code_bps

    union all

    select
        '73.71' as area_code,
        'Kota Makassar' as area_name,
        'city' as area_level,
        '7371' as area_code_bps

),

unioned as (

    select * from kecamatan
    union all
    select * from special_areas

),

final as (

    select
        cast(area_code as varchar) as area_code,
        cast(area_name as varchar) as area_name,
        cast(area_level as varchar) as area_level,
        cast(area_code_bps as varchar) as area_code_bps,
        cast(
            case area_level when 'kecamatan' then 1 when 'outside' then 2 else 3 end as integer
        ) as area_order
    from unioned

)

select * from final
