-- eligibility_check：备案条件核对
--
-- What:
--   For every alliance in the registry on $as_of, its current members checked against the
--   profile's conditions: member minimum (all members or core members only), required member
--   types (enterprise; university or institute), lead unit registered locally, and the share
--   of local units among core members. Failing alliances come first, with reasons in Chinese.
--
-- Requires: alliance_members
--
-- Parameters:
--   $as_of                  date        统计截止日期
--   $member_minimum         integer     成员单位最低数量；0 = 不检查
--   $counts_core_only       boolean     最低数量只计核心成员
--   $require_lead_local     boolean     对外责任主体单位须在本地注册
--   $core_local_share_min   double      核心成员中本地单位的最低占比；0 = 不检查
--   $local_places           varchar[]   本地地名：注册地含其一即为本地
--
-- Columns:
--   alliance                联盟名称              联盟名称
--   member_count            成员单位数            as_of 当日的成员单位数（加入日期为空或 ≤ as_of，退出日期为空或晚于 as_of）
--   core_member_count       核心成员数            其中“是否核心成员”为是的
--   has_enterprise          有企业成员            有单位类型为企业的成员
--   has_univ_or_institute   有高校或院所成员      有单位类型为高校或科研院所的成员
--   lead_registered_locally  责任主体本地注册     对外责任主体单位的注册地含本地地名；在成员中找不到该单位
--                                                 （先按名称比对，再找理事长单位）或注册地为空时为空
--   local_core_share        本地核心成员占比      核心成员中注册地含本地地名的比例（0–1）；无核心成员或政策无本地地名时为空
--   problems                存在问题              不符合的条件，中文，以“；”分隔；全部符合时为空字符串
--   ok                      符合条件              没有任何问题
--   alliance_id             联盟编号              联盟编号
--
-- Caveats:
--   - Conditions come from the profile: [members] minimum, counts_core_only, required_types,
--     lead_registered_locally, local_places, core_local_share_min. A condition the profile does
--     not set is not checked.
--   - "Local" is a substring test of 注册地 against local_places (Tianjin: 含“天津”); a member
--     whose 注册地 names only a district (南开区) is not recognised as local.
--   - The lead unit is looked up among the current members: the member named as the
--     对外责任主体单位 (compared as loaders.normalise.name_key: width, brackets and spaces
--     ignored), else the 理事长单位 (context table lead_local, once per import). An unverifiable lead
--     (not among the members, or 注册地 blank) is reported as a problem when the profile
--     requires local registration: never silently passed.
--   - Core members with blank 注册地 count as not local in local_core_share.
--   - The share condition is share ≥ core_local_share_min (Tianjin “为主” = 0.5).
--   - Alliances in scope_alliances only (the dashboard's filters), through alliance_members.

with

-- whether the 对外责任主体单位 among the current members (the member of that name, else the
-- 理事长单位) is registered locally: context table lead_local (queries/context/lead_local.sql), one
-- row per alliance and stretch of dates; the stretch holding as_of
lead as (
    select l.alliance_id, l.lead_local
    from lead_local as l
    inner join scope_alliances as sc on sc.alliance_id = l.alliance_id
    where l.valid_from <= $as_of and $as_of < l.valid_to
),

-- a required group is missing when the alliance has no current member of any of its types
-- (alliance_members: one row per alliance in the registry on as_of, its current members counted)
missing_types as (
    select
        x.alliance_id,
        string_agg('缺少' || x.group_label || '成员', '；' order by x.group_no) as problems
    from (
        select s.alliance_id, r.group_no, any_value(r.group_label) as group_label,
            sum(case r.unit_type
                when '企业' then s.enterprises when '高校' then s.universities when '科研院所' then s.institutes
                when '金融机构' then s.finance_bodies when '中介机构' then s.intermediaries when '其他' then s.other_units
            end) as present
        from alliance_members as s
        cross join profile_required_types as r
        group by s.alliance_id, r.group_no
    ) as x
    where coalesce(x.present, 0) = 0
    group by x.alliance_id
),

checked as (
    select
        s.alliance,
        s.alliance_id,
        s.members as member_count,
        s.core_members as core_member_count,
        s.enterprises > 0 as has_enterprise,
        s.universities + s.institutes > 0 as has_univ_or_institute,
        case when len(cast($local_places as varchar[])) > 0 then l.lead_local end as lead_registered_locally,
        case when len(cast($local_places as varchar[])) > 0 and s.core_members > 0
            then s.local_core_members / s.core_members
        end as local_core_share,
        mt.problems as type_problems
    from alliance_members as s
    left join lead as l on l.alliance_id = s.alliance_id
    left join missing_types as mt on mt.alliance_id = s.alliance_id
),

final as (
    select
        c.alliance,
        c.member_count,
        c.core_member_count,
        c.has_enterprise,
        c.has_univ_or_institute,
        c.lead_registered_locally,
        c.local_core_share,
        -- concat_ws skips the NULLs: one reason per unmet condition, in this order
        concat_ws('；',
            case when $member_minimum > 0 and not $counts_core_only and c.member_count < $member_minimum
                then '成员单位' || c.member_count || '家，少于' || $member_minimum || '家' end,
            case when $member_minimum > 0 and $counts_core_only and c.core_member_count < $member_minimum
                then '核心成员' || c.core_member_count || '家，少于' || $member_minimum || '家' end,
            c.type_problems,
            case
                when not $require_lead_local then null
                when c.lead_registered_locally is null
                    then '无法确认对外责任主体单位在本地注册（成员中找不到该单位或其注册地为空）'
                when not c.lead_registered_locally then '对外责任主体单位未在本地注册'
            end,
            case
                when $core_local_share_min <= 0 then null
                when c.core_member_count = 0 then '未标注核心成员，无法核对本地核心成员占比'
                when c.local_core_share < $core_local_share_min
                    then '本地核心成员占比' || cast(round(c.local_core_share * 100, 1) as decimal(5, 1))
                         || '%，低于' || cast(round($core_local_share_min * 100, 1) as decimal(5, 1)) || '%'
            end
        ) as problems,
        c.alliance_id
    from checked as c
)

select * exclude (alliance_id), problems = '' as ok, alliance_id from final order by ok, alliance
