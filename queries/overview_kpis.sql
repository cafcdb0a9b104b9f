-- overview_kpis：总览指标
--
-- What:
--   One row of headline figures as of $as_of: alliances in the registry (在册), filings this
--   year, members, subsidies this year and in total, evaluations overdue, annual reports
--   missing, and progress against the next target of the policy profile.
--
-- Parameters:
--   $as_of                 date       统计截止日期
--   $report_due_month      integer    年度报告截止月；NULL = 不要求年报，未交数为 0
--   $report_due_day        integer    年度报告截止日
--   $neighbour_places      varchar[]  周边协同地区地名（alliance_members 的参数）
--   $cycle_years           integer    评估/复审周期（年）（review_schedule 的参数，下同）
--   $agreement_term_years  integer    协议期限（年）
--   $overdue_action        varchar    逾期的后果
--
-- Columns:
--   active_alliances       在册联盟数            as_of 当日在册：备案日期 ≤ as_of，且撤销日期为空或晚于 as_of
--   filed_this_year        本年新备案            备案日期在 as_of 所在年的 1 月 1 日至 as_of 之间的联盟数（含之后已撤销的）
--   members                成员单位数            在册联盟在 as_of 当日的成员（加入日期为空或 ≤ as_of，退出日期为空或晚于 as_of），
--                                                按“联盟×单位”计：同一单位加入两个联盟计两次（alliance_members 之和）
--   subsidy_this_year_wan  本年补贴（万元）      补贴所属年度 = as_of 所在年的补贴合计，不含已收回
--   subsidy_total_wan      累计补贴（万元）      补贴所属年度 ≤ as_of 所在年的补贴合计，不含已收回
--   evaluations_overdue    评估逾期              在册联盟中下次评估日期早于 as_of 的个数：review_schedule 中状态为“逾期”的行数
--   reports_missing        年报未交              在册联盟中最近一个已过截止日的年度报告未交的个数（该年之前备案的才须提交）：
--                                                review_schedule 中“年报未交”的行数
--   agreements_expired     协议已到期            在册联盟中协议到期日（签署日期 + 协议期限）不晚于 as_of 的个数：review_schedule
--                                                的 agreement_expiry ≤ as_of；不设协议期限时为 0
--   report_year            年报年度              reports_missing 所核对的年度（截止日早于 as_of 的最近一年）；不要求年报时为空
--   next_target_label      下一目标              政策配置中目标年份 ≥ as_of 所在年的最早一个目标；没有则以下各列为空
--   next_target_year       目标年份              该目标的年份
--   next_target_low        目标下限              目标数量下限
--   next_target_high       目标上限              目标数量上限
--   next_target_achieved   已完成                按该目标口径计到 as_of 的备案数（count_from = 0 从头累计，否则自该年起算；撤销的也计入）；
--                                                有筛选时只计筛选范围内的联盟（该范围对全局目标的贡献）
--   next_target_gap        差距                  max(目标下限 − 已完成, 0)
--   next_target_progress   完成率                已完成 ÷ 目标下限（0–1，可超过 1）
--
-- Caveats:
--   - Members count memberships of alliances in the registry on as_of: the same unit in two
--     alliances counts twice.
--   - Subsidies are counted by their 年度 column, not by 拨付日期; rows with status 已收回 are excluded.
--   - Money is exact DECIMAL 万元 (元 ÷ 10000); round only for display.
--   - A report or evaluation recorded with a date after as_of does not count as done on as_of.
--   - Members, evaluations and reports are counted from the rows of alliance_members and
--     review_schedule (context macros alliance_members_on, review_schedule_on: same as_of, profile and
--     filters), so they always agree with those lists;
--     a profile without a cycle has no overdue evaluation, one without annual reports none missing.
--   - Filters: every figure counts only the alliances in scope_alliances (the dashboard's
--     region/level/cluster filters) — their filings, members, subsidies, evaluations and reports.
--     Targets are programme-wide and are never apportioned: with a filter, next_target_achieved
--     counts the filings in scope, so achieved, gap and progress show the scope's contribution
--     to the whole target (leadership filtering on one district sees that district's share),
--     not whether the district is "on target".

with

-- the alliances in scope (scope_alliances: the dashboard's filters) filed on or before as_of
filed as (
    select a.alliance_id, a.filed_date
    from alliances as a
    inner join scope_alliances as sc on sc.alliance_key = a.rowid
    where a.filed_date <= $as_of
),

filed_this_year as (
    select count(*) as filed_this_year
    from filed as f
    where f.filed_date >= make_date(year($as_of), 1, 1)
),

-- alliance_members' rows: one per alliance in scope in the registry on as_of
current_members as (
    select count(*) as active_alliances, cast(coalesce(sum(m.members), 0) as bigint) as members
    from alliance_members_on($as_of, scope_alliances, $neighbour_places) as m
),

paid as (
    select
        coalesce(sum(s.amount_yuan) filter (where s.year = year($as_of)), 0) * 0.0001 as subsidy_this_year_wan,
        coalesce(sum(s.amount_yuan), 0) * 0.0001 as subsidy_total_wan
    from subsidies_counted($as_of) as s
    inner join scope_alliances as sc on sc.alliance_id = s.alliance_id
),

-- review_schedule's rows: one per alliance in scope in the registry on as_of
schedule as (
    select
        count(*) filter (where r.status = status_word('overdue')) as evaluations_overdue,
        count(*) filter (where r.report_missing) as reports_missing,
        count(*) filter (where r.agreement_expiry <= $as_of) as agreements_expired
    from review_schedule_on($as_of, scope_alliances, $cycle_years, $report_due_month, $report_due_day,
                            $agreement_term_years, $overdue_action) as r
),

-- the latest report year whose due date is already past on as_of
report_due as (
    select * from report_due_year($as_of, $report_due_month, $report_due_day)
),

report_year as (
    select (select report_year from report_due) as report_year
),

next_target as (
    select t.label, t.year, t.low, t.high, t.count_from
    from profile_targets as t
    where t.year >= year($as_of)
    order by t.year, t.low
    limit 1
),

target_progress as (
    select
        t.label as next_target_label,
        t.year as next_target_year,
        t.low as next_target_low,
        t.high as next_target_high,
        count(a.alliance_id) as next_target_achieved
    from next_target as t
    left join filed as a
        on a.filed_date <= make_date(t.year, 12, 31)
       and (t.count_from = 0 or a.filed_date >= make_date(t.count_from, 1, 1))
    group by all
),

final as (
    select
        m.active_alliances,
        f.filed_this_year,
        m.members,
        p.subsidy_this_year_wan,
        p.subsidy_total_wan,
        s.evaluations_overdue,
        s.reports_missing,
        s.agreements_expired,
        y.report_year,
        t.next_target_label,
        t.next_target_year,
        t.next_target_low,
        t.next_target_high,
        t.next_target_achieved,
        case when t.next_target_year is not null
            then greatest(t.next_target_low - t.next_target_achieved, 0) end as next_target_gap,
        case when t.next_target_low > 0 then t.next_target_achieved / t.next_target_low end as next_target_progress
    from filed_this_year as f
    cross join current_members as m
    cross join paid as p
    cross join schedule as s
    cross join report_year as y
    left join target_progress as t on true
)

select * from final
