-- One row per contribution rate version (rate_id), basis points as integers.
with

rates as (

    select * from {{ ref('contribution_rates') }}

),

final as (

    select
        cast(rate_id as varchar) as rate_id,
        cast(scheme as varchar) as scheme,
        cast(program as varchar) as program,
        cast(basis_type as varchar) as basis_type,
        cast(basis_idr as bigint) as basis_idr,
        cast(rate_bp as integer) as rate_bp,
        cast(flat_idr as bigint) as flat_idr,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(legal_basis as varchar) as legal_basis
    from rates

)

select * from final
