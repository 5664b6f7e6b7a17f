-- Row-local rejects of the period (schema R), decided in Python before dbt.
with

source as (

    select * from {{ source('berjasa_input', 'local_rejects') }}

),

final as (

    select
        period,
        cohort_code,
        source_file,
        file_ordinal,
        source_row,
        reason_code,
        reason_detail,
        nik_masked
    from source
    where period = {{ period_start() }}

)

select * from final
