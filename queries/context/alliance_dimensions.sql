-- alliance_dimensions(alliance_id, region, level, cluster): every alliance of the registry with the
-- values the sidebar's filters match (scope_alliances.sql) — region as alliance_region.region (as
-- region_distribution shows it, 未填 and unlisted texts included), level as alliances.level (NULL when
-- blank: it matches no level filter), cluster as alliance_cluster.cluster (未归类 when unclassified).
-- Built once per context, so that a change of filters is one scan of it.
select
    a.alliance_id,
    r.region,
    a.level,
    coalesce(c.cluster, status_word('unclassified')) as cluster
from alliances as a
left join alliance_region as r on r.alliance_id = a.alliance_id
left join alliance_cluster as c on c.alliance_id = a.alliance_id
