-- Every row-valid row of the lists this period may use: the current lists (not those of an
-- unreadable cohort, none of whose rows count as read) and the last good lists. A view: it is
-- read once, by int_list_rows_checked, so writing 10M rows to disk would only cost time.
{{ config(materialized='view') }}
with

accepted_rows as (

    select * from {{ ref('stg_accepted_rows') }}

),

good_rows as (

    select * from {{ ref('stg_good_rows') }}

),

source_files as (

    select * from {{ ref('stg_source_files') }}

),

unreadable_cohorts as (

    select distinct cohort_code
    from source_files
    where file_status = 'error'

),

current_rows as (

    select
        'current' as list_kind,
        *
    from accepted_rows
    where cohort_code not in (select unreadable_cohorts.cohort_code from unreadable_cohorts)

),

previous_good_rows as (

    select
        'previous_good' as list_kind,
        *
    from good_rows

),

final as (

    select * from current_rows
    union all
    select * from previous_good_rows

)

select * from final
