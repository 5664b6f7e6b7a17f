-- Status of each cohort for the period, in this order: no_file, unreadable, no_dtsen,
-- held_back (rejected / read over the whole current list above reject_threshold), published.
-- A cohort that is not published uses its last good list for the period (list_used).
with

cohorts as (

    select * from {{ ref('stg_cohorts') }}

),

source_files as (

    select * from {{ ref('stg_source_files') }}

),

local_rejects as (

    select * from {{ ref('stg_local_rejects') }}

),

checked_rows as (

    select * from {{ ref('int_list_rows_checked') }}

),

dtsen as (

    select * from {{ ref('stg_dtsen') }}

),

file_summary as (

    select
        cohort_code,
        count(*) as file_count,
        sum(case when file_status = 'error' then 1 else 0 end) as error_files,
        sum(rows_read) as rows_read
    from source_files
    group by cohort_code

),

current_summary as (

    select
        cohort_code,
        sum(case when reason_code is null then 1 else 0 end) as rows_accepted,
        sum(case when reason_code is not null then 1 else 0 end) as period_rejects
    from checked_rows
    where list_kind = 'current'
    group by cohort_code

),

local_summary as (

    select
        cohort_code,
        count(*) as local_rejects
    from local_rejects
    group by cohort_code

),

good_summary as (

    select
        cohort_code,
        count(*) as good_rows
    from checked_rows
    where list_kind = 'previous_good'
    group by cohort_code

),

dtsen_available as (

    select count(*) > 0 as has_extract
    from dtsen

),

counted as (

    select
        cohorts.cohort_code,
        cohorts.requires_dtsen,
        coalesce(file_summary.file_count, 0) as file_count,
        coalesce(file_summary.error_files, 0) as error_files,
        case
            when coalesce(file_summary.error_files, 0) > 0 then 0
            else coalesce(file_summary.rows_read, 0)
        end as rows_read,
        case
            when coalesce(file_summary.error_files, 0) > 0 then 0
            else coalesce(current_summary.rows_accepted, 0)
        end as rows_accepted,
        case
            when coalesce(file_summary.error_files, 0) > 0 then 0
            else coalesce(current_summary.period_rejects, 0) + coalesce(local_summary.local_rejects, 0)
        end as rows_rejected,
        coalesce(good_summary.good_rows, 0) as good_rows,
        dtsen_available.has_extract
    from cohorts
    cross join dtsen_available
    left join file_summary
        on cohorts.cohort_code = file_summary.cohort_code
    left join current_summary
        on cohorts.cohort_code = current_summary.cohort_code
    left join local_summary
        on cohorts.cohort_code = local_summary.cohort_code
    left join good_summary
        on cohorts.cohort_code = good_summary.cohort_code

),

statuses as (

    select
        *,
        case
            when file_count = 0 then 'no_file'
            when error_files > 0 then 'unreadable'
            when requires_dtsen and not has_extract then 'no_dtsen'
            when
                rows_read > 0
                and cast(rows_rejected as numeric(18, 6))
                > cast({{ var('reject_threshold') }} as numeric(18, 6)) * rows_read
                then 'held_back'
            else 'published'
        end as status
    from counted

),

final as (

    select
        cohort_code,
        status,
        case status
            when 'no_file' then 'no file for this cohort in the period'
            when 'unreadable' then cast(error_files as varchar) || ' file(s) with a file-level error'
            when 'no_dtsen' then 'no DTSEN extract on or before the period'
            when 'held_back'
                then
                    'rejected ' || cast(rows_rejected as varchar) || ' of '
                    || cast(rows_read as varchar) || ' rows read, above the threshold '
                    || cast({{ var('reject_threshold') }} as varchar)
            else 'published'
        end as detail,
        rows_read,
        rows_accepted,
        rows_rejected,
        case
            when status = 'published' then 'current'
            when good_rows > 0 then 'previous_good'
            else 'none'
        end as list_used
    from statuses

)

select * from final
