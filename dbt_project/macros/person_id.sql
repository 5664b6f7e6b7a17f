{#- A 64-bit join key for a person inside dbt, derived from `person_key` (the 32-byte HMAC).
    Joining, grouping and windowing 10M rows on 8-byte integers instead of 32-byte keys
    roughly halves their cost at national scale. It never leaves dbt: published tables carry
    `person_key`. Two different keys may share an id (probability about n^2 / 2^65: 3e-6 for 10M
    people a month), so an id only narrows the search and the full key decides: lookups join on
    both, windows order by `person_key` first, and a group on the id alone only picks the rows
    that go through such a window. Unit tests override this macro to a constant
    (`macros: {person_id: "1"}`) to prove that two people sharing an id stay two people. -#}
{% macro person_id(person_key) -%}
    {{ return(adapter.dispatch('person_id', 'berjasa')(person_key)) }}
{%- endmacro %}

{% macro default__person_id(person_key) -%}
    hashtextextended(encode({{ person_key }}, 'hex'), 0)
{%- endmacro %}

{% macro duckdb__person_id(person_key) -%}
    hash({{ person_key }})
{%- endmacro %}

{#- One 64-bit number for a (list, cohort, person_id) partition, to group and match rows on a
    number instead of two texts and an id. Like person_id it only narrows: two partitions that
    share a number are told apart by the columns themselves wherever it matters. -#}
{% macro list_person_id(list_kind, cohort_code, person_id) -%}
    {{ return(adapter.dispatch('list_person_id', 'berjasa')(list_kind, cohort_code, person_id)) }}
{%- endmacro %}

{% macro default__list_person_id(list_kind, cohort_code, person_id) -%}
    hashtextextended({{ list_kind }} || '|' || {{ cohort_code }} || '|' || cast({{ person_id }} as text), 0)
{%- endmacro %}

{% macro duckdb__list_person_id(list_kind, cohort_code, person_id) -%}
    hash({{ list_kind }}, {{ cohort_code }}, {{ person_id }})
{%- endmacro %}
