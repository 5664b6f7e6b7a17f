{#- num / den rounded half up, in integer arithmetic only (num >= 0, den > 0): the one place
    every premium is rounded. 0.24% of Rp3,000,625 = 720,150,000 / 10,000 = 7,201.5 -> 7,202.
    DuckDB's `/` on integers returns a double, so it uses `//`; PostgreSQL's `/` on bigints is
    integer division. -#}
{% macro round_half_up_div(num, den) -%}
    {{ return(adapter.dispatch('round_half_up_div', 'berjasa')(num, den)) }}
{%- endmacro %}

{% macro default__round_half_up_div(num, den) -%}
    ((2 * cast({{ num }} as bigint) + cast({{ den }} as bigint)) / (2 * cast({{ den }} as bigint)))
{%- endmacro %}

{% macro duckdb__round_half_up_div(num, den) -%}
    ((2 * cast({{ num }} as bigint) + cast({{ den }} as bigint)) // (2 * cast({{ den }} as bigint)))
{%- endmacro %}

{#- Ratio as decimal(12,6) (UCJ shares); null when the denominator is null or zero. -#}
{% macro safe_ratio(num, den) -%}
    cast(round(cast({{ num }} as numeric(18, 6)) / nullif(cast({{ den }} as numeric(18, 6)), 0), 6) as decimal(12, 6))
{%- endmacro %}
