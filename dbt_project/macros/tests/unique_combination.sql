{#- Generic test: the combination of `columns` is unique (no package download needed).
    On a period table (a `period` column among `columns`) only the period being built is
    tested: earlier periods were tested when they were built and are not touched by this run,
    so the test's cost does not grow with history. Fails with one row per repeated combination
    and its `occurrences`. -#}
{% test unique_combination(model, columns) %}
    {{ return(adapter.dispatch('unique_combination_query', 'berjasa')(model, columns)) }}
{% endtest %}

{% macro unique_combination_scope(columns) -%}
    {%- if 'period' in columns %}where period = {{ period_start() }}{% else %}where true{% endif -%}
{%- endmacro %}

{% macro default__unique_combination_query(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    {{ unique_combination_scope(columns) }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endmacro %}

{#- DuckDB: grouping 24M distinct combinations (billing_detail at national scale) builds a hash
    table of 24M entries, 6-7 s; sorting their 64-bit hashes and comparing neighbours takes
    half that. Equal combinations have equal hashes, so only combinations whose hash repeats
    can repeat: those few rows are then grouped on the columns themselves, and a shared hash
    of two different combinations is never reported. -#}
{% macro duckdb__unique_combination_query(model, columns) %}
    {%- set combination = columns | join(', ') %}
    select {{ combination }}, count(*) as occurrences
    from {{ model }}
    {{ unique_combination_scope(columns) }}
    and hash({{ combination }}) in (
        select combination_hash
        from (
            select
                combination_hash,
                lag(combination_hash) over (order by combination_hash) as previous_hash
            from (
                select hash({{ combination }}) as combination_hash
                from {{ model }}
                {{ unique_combination_scope(columns) }}
            ) as hashed
        ) as sorted_hashes
        where combination_hash = previous_hash
    )
    group by {{ combination }}
    having count(*) > 1
{% endmacro %}
