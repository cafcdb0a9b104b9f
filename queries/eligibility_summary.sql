-- eligibility_summary：备案条件问题汇总
--
-- What:
--   For every condition the profile checks, how many alliances in the registry on $as_of fail
--   it (zero rows included, in the order of the rules), then any reason eligibility_problems
--   could not type (其他问题). One alliance with two problems counts under both.
--
-- Parameters:
--   $as_of                  date        统计截止日期
--   $member_minimum         integer     成员单位最低数量；0 = 不检查
--   $require_lead_local     boolean     对外责任主体单位须在本地注册
--   $core_local_share_min   double      核心成员中本地单位的最低占比；0 = 不检查
--
-- Columns:
--   problem_type      问题类型          同 eligibility_problems 的问题类型
--   alliances         联盟数            有此问题的联盟数
--   share             占比              有此问题的联盟数 ÷ 核对的联盟数（0–1）；没有在册联盟时为空
--   checked           核对联盟数        eligibility_check 核对的联盟数（as_of 当日在册、在筛选范围内的）
--   type_position     类型顺序          排列顺序
--
-- Caveats:
--   - Which rows appear follows the profile: 成员不足 when a minimum is set; one 缺少… row per
--     required_types group; 责任主体非本地 and 责任主体无法核实 when the lead must be local;
--     本地核心成员不足 and 未标注核心成员 when a local core share is set. A profile that
--     checks nothing gives no rows.
--   - Alliances in scope_alliances only: those eligibility_check checks (in the registry on as_of), with
--     eligibility_problems' rows (both read the context macro eligibility_problems_on).

with

conditions as (
    select '成员不足' as problem_type, 1 as type_position where $member_minimum > 0
    union all
    select '缺少' || any_value(g.group_label), 10 + g.group_no from profile_required_types as g group by g.group_no
    union all
    select '责任主体非本地', 100 where $require_lead_local
    union all
    select '责任主体无法核实', 101 where $require_lead_local
    union all
    select '本地核心成员不足', 102 where $core_local_share_min > 0
    union all
    select '未标注核心成员', 103 where $core_local_share_min > 0
),

found as (
    select p.problem_type, any_value(p.type_position) as type_position, count(distinct p.alliance_id) as alliances
    from eligibility_problems_on($as_of, scope_alliances) as p
    group by p.problem_type
),

listed as (
    select c.problem_type, c.type_position, coalesce(f.alliances, 0) as alliances
    from conditions as c
    left join found as f on f.problem_type = c.problem_type
    union all
    -- anything the conditions above do not name (其他问题), so no failing alliance goes uncounted
    select f.problem_type, f.type_position, f.alliances
    from found as f
    where f.problem_type not in (select problem_type from conditions)
),

final as (
    select
        l.problem_type,
        l.alliances,
        l.alliances / nullif(t.checked, 0) as share,
        t.checked,
        l.type_position
    from listed as l
    cross join (select count(*) as checked from eligibility_on($as_of, scope_alliances)) as t
)

select * from final order by type_position, problem_type
