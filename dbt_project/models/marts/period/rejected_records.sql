-- Every rejected row of the period: row-local rejects plus the period rejects of the current
-- lists of all cohorts (held-back ones included, so the department can fix its file). Rows of
-- an unreadable cohort are not read, hence not listed.
with

local_rejects as (

    select * from {{ ref('stg_local_rejects') }}

),

checked_rows as (

    select * from {{ ref('int_list_rows_checked') }}

),

source_files as (

    select * from {{ ref('stg_source_files') }}

),

unreadable_cohorts as (

    select distinct cohort_code
    from source_files
    where file_status = 'error'

),

row_local as (

    select
        cohort_code,
        source_file,
        source_row,
        reason_code,
        reason_detail,
        nik_masked
    from local_rejects
    where cohort_code not in (select unreadable_cohorts.cohort_code from unreadable_cohorts)

),

period_rules as (

    select
        cohort_code,
        source_file,
        source_row,
        reason_code,
        reason_detail,
        nik_masked
    from checked_rows
    where list_kind = 'current' and reason_code is not null

),

unioned as (

    select * from row_local
    union all
    select * from period_rules

),

final as (

    select
        {{ period_start() }} as period,
        cast(cohort_code as varchar) as cohort_code,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row,
        cast(reason_code as varchar) as reason_code,
        cast(reason_detail as varchar) as reason_detail,
        cast(nik_masked as varchar) as nik_masked
    from unioned

)

select * from final
