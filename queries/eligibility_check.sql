-- eligibility_check：备案条件核对
--
-- What:
--   For every alliance in the registry on $as_of, its current members checked against the
--   profile's conditions: member minimum (all members or core members only), required member
--   types (enterprise; university or institute), lead unit registered locally, and the share
--   of local units among core members. Failing alliances come first, with reasons in Chinese.
--
-- Parameters:
--   $as_of                  date        统计截止日期
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
--   - The check is made once per import and profile, per alliance and stretch of dates over which its
--     members and its lead do not change (context table eligibility_stretches,
--     queries/context/eligibility_stretches.sql, where the conditions are written; read through the macro
--     eligibility_on): a new as_of or filter reads one row per alliance, not the member rows.
--   - "Local" is a substring test of 注册地 against local_places (Tianjin: 含“天津”); a member
--     whose 注册地 names only a district (南开区) is not recognised as local.
--   - The lead unit is looked up among the current members: the member named as the
--     对外责任主体单位 (compared as loaders.normalise.name_key: width, brackets and spaces
--     ignored), else the 理事长单位 (context table lead_local, once per import). An unverifiable lead
--     (not among the members, or 注册地 blank) is reported as a problem when the profile
--     requires local registration: never silently passed.
--   - Core members with blank 注册地 count as not local in local_core_share.
--   - The share condition is share ≥ core_local_share_min (Tianjin “为主” = 0.5).
--   - Alliances in scope_alliances only (the dashboard's filters).

with

-- the alliances in the registry on as_of and in scope, each with the check of the stretch holding as_of
final as (
    select
        e.alliance,
        e.member_count,
        e.core_member_count,
        e.has_enterprise,
        e.has_univ_or_institute,
        e.lead_registered_locally,
        e.local_core_share,
        e.problems,
        e.alliance_id,
        e.name_rank
    from eligibility_on($as_of, scope_alliances) as e
)

select * exclude (alliance_id, name_rank), problems = '' as ok, alliance_id from final order by ok, name_rank
