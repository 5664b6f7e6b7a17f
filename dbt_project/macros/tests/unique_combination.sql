{#- Generic test: the combination of `columns` is unique (no package download needed).
    On a period table (a `period` column among `columns`) only the period being built is
    tested: earlier periods were tested when they were built and are not touched by this run,
    so the test's cost does not grow with history. -#}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    {% if 'period' in columns -%}
    where period = {{ period_start() }}
    {%- endif %}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
