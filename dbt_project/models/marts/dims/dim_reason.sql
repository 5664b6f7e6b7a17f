-- One row per reason code with its precedence and labels (Indonesian and English).
with

reasons as (

    select * from {{ ref('reason_codes') }}

),

final as (

    select
        cast(reason_code as varchar) as reason_code,
        cast(precedence as integer) as precedence,
        cast(stage as varchar) as stage,
        cast(label_id as varchar) as label_id,
        cast(label_en as varchar) as label_en
    from reasons

)

select * from final
