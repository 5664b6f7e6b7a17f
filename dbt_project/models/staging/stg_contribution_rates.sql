-- The rate in force for each scheme x program on the period's first day (latest valid_from
-- wins), so a rate change in a later month never rewrites an earlier bill.
-- (A join to the latest valid_from, not row_number(): DuckDB 1.5 fails to bind that plan.)
with

source as (

    select * from {{ ref('contribution_rates') }}

),

effective as (

    select *
    from source
    where {{ is_effective() }}

),

latest as (

    select
        scheme,
        program,
        max(valid_from) as valid_from
    from effective
    group by scheme, program

),

final as (

    select
        effective.rate_id,
        effective.scheme,
        effective.program,
        effective.basis_type,
        effective.basis_idr,
        effective.rate_bp,
        effective.flat_idr
    from effective
    inner join latest
        on
            effective.scheme = latest.scheme
            and effective.program = latest.program
            and effective.valid_from = latest.valid_from

)

select * from final
