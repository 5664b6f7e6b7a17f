-- One row per cohort x person billable this period: accepted rows of the list each cohort uses
-- (current when published, else its last good list). A view over int_list_rows_checked: a
-- filter and two joins with small tables cost less than writing and re-reading 10M rows.
{{ config(materialized='view') }}
with

checked_rows as (

    select * from {{ ref('int_list_rows_checked') }}

),

cohort_status as (

    select * from {{ ref('int_cohort_status') }}

),

cohorts as (

    select * from {{ ref('stg_cohorts') }}

),

final as (

    select
        checked_rows.cohort_code,
        cohorts.scheme,
        cohorts.priority,
        checked_rows.person_key,
        checked_rows.kecamatan_code,
        checked_rows.is_outside_city,
        checked_rows.wage_idr
    from checked_rows
    inner join cohort_status
        on
            checked_rows.cohort_code = cohort_status.cohort_code
            and checked_rows.list_kind = cohort_status.list_used
    inner join cohorts
        on checked_rows.cohort_code = cohorts.cohort_code
    where checked_rows.reason_code is null

)

select * from final
