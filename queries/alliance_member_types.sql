-- alliance_member_types：联盟成员构成（产·学·研·金·介）
--
-- What:
--   The current members of the alliance $alliance_id on $as_of by unit type: 企业 (产),
--   高校 (学), 科研院所 (研), 金融机构 (金), 中介机构 (介) and 其他 — one row each, zero rows
--   included, in that order.
--
-- Parameters:
--   $as_of            date       统计截止日期
--   $alliance_id      varchar    联盟编号
--
-- Columns:
--   unit_type         单位类型          企业/高校/科研院所/金融机构/中介机构/其他
--   pillar            产学研金介        产/学/研/金/介/其他
--   members           成员单位数        as_of 当日的成员：加入日期为空或 ≤ as_of，且退出日期为空或晚于 as_of
--   core_members      核心成员数        其中“是否核心成员”为是的
--
-- Caveats:
--   - Counted whether or not the alliance is in the registry on as_of, by the same rule as
--     alliance_members (which lists only alliances in the registry).
--   - All six rows are always listed; all zeros when no alliance has this id or it is outside
--     scope_alliances (the dashboard's region/level/cluster filters).
--   - A unit type outside the five pillars (or blank) counts as 其他.

with

current_members as (
    select
        unit_type_position(m.unit_type) as position,
        m.is_core
    from members as m
    inner join scope_alliances as sc on sc.alliance_id = m.alliance_id
    where m.alliance_id = $alliance_id
      and member_current(m.joined_date, m.left_date, $as_of)
),

final as (
    select
        t.unit_type,
        t.pillar,
        count(c.position) as members,
        count_if(c.is_core) as core_members,
        t.position
    from unit_types as t
    left join current_members as c on c.position = t.position
    group by t.position, t.unit_type, t.pillar
)

select * exclude (position) from final order by position
