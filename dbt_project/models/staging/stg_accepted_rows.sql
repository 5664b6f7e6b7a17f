-- Row-valid rows of the period's current lists (schema A).
with

source as (

    select * from {{ source('berjasa_input', 'accepted_rows') }}

),

final as (

    select
        period,
        cohort_code,
        source_file,
        file_ordinal,
        source_row,
        person_key,
        nik_masked,
        birth_date,
        sex,
        kecamatan_code,
        kelurahan_code,
        is_outside_city,
        wage_idr
    from source
    where period = {{ period_start() }}

)

select * from final
