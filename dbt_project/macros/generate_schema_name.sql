{#- Schemas are exactly the names configured (+schema), never prefixed with the target schema:
    seeds -> berjasa_config, staging -> staging, intermediate -> intermediate, marts -> berjasa. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
