{#- The period being built comes from `--vars '{period: YYYY-MM}'`. Dates are computed here in
    Jinja and emitted as literals, so the SQL is identical on DuckDB and PostgreSQL and never
    depends on the day the pipeline runs. -#}

{% macro period_text() -%}
    {%- set value = var('period', none) -%}
    {%- if value is none -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error("dbt var 'period' (YYYY-MM) is required, e.g. --vars '{period: 2026-01}'") }}
        {%- endif -%}
        {{ return('2000-01') }}
    {%- endif -%}
    {%- set value = value | string | trim -%}
    {%- if value | length != 7 or value[4] != '-' -%}
        {{ exceptions.raise_compiler_error("dbt var 'period' must be YYYY-MM, got " ~ value) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{% macro period_iso(offset_months=0) -%}
    {%- set text = period_text() -%}
    {%- set index = (text[0:4] | int) * 12 + (text[5:7] | int) - 1 + offset_months -%}
    {%- set year = (index // 12) -%}
    {%- set month = (index % 12) + 1 -%}
    {{ return('%04d-%02d-01' | format(year, month)) }}
{%- endmacro %}

{#- The first day of the period (offset 0) or of a month before/after it, as a date literal. -#}
{% macro period_start(offset_months=0) -%}
    cast('{{ period_iso(offset_months) }}' as date)
{%- endmacro %}

{#- Effective dating: a row applies to the period when it started on or before the period's
    first day and has not ended before it. -#}
{% macro is_effective(valid_from='valid_from', valid_to='valid_to') -%}
    ({{ valid_from }} <= {{ period_start() }} and ({{ valid_to }} is null or {{ valid_to }} >= {{ period_start() }}))
{%- endmacro %}

{#- Pre-hook of the period marts: a rebuilt period replaces exactly itself. -#}
{% macro delete_current_period() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where period = {{ period_start() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
