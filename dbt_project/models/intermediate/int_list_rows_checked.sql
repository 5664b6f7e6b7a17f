-- The period rules applied to each list row, in the precedence of reason_codes:
-- age_out_of_range, not_in_dtsen / desil_too_high, then duplicate_in_list among the rows that
-- pass every other rule (first by file_ordinal, source_row wins). reason_code is null when the
-- row is accepted.
with

list_rows as (

    select * from {{ ref('int_list_rows') }}

),

cohorts as (

    select * from {{ ref('stg_cohorts') }}

),

dtsen as (

    select * from {{ ref('stg_dtsen') }}

),

continuing_people as (

    select * from {{ ref('stg_continuing_people') }}

),

dtsen_available as (

    select count(*) > 0 as has_extract
    from dtsen

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
        continuing_people.person_key is not null as is_continuing,
        dtsen.person_key is not null as in_dtsen,
        dtsen.desil
    from list_rows
    inner join cohorts
        on list_rows.cohort_code = cohorts.cohort_code
    left join continuing_people
        on list_rows.person_key = continuing_people.person_key
    left join dtsen
        on list_rows.person_key = dtsen.person_key

),

rules as (

    select
        with_age.*,
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

ranked as (

    select
        *,
        case
            when rule_reason is null
                then row_number() over (
                    partition by list_kind, cohort_code, person_key, rule_reason
                    order by file_ordinal, source_row
                )
        end as list_occurrence
    from rules

),

final as (

    select
        list_kind,
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
        wage_idr,
        case
            when rule_reason is not null then rule_reason
            when list_occurrence > 1 then 'duplicate_in_list'
        end as reason_code,
        case
            when rule_reason is not null then rule_detail
            when list_occurrence > 1 then 'nik: appears again in the same cohort list'
        end as reason_detail
    from ranked

)

select * from final
