-- coverage_by_cluster：产业集群覆盖
--
-- What:
--   One row for every entry of the taxonomy (in the taxonomy's order, zero rows included),
--   then 未归类: the alliances in the registry on $as_of, their current members by type,
--   and the subsidies paid to the cluster's alliances. Which taxonomy: the profile's, or
--   --param taxonomy=ID; a profile without a taxonomy gives only the 未归类 row.
--
-- Parameters:
--   $as_of              date       统计截止日期
--   $neighbour_places   varchar[]  周边协同地区地名（alliance_members 的参数）
--
-- Columns:
--   cluster             产业集群              分类体系条目名称；最后一行为“未归类”（产业领域未匹配或匹配不唯一）
--   alliances_active    在册联盟数            as_of 当日在册（备案日期 ≤ as_of，未在 as_of 或之前撤销/解散）的联盟数
--   members             成员单位数            这些联盟在 as_of 当日的成员（联盟×单位计）
--   enterprises         企业                  其中单位类型为企业的
--   universities        高校                  其中单位类型为高校的
--   institutes          科研院所              其中单位类型为科研院所的
--   subsidy_wan         补贴（万元）          归入该集群的所有联盟（含已撤销的）所属年度 ≤ as_of 所在年的补贴合计，不含已收回
--   covered             已覆盖                在册联盟数 > 0
--   cluster_group       所属领域              条目所属的上级领域（如黑龙江的“新材料”）；无则为空
--
-- Caveats:
--   - Classification comes from policy.classify_alliances (keywords, longest wins, ties stay
--     未归类; data/taxonomy_overrides.csv wins over keywords). 未归类 is always shown.
--   - subsidy_wan includes money paid to alliances since revoked: it is what the cluster received.
--   - Filters (scope_alliances) restrict the alliances counted, never the rows: every entry of
--     the taxonomy and 未归类 is listed, with zeros outside the scope (a cluster filter leaves
--     the other clusters at 0 and covered = false).
--   - Subsidies are counted by their 年度 column; money is exact DECIMAL 万元, round only for display.

with

-- the alliances in scope (scope_alliances: the dashboard's filters) with their cluster
cluster_of as (
    select sc.alliance_key, a.alliance_id, coalesce(c.cluster, status_word('unclassified')) as cluster
    from alliances as a
    inner join scope_alliances as sc on sc.alliance_key = a.rowid
    left join alliance_cluster as c on c.alliance_key = a.rowid
),

-- alliance_members' rows (context macro alliance_members_on): one per alliance in scope in the registry on as_of
member_counts as (
    select
        k.cluster,
        count(*) as alliances_active,
        sum(m.members) as members,
        sum(m.enterprises) as enterprises,
        sum(m.universities) as universities,
        sum(m.institutes) as institutes
    from alliance_members_on($as_of, scope_alliances, $neighbour_places) as m
    inner join cluster_of as k on k.alliance_key = m.alliance_key
    group by k.cluster
),

subsidy_sums as (
    select k.cluster, sum(s.amount_yuan) as amount_yuan
    from subsidies_counted($as_of) as s
    inner join cluster_of as k on k.alliance_id = s.alliance_id
    group by k.cluster
),

final as (
    select
        c.cluster,
        coalesce(mc.alliances_active, 0) as alliances_active,
        cast(coalesce(mc.members, 0) as bigint) as members,
        cast(coalesce(mc.enterprises, 0) as bigint) as enterprises,
        cast(coalesce(mc.universities, 0) as bigint) as universities,
        cast(coalesce(mc.institutes, 0) as bigint) as institutes,
        coalesce(ss.amount_yuan, 0) * 0.0001 as subsidy_wan,
        coalesce(mc.alliances_active, 0) > 0 as covered,
        c.cluster_group,
        c.position
    from cluster_list as c
    left join member_counts as mc on mc.cluster = c.cluster
    left join subsidy_sums as ss on ss.cluster = c.cluster
)

select * exclude (position) from final order by position
