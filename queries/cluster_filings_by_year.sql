-- cluster_filings_by_year：各产业集群历年备案
--
-- What:
--   Filings per taxonomy entry per calendar year: one row for every entry (in the taxonomy's
--   order, then 未归类) and every year from the first filing to the as_of year, zeros
--   included, so the grid of the cluster × year heat map is complete. Which taxonomy: the
--   profile's, or --param taxonomy=ID.
--
-- Parameters:
--   $as_of          date       统计截止日期：只计备案日期 ≤ as_of 的
--
-- Columns:
--   cluster         产业集群        分类体系条目名称；最后为“未归类”
--   year            年份            公历年，从最早的备案年份到 as_of 所在年
--   filed           当年备案        该年备案（备案日期 ≤ as_of）且归入该集群的联盟数，含之后撤销的
--   cluster_group   所属领域        条目所属的上级领域（如黑龙江的“新材料”）；无则为空
--
-- Caveats:
--   - Classification is coverage_by_cluster's (policy.classify_alliances, overrides applied).
--   - Counts filings, like target_progress: an alliance revoked later still counts in the year
--     it was filed. The row sums per year equal target_progress's filed.
--   - Filters (scope_alliances) restrict the alliances counted, never the rows; the years run
--     from the first filing in scope. No filing in scope: no rows.

with

filings as (
    select coalesce(c.cluster, status_word('unclassified')) as cluster, year(a.filed_date) as year
    from alliances as a
    inner join scope_alliances as sc on sc.alliance_key = a.rowid
    left join alliance_cluster as c on c.alliance_key = a.rowid
    where a.filed_date <= $as_of
),

years as (
    select unnest(range(min(f.year), year($as_of) + 1)) as year
    from filings as f
    having count(*) > 0
),

counts as (
    select f.cluster, f.year, count(*) as filed
    from filings as f
    group by all
),

final as (
    select
        c.cluster,
        y.year,
        coalesce(n.filed, 0) as filed,
        c.cluster_group,
        c.position
    from cluster_list as c
    cross join years as y
    left join counts as n on n.cluster = c.cluster and n.year = y.year
)

select * exclude (position) from final order by position, year
