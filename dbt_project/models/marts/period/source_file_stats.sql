-- One row per period x cohort file: rows read, accepted (incl. rows that lose to another cohort
-- in de-duplication) and rejected. Files of an unreadable cohort count nothing as read.
with

source_files as (

    select * from {{ ref('stg_source_files') }}

),

local_rejects as (

    select * from {{ ref('stg_local_rejects') }}

),

checked_rows as (

    select * from {{ ref('int_list_rows_checked') }}

),

unreadable_cohorts as (

    select distinct cohort_code
    from source_files
    where file_status = 'error'

),

current_counts as (

    -- by file_ordinal: int_list_rows_checked keeps the file name of rejected rows only
    select
        cohort_code,
        file_ordinal,
        sum(case when reason_code is null then 1 else 0 end) as rows_accepted,
        sum(case when reason_code is not null then 1 else 0 end) as rows_rejected
    from checked_rows
    where list_kind = 'current'
    group by cohort_code, file_ordinal

),

local_counts as (

    select
        cohort_code,
        source_file,
        count(*) as rows_rejected
    from local_rejects
    group by cohort_code, source_file

),

final as (

    select
        {{ period_start() }} as period,
        cast(source_files.cohort_code as varchar) as cohort_code,
        cast(source_files.source_file as varchar) as source_file,
        cast(source_files.file_sha256 as varchar) as file_sha256,
        cast(case when unreadable_cohorts.cohort_code is null then source_files.rows_read else 0 end as bigint)
            as rows_read,
        cast(
            case
                when unreadable_cohorts.cohort_code is null then coalesce(current_counts.rows_accepted, 0)
                else 0
            end as bigint
        ) as rows_accepted,
        cast(
            case
                when unreadable_cohorts.cohort_code is null
                    then coalesce(current_counts.rows_rejected, 0) + coalesce(local_counts.rows_rejected, 0)
                else 0
            end as bigint
        ) as rows_rejected,
        cast(source_files.file_status as varchar) as file_status
    from source_files
    left join unreadable_cohorts
        on source_files.cohort_code = unreadable_cohorts.cohort_code
    left join current_counts
        on
            source_files.cohort_code = current_counts.cohort_code
            and source_files.file_ordinal = current_counts.file_ordinal
    left join local_counts
        on
            source_files.cohort_code = local_counts.cohort_code
            and source_files.source_file = local_counts.source_file

)

select * from final
