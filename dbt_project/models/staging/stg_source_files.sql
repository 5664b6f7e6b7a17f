-- One row per cohort file of the period (schema F).
with

source as (

    select * from {{ source('berjasa_input', 'source_files') }}

),

final as (

    select
        period,
        cohort_code,
        source_file,
        file_sha256,
        file_ordinal,
        file_status,
        error_detail,
        cast(rows_read as bigint) as rows_read
    from source
    where period = {{ period_start() }}

)

select * from final
