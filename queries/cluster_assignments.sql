-- cluster_assignments：联盟归类明细
--
-- What:
--   Every alliance in the registry table with the taxonomy entry its 产业领域 was mapped to,
--   why (the keyword that decided, 人工指定, or why it stayed 未归类), and whether it is in the
--   registry on $as_of. 未归类 alliances come first: they are the ones a person has to look at,
--   and data/taxonomy_overrides.csv (联盟名称,分类体系,归入) is how to settle them.
--
-- Parameters:
--   $as_of          date       统计截止日期：判断是否在册
--
-- Columns:
--   alliance        联盟名称        联盟名称
--   cluster         产业集群        归入的分类体系条目；未匹配或匹配不唯一为“未归类”
--   raw_field       产业领域（原文）  名录中的产业领域原文
--   reason          归类依据        命中的关键词、“人工指定”（taxonomy_overrides.csv），或未归类的原因
--   active          在册            as_of 当日在册（备案日期 ≤ as_of，未在 as_of 或之前撤销/解散）
--   status          状态            名录中的状态
--   filed_date      备案日期        备案或认定日期
--   alliance_id     联盟编号        联盟编号
--   cluster_group   所属领域        条目所属的上级领域；无则为空
--
-- Caveats:
--   - Classification is policy.classify_alliances (keywords, longest wins, ties stay 未归类;
--     overrides win), the same as coverage_by_cluster: the 在册 rows of a cluster are its
--     alliances_active there.
--   - All alliances of the registry table in scope, filed or not, revoked or not: an
--     unclassified application is worth fixing before it is filed.
--   - Order: 未归类 first, then the taxonomy's order; 在册 before the others; then by name.

with

final as (
    select
        a.name as alliance,
        coalesce(c.cluster, status_word('unclassified')) as cluster,
        a.field as raw_field,
        coalesce(c.reason, '未分类') as reason,
        in_registry(a.filed_date, a.revoked_date, $as_of)
            as active,
        a.status,
        a.filed_date,
        a.alliance_id,
        nullif(e.grp, '') as cluster_group,
        case when e.position is null then 0 else e.position end as position,
        sc.name_rank
    from alliances as a
    inner join scope_alliances as sc on sc.alliance_key = a.rowid
    left join alliance_cluster as c on c.alliance_key = a.rowid
    left join taxonomy_entries as e on e.entry = c.cluster
)

select * exclude (position, name_rank) from final order by position, active desc, name_rank
