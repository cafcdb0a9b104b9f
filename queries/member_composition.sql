-- member_composition：成员构成（产·学·研·金·介）
--
-- What:
--   The current members of the alliances in the registry on as_of, by unit type: 企业 (产),
--   高校 (学), 科研院所 (研), 金融机构 (金), 中介机构 (介) and 其他 — one row each, zero rows included.
--
-- Parameters:
--   $as_of              date       统计截止日期
--   $neighbour_places   varchar[]  周边协同地区地名（alliance_members 的参数）
--
-- Columns:
--   unit_type          单位类型            企业、高校、科研院所、金融机构、中介机构、其他
--   pillar             产学研金介          产、学、研、金、介；其他为“其他”
--   members            成员单位数          在册联盟在 as_of 当日的该类成员（联盟×单位计）
--   share              占比                该类成员 ÷ 全部成员（0–1）；没有成员时为空
--   alliances_with     有此类成员的联盟数  至少有一个该类成员的在册联盟数
--
-- Caveats:
--   - Current member on as_of: 加入日期 blank or ≤ as_of, and 退出日期 blank or after as_of.
--   - A unit in several alliances counts once per alliance (memberships, not distinct units).
--   - Alliances in scope_alliances only (the dashboard's filters), through alliance_members' rows
--     (context macro alliance_members_on); all six rows are always listed.

with

expanded as (
    select
        t.position,
        case t.unit_type
            when '企业' then m.enterprises when '高校' then m.universities when '科研院所' then m.institutes
            when '金融机构' then m.finance_bodies when '中介机构' then m.intermediaries else m.other_units
        end as n
    from unit_types as t
    cross join alliance_members_on($as_of, scope_alliances, $neighbour_places) as m
),

by_type as (
    select e.position, sum(e.n) as members, count_if(e.n > 0) as alliances_with
    from expanded as e
    group by e.position
),

final as (
    select
        t.unit_type,
        t.pillar,
        cast(coalesce(b.members, 0) as bigint) as members,
        coalesce(b.members, 0) / nullif((select sum(members) from by_type), 0) as share,
        coalesce(b.alliances_with, 0) as alliances_with,
        t.position
    from unit_types as t
    left join by_type as b on b.position = t.position
)

select * exclude (position) from final order by position
