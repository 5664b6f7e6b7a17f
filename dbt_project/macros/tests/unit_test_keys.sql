{#- dbt's unit-test comparison (global project, `default__get_unit_test_sql`), with one change:
    `person_key` is compared as text. dbt holds keys as bytes (BLOB / bytea), which dbt's Python
    diff receives as memoryview objects that never compare equal; the fixtures' keys (`k1`,
    `p01`...) are ASCII, so their text is what the YAML says and a failure shows it readably (an
    empty expectation types its columns as text, hence the cast). -#}
{% macro default__get_unit_test_sql(main_sql, expected_fixture_sql, expected_column_names) -%}
{%- set columns -%}
    {%- for name in expected_column_names -%}
        {{ key_as_text(name) if name.strip('"') == 'person_key' else name }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endset -%}
-- Build actual result given inputs
with dbt_internal_unit_test_actual as (
  select {{ columns }}, {{ dbt.string_literal("actual") }} as {{ adapter.quote("actual_or_expected") }}
  from (
    {{ main_sql }}
  ) _dbt_internal_unit_test_actual
),
-- Build expected result
dbt_internal_unit_test_expected as (
  select {{ columns }}, {{ dbt.string_literal("expected") }} as {{ adapter.quote("actual_or_expected") }}
  from (
    {{ expected_fixture_sql }}
  ) _dbt_internal_unit_test_expected
)
-- Union actual and expected results
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
{%- endmacro %}

{% macro key_as_text(column) -%}
    {{ return(adapter.dispatch('key_as_text', 'berjasa')(column)) }}
{%- endmacro %}

{% macro default__key_as_text(column) -%}
    convert_from(cast({{ column }} as bytea), 'UTF8') as {{ column }}
{%- endmacro %}

{% macro duckdb__key_as_text(column) -%}
    decode(cast({{ column }} as blob)) as {{ column }}
{%- endmacro %}
