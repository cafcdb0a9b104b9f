-- alliance_members：联盟成员统计
--
-- What:
--   One row per alliance in the registry on $as_of with its current members counted by type
--   (产·学·研·金·介), by core membership and by where they are registered (local, neighbour,
--   elsewhere, unknown). The member figures of overview_kpis, coverage_by_cluster,
--   region_distribution, member_composition and cross_region are sums of these rows: the runner
--   materialises it once per as_of, profile and filters and they read it. (eligibility_check reads
--   the same counts per stretch, checked at import: context table eligibility_stretches.)
--
-- Parameters:
--   $as_of                  date        统计截止日期
--   $neighbour_places       varchar[]   周边协同地区地名（天津：北京、河北）
--
-- Columns:
--   alliance                联盟名称            联盟名称
--   alliance_id             联盟编号            联盟编号
--   members                 成员单位数          as_of 当日的成员：加入日期为空或 ≤ as_of，且退出日期为空或晚于 as_of
--   enterprises             企业                其中单位类型为企业的
--   universities            高校                其中单位类型为高校的
--   institutes              科研院所            其中单位类型为科研院所的
--   finance_bodies          金融机构            其中单位类型为金融机构的
--   intermediaries          中介机构            其中单位类型为中介机构的
--   other_units             其他                其中单位类型为其他（或不在以上五类）的
--   core_members            核心成员            其中“是否核心成员”为是的
--   local_core_members      本地核心成员        核心成员中注册地含本地地名的
--   local_members           本地成员            注册地含本地地名的成员
--   neighbour_members       周边成员            注册地不含本地地名、含周边地名的成员
--   other_place_members     其他外地成员        注册地不含本地或周边地名的成员
--   unknown_place_members   注册地不详          注册地为空的成员
--   neighbour_places_found  周边来源            周边成员注册地中出现的周边地名，按政策配置顺序，以“、”分隔
--
-- Caveats:
--   - Alliances in the registry on as_of only (备案日期 ≤ as_of, not revoked or dissolved on or
--     before as_of); an alliance without members has a row of zeros.
--   - Only alliances in scope_alliances (the dashboard's region/level/cluster filters; every
--     alliance when there is none): every query that reads these rows is filtered with it.
--   - Memberships, not distinct units: a unit in two alliances is counted in both.
--   - Places are substring tests of 注册地 (北京市海淀区 contains 北京); a local place wins over
--     a neighbour place. With no local places (national profile) every known 注册地 is “other”.
--   - The counting is done once per import and profile, per alliance and stretch of dates over which its
--     members do not change (context table member_stretches, queries/context/member_stretches.sql): a new
--     as_of or filter reads one row per alliance, not the member rows.

with

active as (
    select a.alliance_id, a.name
    from alliances as a
    inner join scope_alliances as sc on sc.alliance_id = a.alliance_id
    where a.filed_date <= $as_of
      and (a.revoked_date is null or a.revoked_date > $as_of)
),

-- the members counted per alliance and stretch of dates (context table member_stretches: the
-- current-member and place rules live there); the stretch holding as_of
per_alliance as (
    select c.*
    from member_stretches as c
    inner join active as a on a.alliance_id = c.alliance_id
    where c.valid_from <= $as_of and $as_of < c.valid_to
),

final as (
    select
        a.name as alliance,
        a.alliance_id,
        coalesce(p.members, 0) as members,
        coalesce(p.enterprises, 0) as enterprises,
        coalesce(p.universities, 0) as universities,
        coalesce(p.institutes, 0) as institutes,
        coalesce(p.finance_bodies, 0) as finance_bodies,
        coalesce(p.intermediaries, 0) as intermediaries,
        coalesce(p.members - p.enterprises - p.universities - p.institutes - p.finance_bodies - p.intermediaries, 0)
            as other_units,
        coalesce(p.core_members, 0) as core_members,
        coalesce(p.local_core_members, 0) as local_core_members,
        coalesce(p.local_members, 0) as local_members,
        coalesce(p.neighbour_members, 0) as neighbour_members,
        coalesce(p.other_place_members, 0) as other_place_members,
        coalesce(p.members - p.local_members - p.neighbour_members - p.other_place_members, 0)
            as unknown_place_members,
        array_to_string(list_filter(cast($neighbour_places as varchar[]),
                                    lambda n, i: (coalesce(p.neighbour_mask, 0) >> (i - 1)) & 1 = 1), '、')
            as neighbour_places_found
    from active as a
    left join per_alliance as p on p.alliance_id = a.alliance_id
)

select * from final order by alliance_id
