{#- Code columns of the national-size tables as DuckDB ENUMs: billing_detail's cohort_code,
    program and rate_id (23.6M rows), int_list_rows_checked's list_kind, cohort_code and
    kecamatan_code (10M; kecamatan from the ref_wilayah seed).

    DuckDB writes a VARCHAR value by value (string heap, statistics): the three code columns of
    billing_detail were ~4 s of writing it, as ENUMs (one byte a row) ~1 s; and the models that
    join and group int_list_rows_checked's rows by cohort and list (int_people,
    cross_cohort_duplicates, int_cohort_status) ran in 2/3 of the time on ENUMs. The codes stay data:
    each type holds exactly the codes of its seed, made again by the seed's post-hook every time
    the seed is loaded (`create_code_type`), so a new cohort or rate needs no code change. A table
    written before keeps its own copy of the type (DuckDB stores an ENUM column's values with the
    column), so replacing the type never touches it.

    The contract of billing_detail names the same types for the duckdb target
    (billing_detail.yml): dbt checks the model against them, so a type renamed here and not there
    fails the build. Other adapters keep varchar: `code_type` is varchar and the hook is empty. -#}

{#- The column type of code `code` (cohort_code, program, rate_id, kecamatan_code). -#}
{% macro code_type(code) -%}
    {{ return(adapter.dispatch('code_type', 'berjasa')(code)) }}
{%- endmacro %}

{% macro default__code_type(code) -%}
    varchar
{%- endmacro %}

{#- In schema main, not beside the seeds: DuckDB 1.5 cannot replay a write-ahead log that creates
    a schema and then a type in it ("Schema with name berjasa_config does not exist"), which left
    dbt's database unreadable after a national build (duckdb/duckdb#20543 and siblings). main
    exists in every DuckDB file before anything is logged. -#}
{% macro duckdb__code_type(code) -%}
    main.{{ code }}_enum
{%- endmacro %}

{#- Seed post-hook: the type of code `code`, from column `code` of the seed just loaded. -#}
{% macro create_code_type(code) -%}
    {{ return(adapter.dispatch('create_code_type', 'berjasa')(code)) }}
{%- endmacro %}

{% macro default__create_code_type(code) -%}
{%- endmacro %}

{% macro duckdb__create_code_type(code) -%}
    create or replace type {{ code_type(code) }} as enum (
        select distinct {{ code }}
        from {{ this }}
        where {{ code }} is not null
        order by {{ code }}
    )
{%- endmacro %}

{#- The type of int_list_rows_checked's list_kind: which of the two lists a row is from (fixed
    by int_list_rows, not data). -#}
{% macro list_kind_type() -%}
    {{ return(adapter.dispatch('list_kind_type', 'berjasa')()) }}
{%- endmacro %}

{% macro default__list_kind_type() -%}
    varchar
{%- endmacro %}

{% macro duckdb__list_kind_type() -%}
    enum('current', 'previous_good')
{%- endmacro %}
