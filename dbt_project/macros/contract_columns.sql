{#- The DDL dbt-duckdb runs for a table with an enforced contract (the marts), as dbt's own
    `table_columns_and_constraints`, except that the pseudonym key is stored with FSST only.
    `person_key` values are unique 64-hex strings: DuckDB's default first tries dictionary
    compression on them, which cannot pay off and was most of the cost of writing the national
    billing_detail (23.6M keys). The publisher stores the warehouse copy the same way
    (berjasa/warehouse/targets.py, `KEY_COLUMNS`). PostgreSQL keeps dbt's default DDL. -#}
{% macro duckdb__get_table_columns_and_constraints() -%}
    {%- set column_names = model['columns'].keys() | list -%}
    {%- set column_ddl = adapter.render_raw_columns_constraints(raw_columns=model['columns']) -%}
    {%- set model_ddl = adapter.render_raw_model_constraints(raw_constraints=model['constraints']) -%}
    (
    {% for ddl in column_ddl -%}
        {{ ddl }}{{ ' using compression fsst' if column_names[loop.index0] == 'person_key' }}{{ ',' if not loop.last or model_ddl }}
    {% endfor %}
    {% for ddl in model_ddl -%}
        {{ ddl }}{{ ',' if not loop.last }}
    {% endfor -%}
    )
{%- endmacro %}
