-- alliance_directory：联盟名录检索
--
-- What:
--   Every alliance of the registry within the dashboard's filters, whatever its status
--   (组建中, 申请中, 已备案, 已撤销 …), with what a search list needs: id, name, status, whether
--   it is in the registry on $as_of, cluster, region, level, lead unit and filing date. The
--   联盟档案 page searches these rows by part of the name or the id.
--
-- Parameters:
--   $as_of          date       统计截止日期：决定“在册”
--
-- Columns:
--   alliance_id     联盟编号          联盟编号
--   alliance        联盟名称          联盟名称
--   status          状态              登记的状态（组建中/申请中/已备案/已认定/已撤销/已解散），按名录原样
--   in_registry     在册              备案日期 ≤ as_of，且未在 as_of 当日或之前撤销、解散
--   cluster         产业集群          按政策配置的分类体系归入的集群；未能归入的为“未归类”
--   region          所属区域          对齐到政策配置区域清单的区域（与区域筛选一致）；清单外的按原文，空白为“未填”
--   level           级别              国家级/省级/市级
--   lead_unit       对外责任主体单位  对外责任主体单位
--   filed_date      备案日期          备案（认定）日期
--
-- Caveats:
--   - Alliances in scope_alliances only (the dashboard's region/level/cluster filters); every
--     alliance of the registry when there is no filter, including those never filed.
--   - status is the registry's own column, not recomputed for as_of: an alliance filed after
--     as_of may say 已备案 while in_registry is false.
--   - Ordered by name, then id.

with

listed as (
    select
        a.alliance_id,
        a.name as alliance,
        a.status,
        in_registry(a.filed_date, a.revoked_date, $as_of)
            as in_registry,
        coalesce(c.cluster, status_word('unclassified')) as cluster,
        coalesce(r.region, status_word('unfilled')) as region,
        a.level,
        a.lead_unit,
        a.filed_date,
        sc.name_rank
    from alliances as a
    inner join scope_alliances as sc on sc.alliance_key = a.rowid
    left join alliance_cluster as c on c.alliance_key = a.rowid
    left join alliance_region as r on r.alliance_key = a.rowid
)

select * exclude (name_rank) from listed order by name_rank
