-- Programs each cohort has in the period (effective-dated).
with

source as (

    select * from {{ ref('cohort_programs') }}

),

final as (

    select distinct
        cohort_code,
        program
    from source
    where {{ is_effective() }}

)

select * from final
