-- UCJ denominator and target per area in force for the period (latest valid_from wins).
-- (A join to the latest valid_from, not row_number(): DuckDB 1.5 fails to bind that plan.)
with

source as (

    select * from {{ ref('ucj_targets') }}

),

effective as (

    select *
    from source
    where {{ is_effective() }}

),

latest as (

    select
        area_code,
        max(valid_from) as valid_from
    from effective
    group by area_code

),

final as (

    select
        effective.area_code,
        effective.potential_workers,
        effective.target_rate
    from effective
    inner join latest
        on
            effective.area_code = latest.area_code
            and effective.valid_from = latest.valid_from

)

select * from final
