{#- A 64-bit join key for a person inside dbt, derived from `person_key` (the 64-hex HMAC).
    Joining, grouping and windowing 10M rows on 8-byte integers instead of 64-character strings
    roughly halves their cost at national scale. It never leaves dbt: published tables carry
    `person_key`. Two different keys sharing an id would merge two people, so `int_people`
    records min and max `person_key` per id and a blocking test fails the run if they differ
    (probability about n^2 / 2^65: 3e-6 for 10M people a month). -#}
{% macro person_id(person_key) -%}
    {{ return(adapter.dispatch('person_id', 'berjasa')(person_key)) }}
{%- endmacro %}

{% macro default__person_id(person_key) -%}
    hashtextextended({{ person_key }}, 0)
{%- endmacro %}

{% macro duckdb__person_id(person_key) -%}
    hash({{ person_key }})
{%- endmacro %}
