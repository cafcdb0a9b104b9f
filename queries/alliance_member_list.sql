-- alliance_member_list：联盟成员名单
--
-- What:
--   Every member row of the alliance $alliance_id — current, left and not yet joined on
--   $as_of — with its type (产·学·研·金·介), role, core membership, place of registration and
--   dates. Current members come first, by role (理事长单位 → 成员单位), then unit type, then name.
--
-- Parameters:
--   $as_of            date       统计截止日期：决定成员状态
--   $alliance_id      varchar    联盟编号
--
-- Columns:
--   unit_name         单位名称            成员单位全称
--   unit_type         单位类型            企业/高校/科研院所/金融机构/中介机构/其他
--   pillar            产学研金介          产（企业）、学（高校）、研（科研院所）、金（金融机构）、介（中介机构）；其他类型为“其他”
--   role              角色                理事长单位/副理事长单位/理事单位/成员单位
--   is_core           核心成员            是否核心成员
--   registered_in     注册地              单位注册所在地
--   membership        成员状态            在联盟：加入日期为空或 ≤ as_of，且退出日期为空或晚于 as_of；
--                                         已退出：退出日期 ≤ as_of；尚未加入：加入日期晚于 as_of
--   joined_date       加入日期            加入联盟的日期
--   left_date         退出日期            退出联盟的日期
--   credit_code       统一社会信用代码    18位统一社会信用代码
--
-- Caveats:
--   - No rows when the alliance has no members, no alliance has this id, or it is outside
--     scope_alliances (the dashboard's region/level/cluster filters).
--   - A unit type outside the five pillars (or blank) counts as 其他.

with

typed as (
    select
        m.*,
        unit_type_position(m.unit_type) as type_position,
        case
            when member_current(m.joined_date, m.left_date, $as_of) then '在联盟'
            when m.left_date <= $as_of then '已退出'
            else '尚未加入'
        end as membership
    from members as m
    inner join scope_alliances as sc on sc.alliance_id = m.alliance_id
    where m.alliance_id = $alliance_id
),

final as (
    select
        t.unit_name,
        t.unit_type,
        u.pillar,
        t.role,
        t.is_core,
        t.registered_in,
        t.membership,
        t.joined_date,
        t.left_date,
        t.credit_code,
        t.type_position,
        list_position(['在联盟', '尚未加入', '已退出'], t.membership) as membership_position,
        coalesce(list_position(['理事长单位', '副理事长单位', '理事单位', '成员单位'], t.role), 5) as role_position
    from typed as t
    inner join unit_types as u on u.position = t.type_position
)

select * exclude (type_position, membership_position, role_position)
from final
order by membership_position, role_position, type_position, unit_name
