-- eligibility_problems：备案条件问题明细
--
-- What:
--   The unmet conditions of eligibility_check, one row per alliance and reason, each with a
--   short problem type for filtering and counting (成员不足, 缺少企业, 缺少高校或科研院所,
--   责任主体非本地, 责任主体无法核实, 本地核心成员不足, 未标注核心成员).
--
-- Parameters:
--   $as_of                  date        统计截止日期
--
-- Columns:
--   alliance          联盟名称      联盟名称
--   alliance_id       联盟编号      联盟编号
--   problem_type      问题类型      成员不足：成员单位（或核心成员）少于最低数量；缺少…：缺少政策要求的某类成员
--                                   （名称随政策配置的 required_types）；责任主体非本地：对外责任主体单位未在本地注册；
--                                   责任主体无法核实：成员中找不到该单位或其注册地为空；本地核心成员不足：本地核心成员
--                                   占比低于政策下限；未标注核心成员：无核心成员，无法核对占比
--   reason            具体问题      eligibility_check 给出的原句（含数字）
--   type_position     类型顺序      问题类型的排列顺序（与 eligibility_summary 一致）
--
-- Caveats:
--   - The type is read from eligibility_check's Chinese reasons (split on “；”); a reason
--     worded otherwise is typed 其他问题 and keeps its text, never dropped. The tests pin
--     every wording eligibility_check produces.
--   - The alliances of eligibility_check (in the registry on as_of, in scope_alliances), with the check
--     it reads (context macro eligibility_on: made once per import and profile, per stretch of dates);
--     alliances meeting every condition have no rows. Ordered by type, then alliance.

with

reasons as (
    select e.alliance, e.alliance_id, unnest(string_split(e.problems, '；')) as reason
    from eligibility_on($as_of, scope_alliances) as e
    where e.problems <> ''
),

typed as (
    select
        r.alliance,
        r.alliance_id,
        case
            when r.reason like '成员单位%家，少于%家' or r.reason like '核心成员%家，少于%家' then '成员不足'
            when r.reason like '缺少%成员' then left(r.reason, length(r.reason) - 2)
            when r.reason = '对外责任主体单位未在本地注册' then '责任主体非本地'
            when r.reason like '无法确认对外责任主体单位在本地注册%' then '责任主体无法核实'
            when r.reason like '本地核心成员占比%低于%' then '本地核心成员不足'
            when r.reason like '未标注核心成员%' then '未标注核心成员'
            else '其他问题'
        end as problem_type,
        r.reason
    from reasons as r
    where r.reason <> ''
),

final as (
    select
        t.alliance,
        t.alliance_id,
        t.problem_type,
        t.reason,
        case
            when t.problem_type = '成员不足' then 1
            when t.problem_type like '缺少%' then 10 + coalesce(
                (select min(g.group_no) from profile_required_types as g
                 where '缺少' || g.group_label = t.problem_type), 0)
            when t.problem_type = '责任主体非本地' then 100
            when t.problem_type = '责任主体无法核实' then 101
            when t.problem_type = '本地核心成员不足' then 102
            when t.problem_type = '未标注核心成员' then 103
            else 999
        end as type_position
    from typed as t
)

select * from final order by type_position, problem_type, alliance, alliance_id
