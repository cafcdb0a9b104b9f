-- review_schedule：评估与年报日程
--
-- What:
--   For every alliance in the registry on $as_of: its last evaluation (三年评估 or 复审), when
--   the next one is due under the profile's cycle, whether that is overdue or due within 180
--   days, its last annual report and whether the latest report already due is missing, and
--   when its agreement expires under the profile's agreement term.
--
-- Parameters:
--   $as_of                  date       统计截止日期
--   $cycle_years            integer    评估/复审周期（年）；0 = 不设周期
--   $report_due_month       integer    年度报告截止月；NULL = 不要求年报
--   $report_due_day         integer    年度报告截止日
--   $agreement_term_years   integer    协议期限（年）；0 = 不设期限
--   $overdue_action         varchar    逾期的后果（渭南：应撤销）；空 = 原文未规定
--
-- Columns:
--   alliance                联盟名称          联盟名称
--   filed_date              备案日期          备案（认定）日期
--   last_evaluation_date    最近评估日期      日期 ≤ as_of 的最近一次三年评估或复审（不论结果）；没有则为空
--   next_evaluation_due     下次评估日期      （最近评估日期，没有则备案日期）+ 周期年数；不设周期时为空
--   status                  评估状态          逾期：下次评估日期早于 as_of；即将到期：as_of 起 180 天内（含第 180 天）；
--                                             否则正常。不设周期的政策一律为正常
--   last_report_year        最近年报年度      已提交（提交日期为空或 ≤ as_of）的最近一份年度报告的年度
--   report_missing          年报未交          该年度的年度报告不存在（或 as_of 之后才提交）
--   agreement_expiry        协议到期日        协议签署日期 + 协议期限年数；不设期限或无签署日期时为空
--   alliance_id             联盟编号          联盟编号
--   days_to_due             距到期天数        下次评估日期 − as_of（负数为已逾期天数）
--   report_year             应交年报年度      截止日早于 as_of 的最近一个年度；该年之前备案的联盟才须提交，否则为空；不要求年报时为空
--   action                  处理              逾期时政策规定的后果（渭南第15条：未复审的撤销资质 → 应撤销）；其余为空
--
-- Caveats:
--   - Next evaluation = (latest 三年评估 or 复审 on or before as_of, else 备案日期) + cycle years;
--     a 29 February base falls due on 28 February. Evaluation results are not considered.
--   - A report is due for year Y when as_of is after the profile's due date in Y (e.g. Tianjin
--     12-31, Weinan 11-30); only the latest such year is checked here. Reports are owed from the
--     year after filing: an alliance filed during Y owes its first report for Y + 1.
--   - A profile without a cycle (cycle_years = 0) has no evaluation due: status 正常, next due empty.
--   - Alliances in scope_alliances only (the dashboard's region/level/cluster filters).

select * exclude (name_rank, alliance_key)
from review_schedule_on($as_of, scope_alliances, $cycle_years, $report_due_month, $report_due_day,
                        $agreement_term_years, $overdue_action)
order by list_position([status_word('overdue'), status_word('due_soon'), status_word('on_time')], status),
    next_evaluation_due, name_rank
