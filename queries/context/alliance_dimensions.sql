-- alliance_dimensions(alliance_key, alliance_id, region, level, cluster, name_rank): every alliance of the registry with
-- the values the sidebar's filters match (scope_alliances.sql) — region as alliance_region.region (as
-- region_distribution shows it, 未填 and unlisted texts included), level as alliances.level (NULL when
-- blank: it matches no level filter), cluster as alliance_cluster.cluster (未归类 when unclassified) — and
-- name_rank, its place in name order (name, then id; ranked in context.build): what lists ordered by alliance
-- sort by, an integer instead of long Chinese names that share their first characters (eligibility_problems
-- cold at 450k: 49 → 36 ms).
-- Built once per context, so that a change of filters is one scan of it.
select
    a.rowid as alliance_key,
    a.alliance_id,
    r.region,
    a.level,
    coalesce(c.cluster, status_word('unclassified')) as cluster,
    n.name_rank
from alliances as a
left join alliance_region as r on r.alliance_key = a.rowid
left join alliance_cluster as c on c.alliance_key = a.rowid
left join _alliance_name_rank as n on n.alliance_key = a.rowid
-- in the registry's own order (joins may leave them in another): scope_alliances is then read in
-- the order the registry's tables are (recommender_quota at 1.7M members: 73 ms in name order, 59 in this)
order by a.rowid
