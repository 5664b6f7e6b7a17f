-- Per source file and per cohort: rows read = rows accepted + rows rejected.
-- Shown in Dagster as a check of `source_file_stats`.
{{ config(meta={'dagster': {'ref': {'name': 'source_file_stats'}}}) }}

select
    period,
    cohort_code,
    source_file
from {{ ref('source_file_stats') }}
where rows_read <> rows_accepted + rows_rejected

union all

select
    period,
    cohort_code,
    'all files' as source_file
from {{ ref('publication_cohort_status') }}
where rows_read <> rows_accepted + rows_rejected
