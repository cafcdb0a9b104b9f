-- scope_filters(dimension, value): the sidebar's active filter values, one row each (dimension
-- region | level | cluster); empty when there is no filter. For the few queries whose rules depend on
-- the filter itself (work_priorities: which clusters to judge, how to budget filings).
create or replace temp table scope_filters as
select 'region' as dimension, unnest(cast($regions as varchar[])) as value
union all select 'level', unnest(cast($levels as varchar[]))
union all select 'cluster', unnest(cast($clusters as varchar[]))
