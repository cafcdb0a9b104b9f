-- eligibility_problems_on(as_of, scope): a table macro, the unmet conditions of eligibility_on(as_of, scope),
-- one row per alliance and reason, typed (alliance, alliance_id, problem_type, reason, type_position,
-- name_rank): the one place eligibility_problems (its rows, ordered) and eligibility_summary (its counts) read
-- them from. The type is read from the check's Chinese reasons (split on “；”); a reason worded otherwise is
-- typed 其他问题 and keeps its text, never dropped.
with

reasons as (
    select e.alliance, e.alliance_id, e.name_rank, unnest(string_split(e.problems, '；')) as reason
    from eligibility_on(as_of, scope) as e
    where e.problems <> ''
),

typed as (
    select
        r.alliance,
        r.alliance_id,
        r.name_rank,
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
            when t.problem_type like '缺少%' then 10 + coalesce(g.group_no, 0)
            when t.problem_type = '责任主体非本地' then 100
            when t.problem_type = '责任主体无法核实' then 101
            when t.problem_type = '本地核心成员不足' then 102
            when t.problem_type = '未标注核心成员' then 103
            else 999
        end as type_position,
        t.name_rank
    from typed as t
    left join (
        select '缺少' || r.group_label as problem_type, min(r.group_no) as group_no
        from profile_required_types as r
        group by all
    ) as g on g.problem_type = t.problem_type
)

select * from final
