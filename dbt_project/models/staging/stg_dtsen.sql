-- The DTSEN extract the period uses: its own, else the latest earlier one. Empty when no extract
-- exists on or before the period.
--
-- One row per NIK comes from validation (berjasa/validate.py `validate_dtsen` keeps the highest
-- desil of a NIK listed twice), so nothing is grouped here: grouping the 12M rows again cost
-- ~5 s at national scale. The one reader that joins on the key (int_list_rows_checked) still
-- takes the highest desil over the few rows it keeps, so a NIK written twice by another
-- writer can never duplicate a list row.
with

source as (

    select * from {{ source('berjasa_input', 'dtsen') }}

),

latest_extract as (

    -- read from the source itself, not the `source` step: DuckDB materialises a step read twice,
    -- which here would buffer all 12M rows of every extract
    select max(extract_period) as extract_period
    from {{ source('berjasa_input', 'dtsen') }}
    where extract_period <= {{ period_start() }}

),

final as (

    select
        source.extract_period,
        source.person_key,
        source.desil
    from source
    inner join latest_extract
        on source.extract_period = latest_extract.extract_period

)

select * from final
