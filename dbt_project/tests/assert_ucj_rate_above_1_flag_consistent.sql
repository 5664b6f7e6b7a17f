-- The flag says exactly whether ucj_rate is above 1.
select
    period,
    area_code
from {{ ref('coverage_monthly') }}
where (ucj_rate > 1) <> ucj_rate_above_1
