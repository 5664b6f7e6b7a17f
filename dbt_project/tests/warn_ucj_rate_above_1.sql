-- A UCJ rate above 1 is plausible for a kecamatan (employer-registered workers counted at the
-- employer's address): published with its flag, reported here as a warning, never capped.
{{ config(severity='warn') }}

select
    period,
    area_code,
    ucj_rate
from {{ ref('coverage_monthly') }}
where ucj_rate_above_1
