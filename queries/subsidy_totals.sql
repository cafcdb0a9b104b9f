-- subsidy_totals：补贴合计
--
-- What:
--   Subsidies paid, summed by one grouping chosen with $group_by: by 年度, by 补贴类型, by
--   产业集群 (the taxonomy of the profile or --param taxonomy=ID) or by the alliance's 所属区域,
--   for the 年度 in the year range $year_from–$year_to (the dashboard's 年份范围).
--   The first column is named after the grouping (year, kind, cluster or region).
--
-- Parameters:
--   $as_of        date                          统计截止日期：只计补贴所属年度 ≤ as_of 所在年的
--   $year_from    integer = 0               年份范围起：只计补贴所属年度 ≥ 此年；0 = 不限
--   $year_to      integer = as_of.year      年份范围止：只计补贴所属年度 ≤ 此年（且 ≤ as_of 所在年）
--   $group_by     year|kind|cluster|region = year   分组依据
--
-- Columns:
--   year          年度            （group_by = year）补贴所属年度，升序
--   kind          补贴类型        （group_by = kind）备案补贴、国家试点补贴、评估补贴、项目经费、其他，按此顺序
--   cluster       产业集群        （group_by = cluster）受补贴联盟所归的集群，按分类体系顺序，未归类在最后
--   region        所属区域        （group_by = region）受补贴联盟的所属区域，对齐到政策配置的区域清单，
--                                 清单外的按原文，空白为“未填”；清单顺序在前
--   amount_wan    金额（万元）    补贴合计，不含已收回
--   count         笔数            补贴笔数，不含已收回
--
-- Caveats:
--   - Only groups that received money are listed (no zero rows; see coverage_by_cluster and
--     region_distribution for every cluster and region).
--   - Rows with status 已收回 are excluded; a blank status counts as 已拨付 (the loader fills it).
--   - Subsidies are counted by their 年度 column, not by 拨付日期. Money is exact DECIMAL 万元.
--   - Region matching is region_distribution's (the runner's context table alliance_region):
--     equal to a listed region, else containing one (天津市南开区 → 南开区), else the listed
--     region is the text plus 市/区/县/地区 (南开 → 南开区); the first match in list order wins.
--   - Subsidies of the alliances in scope_alliances only (the dashboard's filters).

with

paid as (
    select sc.alliance_key, s.year, s.kind, s.amount_yuan
    from subsidies_counted($as_of, year_from := $year_from, year_to := $year_to) as s
    inner join scope_alliances as sc on sc.alliance_id = s.alliance_id
),

labelled as (
    select
        p.year,
        p.kind,
        coalesce(c.cluster, status_word('unclassified')) as cluster,
        coalesce(r.region, status_word('unfilled')) as region,
        case $group_by
            when 'year' then p.year
            when 'kind' then subsidy_kind_position(p.kind)
            when 'cluster' then coalesce(e.position, 2147483647)
            when 'region' then case
                when r.position is not null then r.position
                when r.raw_region is not null then 1000000
                else 2147483647
            end
        end as sort_key,
        p.amount_yuan
    from paid as p
    left join alliance_cluster as c on c.alliance_key = p.alliance_key
    left join taxonomy_entries as e on e.entry = c.cluster
    left join alliance_region as r on r.alliance_key = p.alliance_key
),

grouped as (
    select
        case when $group_by = 'year' then l.year end as year,
        case when $group_by = 'kind' then l.kind end as kind,
        case when $group_by = 'cluster' then l.cluster end as cluster,
        case when $group_by = 'region' then l.region end as region,
        min(l.sort_key) as sort_key,
        sum(l.amount_yuan) * 0.0001 as amount_wan,
        count(*) as count
    from labelled as l
    group by all
)

select columns(lambda c: c in ($group_by, 'amount_wan', 'count'))
from grouped
order by sort_key, year, kind, cluster, region
