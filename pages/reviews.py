"""评估与报告: evaluations falling due and overdue, annual reports missing, agreements expiring (review_schedule)."""
import pandas as pd
import streamlit as st

import ui
from figures.reviews import PLAN_MONTHS, due_within, horizon
from queries.vocabulary import DUE_SOON, OVERDUE


version = ui.require_registry()
scope = ui.sidebar(version)
fetch = ui.fetcher(version, scope)
review = scope.profile.review
profile_name = scope.profile.name
terms, clauses = scope.profile.terms, scope.profile.clauses

st.title(f"{terms.review}与报告")   # 复审与报告 under Weinan
rules = [f"{terms.review}周期：{f'每 {review.cycle_years} 年' if review.cycle_years else '未规定'}（{clauses.cycle}）",
         f"年度报告截止：{f'每年 {review.report_due}' if review.report_due else '未规定'}（{clauses.report}）",
         f"协议期限：{f'{review.agreement_term_years} 年' if review.agreement_term_years else '未规定'}"
         f"（{clauses.agreement}）"]
how = (f"下次{terms.review} =（最近一次{terms.review}，没有则{terms.act}日期）+ 周期；“即将到期”指统计截止日起 180 天内。"
       if review.cycle_years else "")
st.caption(f"{profile_name}：{'；'.join(rules)}。{how}", help=ui.analyst_note(["review_schedule"]))

schedule = fetch("review_schedule")
if schedule.empty:
    st.info("截至所选日期，当前筛选范围内没有在册联盟，没有评估、年报或协议需要跟踪。"
            "可调整左侧的统计截止日期或筛选条件；若尚未导入数据，请到“数据”页下载导入模板。")
    st.stop()

as_of = pd.Timestamp(scope.as_of)
limit = horizon(scope, PLAN_MONTHS)
overdue = schedule[schedule["status"] == OVERDUE].sort_values(["days_to_due", "alliance"])
soon = schedule[schedule["status"] == DUE_SOON]
coming = due_within(schedule, scope, PLAN_MONTHS)
coming = coming[coming["status"] != OVERDUE]
missing = schedule[schedule["report_missing"].fillna(False).astype(bool)]
report_years = schedule["report_year"].dropna()
report_year = int(report_years.max()) if len(report_years) else None
dated = schedule[schedule["agreement_expiry"].notna()].sort_values(["agreement_expiry", "alliance"])
expired = dated[dated["agreement_expiry"] <= as_of]
expiring = dated[(dated["agreement_expiry"] > as_of) & (dated["agreement_expiry"] <= limit)]

# Every rule: its figures where the profile sets it, 未规定 where it does not (the clause is in the caption above).
metrics = []
if review.cycle_years:
    metrics += [(f"{terms.review}逾期", f"{len(overdue):,} 个", f"下次{terms.review}日期早于统计截止日"
                 + (f"；{review.overdue_action}（{clauses.cycle}）" if review.overdue_action else "")),
                ("180 天内到期", f"{len(soon):,} 个", None),
                (f"未来{PLAN_MONTHS}个月到期", f"{len(coming):,} 个", f"统计截止日至 {limit.date().isoformat()}，不含已逾期的")]
else:
    metrics.append((f"{terms.review}逾期", "未规定", clauses.cycle))
if review.report_due:
    metrics.append((f"{report_year}年度报告未交" if report_year else "年度报告未交", f"{len(missing):,} 个",
                    f"截止日（每年 {review.report_due}）已过的最近一个年度；该年之前{terms.act}的联盟才须提交"))
else:
    metrics.append(("年度报告未交", "未规定", clauses.report))
if review.agreement_term_years:
    metrics += [("协议已到期", f"{len(expired):,} 个", "协议签署日期 + 协议期限 ≤ 统计截止日：须重新签署"),
                (f"协议未来{PLAN_MONTHS}个月到期", f"{len(expiring):,} 个", None)]
else:
    metrics.append(("协议到期", "未规定", clauses.agreement))
for row in range(0, len(metrics), 4):   # at most four a row, so labels are not cut
    for col, (label, value, note) in zip(st.columns(4), metrics[row:row + 4]):
        col.metric(label, value, help=note)

st.subheader(f"{terms.review}日程")
if not review.cycle_years:
    st.info(f"{profile_name}未规定{terms.review}周期（{clauses.cycle}），不排{terms.review}日程。")
else:
    ui.chart_tabs({"按月": "reviews_due_by_month", "逐个联盟": "reviews_timeline"}, fetch, scope, "reviews_charts")
    st.subheader(f"{terms.review}逾期（{len(overdue):,} 个，逾期最久的在前）")
    if overdue.empty:
        st.success(f"没有逾期的{terms.review}。")
    else:
        if review.overdue_action:
            st.error(f"{len(overdue):,} 个联盟逾期未{terms.review}，{review.overdue_action}——{clauses.cycle}。")
        ui.show_table(overdue, "review_schedule", scope, f"{terms.review}逾期的联盟", key="reviews_overdue",
                      columns=["alliance", "filed_date", "last_evaluation_date", "next_evaluation_due", "days_to_due",
                               *(["action"] if review.overdue_action else []), "alliance_id"])
    st.subheader(f"未来{PLAN_MONTHS}个月到期（{len(coming):,} 个）")
    ui.show_table(coming, "review_schedule", scope, f"未来{PLAN_MONTHS}个月{terms.review}到期的联盟", key="reviews_coming",
                  columns=["alliance", "status", "next_evaluation_due", "days_to_due", "last_evaluation_date",
                           "filed_date", "alliance_id"])

st.subheader("年度报告")
if not review.report_due:
    st.info(f"{profile_name}未规定年度报告（{clauses.report}），不检查年报是否提交。")
elif report_year is None:
    st.info(f"还没有到截止日期的年度报告（当前在册联盟都在最近一个截止年度或之后{terms.act}）。")
elif missing.empty:
    st.success(f"{report_year}年度报告应交的联盟都已提交。")
else:
    st.caption(f"截至统计日，{report_year}年度报告（截止每年 {review.report_due}）尚未提交的联盟。")
    ui.show_table(missing, "review_schedule", scope, f"{report_year}年度报告未交的联盟", key="reviews_missing",
                  columns=["alliance", "filed_date", "report_year", "last_report_year", "alliance_id"])

st.subheader("联盟协议到期")
if not review.agreement_term_years:
    st.info(f"{profile_name}未规定联盟协议期限（{clauses.agreement}），不推算协议到期。")
else:
    ui.show_chart("reviews_agreements", fetch, scope)
    undated = len(schedule) - len(dated)
    st.caption(f"协议到期日 = 协议签署日期 + {review.agreement_term_years} 年（{profile_name}）。"
               f"已到期 {len(expired):,} 个，未来{PLAN_MONTHS}个月到期 {len(expiring):,} 个"
               + (f"，{undated} 个未填协议签署日期、无法推算" if undated else "")
               + "。登记库只记一次签署日期：已重新签署的联盟请更新“协议签署日期”。")
    ui.show_table(pd.concat([expired, expiring]), "review_schedule", scope,
                  f"协议已到期及未来{PLAN_MONTHS}个月到期的联盟", key="reviews_agreements",
                  columns=["alliance", "agreement_expiry", "filed_date", "alliance_id"])
