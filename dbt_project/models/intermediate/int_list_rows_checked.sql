-- The period rules applied to each list row, in the precedence of reason_codes:
-- age_out_of_range, not_in_dtsen / desil_too_high, then duplicate_in_list among the rows that
-- pass every other rule (first by file_ordinal, source_row wins). reason_code is null when the
-- row is accepted.
--
-- Built for national scale (10M rows): people are matched on `person_id` (macros/person_id.sql)
-- and confirmed on the full `person_key`; the DTSEN extract (12M people) and the continuity
-- list (10M) are first cut down to the people who can need them, the listed members of a
-- DTSEN cohort and the listed people old enough for the maximum-new-age rule; and only the
-- rows of an id with more than one row passing the other rules in one list of one cohort
-- (~1 % of rows) go through the duplicate_in_list window, which over all 10M wide rows cost
-- ~20 s of CPU.

{#- The row's list, cohort and id are a repeat candidate: the rows split on this into those
    that cannot be a repeat and those that go through the duplicate window. -#}
{% set in_repeat_candidates %}
    select 1
    from repeat_candidates
    where repeat_candidates.list_person = rules.list_person
{% endset %}

with

list_rows as (

    select
        *,
        {{ person_id('person_key') }} as person_id
    from {{ ref('int_list_rows') }}

),

cohorts as (

    select * from {{ ref('stg_cohorts') }}

),

dtsen_extract as (

    select * from {{ ref('stg_dtsen') }}

),

continuing_people as (

    select * from {{ ref('stg_continuing_people') }}

),

dtsen_available as (

    -- read from the model itself, not the `dtsen_extract` step: DuckDB materialises a step read
    -- twice, which here would buffer the 12M-row extract
    select count(*) > 0 as has_extract
    from {{ ref('stg_dtsen') }}

),

dtsen_cohort_people as (

    select {{ person_id('listed.person_key') }} as person_id
    from {{ ref('int_list_rows') }} as listed
    inner join cohorts
        on listed.cohort_code = cohorts.cohort_code
    where cohorts.requires_dtsen

),

older_people as (

    -- a superset of the rows at or above the maximum new age: born in or before that year
    select {{ person_id('listed.person_key') }} as person_id
    from {{ ref('int_list_rows') }} as listed
    inner join cohorts
        on listed.cohort_code = cohorts.cohort_code
    where
        cast(extract(year from listed.birth_date) as integer)
        <= {{ period_iso()[0:4] }} - cohorts.max_new_age

),

dtsen_listed_ids as (

    select distinct person_id
    from dtsen_cohort_people

),

dtsen as (

    -- validation writes one row per NIK and extract; the highest desil is still taken here, over
    -- these rows only, so a NIK written twice never duplicates a list row. An inner join with the
    -- distinct listed ids (not a semi-join): DuckDB then sizes this side right and builds the
    -- lookup's hash table on these 3.5M narrow rows, not on the 10M wide list rows.
    select
        {{ person_id('dtsen_extract.person_key') }} as person_id,
        dtsen_extract.person_key,
        max(dtsen_extract.desil) as desil
    from dtsen_extract
    inner join dtsen_listed_ids
        on {{ person_id('dtsen_extract.person_key') }} = dtsen_listed_ids.person_id
    group by {{ person_id('dtsen_extract.person_key') }}, dtsen_extract.person_key

),

continuing as (

    select distinct
        {{ person_id('person_key') }} as person_id,
        person_key
    from continuing_people
    where {{ person_id('person_key') }} in (select older_people.person_id from older_people)

),

with_age as (

    select
        list_rows.*,
        cohorts.min_age,
        cohorts.max_new_age,
        cohorts.max_desil,
        cohorts.requires_dtsen,
        {{ period_iso()[0:4] }}
        - cast(extract(year from list_rows.birth_date) as integer)
        - case
            when
                cast(extract(month from list_rows.birth_date) as integer) > {{ period_iso()[5:7] | int }}
                or (
                    cast(extract(month from list_rows.birth_date) as integer) = {{ period_iso()[5:7] | int }}
                    and cast(extract(day from list_rows.birth_date) as integer) > 1
                )
                then 1
            else 0
        end as age_years,
        continuing.person_id is not null as is_continuing,
        dtsen.person_id is not null as in_dtsen,
        dtsen.desil
    from list_rows
    inner join cohorts
        on list_rows.cohort_code = cohorts.cohort_code
    -- the full key as well as the id: people who share an id never match each other
    left join continuing
        on
            list_rows.person_id = continuing.person_id
            and list_rows.person_key = continuing.person_key
    left join dtsen
        on
            list_rows.person_id = dtsen.person_id
            and list_rows.person_key = dtsen.person_key

),

rules as (

    -- only the columns the later steps use: this step is read three times (candidate ids, single
    -- rows, candidate rows), so DuckDB materialises it once; kept narrow, that costs far less
    -- than the window over every row did
    select
        with_age.list_kind,
        with_age.cohort_code,
        with_age.source_file,
        with_age.file_ordinal,
        with_age.source_row,
        with_age.person_id,
        -- the window's partition as one 64-bit number (macros/person_id.sql): grouping and
        -- matching 10M rows on it costs half of doing so on two texts and the id
        {{ list_person_id('with_age.list_kind', 'with_age.cohort_code', 'with_age.person_id') }}
            as list_person,
        with_age.person_key,
        with_age.nik_masked,
        with_age.kecamatan_code,
        with_age.is_outside_city,
        with_age.wage_idr,
        case
            when with_age.age_years < with_age.min_age
                then 'age_out_of_range'
            when with_age.age_years >= with_age.max_new_age and not with_age.is_continuing
                then 'age_out_of_range'
            when with_age.requires_dtsen and dtsen_available.has_extract and not with_age.in_dtsen
                then 'not_in_dtsen'
            when with_age.requires_dtsen and dtsen_available.has_extract and with_age.desil > with_age.max_desil
                then 'desil_too_high'
        end as rule_reason,
        case
            when with_age.age_years < with_age.min_age
                then 'tanggal_lahir: younger than the minimum age on the period''s first day'
            when with_age.age_years >= with_age.max_new_age and not with_age.is_continuing
                then 'tanggal_lahir: new registration at or above the maximum age'
            when with_age.requires_dtsen and dtsen_available.has_extract and not with_age.in_dtsen
                then 'nik: not in the DTSEN extract used for the period'
            when with_age.requires_dtsen and dtsen_available.has_extract and with_age.desil > with_age.max_desil
                then 'nik: DTSEN desil above the cohort maximum'
        end as rule_detail
    from with_age
    cross join dtsen_available

),

repeat_candidates as (

    -- the ids with more than one row passing the other rules in one list of one cohort (the
    -- window's partition): only their rows can be a repeat. Per list and cohort, not per id:
    -- re-running a published month puts every person in both the current and the last good
    -- list, and grouping on the id alone sent all 20M rows through the window (5x the cost of
    -- a first run at national scale). A superset still (two people sharing an id, two
    -- partitions sharing a number): the window below decides on the columns and the full key.
    select list_person
    from rules
    where rule_reason is null
    group by list_person
    having count(*) > 1

),

single_rows as (

    -- the rows of an id with at most one row passing the other rules in their list and cohort:
    -- none can be a repeat
    select
        *,
        false as is_repeat
    from rules
    where not exists ({{ in_repeat_candidates }})

),

candidate_rows as (

    -- every row of a candidate id in that list and cohort (rejected ones too), through the same
    -- window that ran over all rows before: its partitions hold whole groups, so each row gets
    -- the same flag
    select
        *,
        -- a later row of the same person in the same list; ordering by the full key first keeps
        -- two people who share an id apart (each one's first row has another key before it)
        coalesce(
            rule_reason is null
            and lag(person_key) over (
                partition by list_kind, cohort_code, person_id, rule_reason
                order by person_key, file_ordinal, source_row
            ) = person_key,
            false
        ) as is_repeat
    from rules
    where exists ({{ in_repeat_candidates }})

),

ranked as (

    select * from single_rows
    union all
    select * from candidate_rows

),

final as (

    -- only what the readers use: writing 10M rows costs more than computing them, so the
    -- file name, masked NIK and detail (published for rejected rows only) are kept for those
    -- rows (an accepted row's file is its cohort and file_ordinal); list, cohort and kecamatan
    -- as ENUMs on DuckDB (macros/code_types.sql)
    select
        cast(list_kind as {{ list_kind_type() }}) as list_kind,
        cast(cohort_code as {{ code_type('cohort_code') }}) as cohort_code,
        case when rule_reason is not null or is_repeat then source_file end as source_file,
        file_ordinal,
        source_row,
        person_key,
        cast(kecamatan_code as {{ code_type('kecamatan_code') }}) as kecamatan_code,
        is_outside_city,
        wage_idr,
        case
            when rule_reason is not null then rule_reason
            when is_repeat then 'duplicate_in_list'
        end as reason_code,
        case
            when rule_reason is not null then rule_detail
            when is_repeat then 'nik: appears again in the same cohort list'
        end as reason_detail,
        case when rule_reason is not null or is_repeat then nik_masked end as nik_masked
    from ranked

)

select * from final
