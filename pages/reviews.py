"""评估与报告: evaluations falling due and overdue, annual reports missing, agreements expiring (review_schedule)."""
import pandas as pd
import streamlit as st

import ui
from figures.reviews import PLAN_MONTHS, due_within, horizon
from queries.policy import list_profiles, load_profile


def profiles_setting(attribute: str, unit: str) -> str:
    """The profiles that set a review rule, in words: 天津市（2018）3 年、渭南市（2015）3 年."""
    found = [(p.name, getattr(p.review, attribute)) for p in map(load_profile, list_profiles())]
    return "、".join(f"{name}{value} {unit}" for name, value in found if value) or "（暂无）"


version = ui.require_registry()
scope = ui.sidebar(version)
fetch = ui.fetcher(version, scope)
review = scope.profile.review
profile_name = scope.profile.name

st.title("评估与报告")
rules = [f"评估（复审）周期：{f'每 {review.cycle_years} 年' if review.cycle_years else '未规定'}",
         f"年度报告截止：{f'每年 {review.report_due}' if review.report_due else '不要求'}",
         f"协议期限：{f'{review.agreement_term_years} 年' if review.agreement_term_years else '未规定'}"]
how = ("下次评估 =（最近一次三年评估或复审，没有则备案日期）+ 周期；“即将到期”指统计截止日起 180 天内。"
       if review.cycle_years else "")
st.caption(f"{profile_name}：{'；'.join(rules)}。{how}", help=ui.analyst_note(["review_schedule"]))

schedule = fetch("review_schedule")
if schedule.empty:
    st.info("截至所选日期，当前筛选范围内没有在册联盟，没有评估、年报或协议需要跟踪。"
            "可调整左侧的统计截止日期或筛选条件；若尚未导入数据，请到“数据”页下载导入模板。")
    st.stop()

as_of = pd.Timestamp(scope.as_of)
limit = horizon(scope, PLAN_MONTHS)
overdue = schedule[schedule["status"] == "逾期"].sort_values(["days_to_due", "alliance"])
soon = schedule[schedule["status"] == "即将到期"]
coming = due_within(schedule, scope, PLAN_MONTHS)
coming = coming[coming["status"] != "逾期"]
missing = schedule[schedule["report_missing"].fillna(False).astype(bool)]
report_years = schedule["report_year"].dropna()
report_year = int(report_years.max()) if len(report_years) else None
dated = schedule[schedule["agreement_expiry"].notna()].sort_values(["agreement_expiry", "alliance"])
expired = dated[dated["agreement_expiry"] <= as_of]
expiring = dated[(dated["agreement_expiry"] > as_of) & (dated["agreement_expiry"] <= limit)]

# Only what the profile asks for: (label, value, help)
metrics = []
if review.cycle_years:
    metrics += [("评估逾期", len(overdue), "下次评估日期早于统计截止日"),
                ("180 天内到期", len(soon), None),
                (f"未来{PLAN_MONTHS}个月到期", len(coming), f"统计截止日至 {limit.date().isoformat()}，不含已逾期的")]
if review.report_due:
    metrics.append((f"{report_year}年度报告未交" if report_year else "年度报告未交", len(missing),
                    f"截止日（每年 {review.report_due}）已过的最近一个年度；该年之前备案的联盟才须提交"))
if review.agreement_term_years:
    metrics += [("协议已到期", len(expired), "协议签署日期 + 协议期限 ≤ 统计截止日：须重新签署"),
                (f"协议未来{PLAN_MONTHS}个月到期", len(expiring), None)]
if metrics:
    for col, (label, value, note) in zip(st.columns(len(metrics)), metrics):
        col.metric(label, f"{value} 个", help=note)

st.subheader("评估日程")
if not review.cycle_years:
    st.info(f"{profile_name}未规定评估（复审）周期，不排评估日程。如需按周期跟踪，请在左侧选择规定了周期的政策配置"
            f"（{profiles_setting('cycle_years', '年')}）。")
else:
    ui.show_chart("reviews_due_by_month", fetch, scope)
    ui.show_chart("reviews_timeline", fetch, scope)
    st.subheader(f"评估逾期（{len(overdue)} 个，逾期最久的在前）")
    if overdue.empty:
        st.success("没有逾期的评估。")
    else:
        ui.show_table(overdue, "review_schedule", scope, "评估逾期的联盟", key="reviews_overdue",
                      columns=["alliance", "filed_date", "last_evaluation_date", "next_evaluation_due", "days_to_due",
                               "alliance_id"])
    st.subheader(f"未来{PLAN_MONTHS}个月到期（{len(coming)} 个）")
    ui.show_table(coming, "review_schedule", scope, f"未来{PLAN_MONTHS}个月评估到期的联盟", key="reviews_coming",
                  columns=["alliance", "status", "next_evaluation_due", "days_to_due", "last_evaluation_date",
                           "filed_date", "alliance_id"])

st.subheader("年度报告")
if not review.report_due:
    st.info(f"{profile_name}不要求年度报告，不检查年报是否提交。")
elif report_year is None:
    st.info("还没有到截止日期的年度报告（当前在册联盟都在最近一个截止年度或之后备案）。")
elif missing.empty:
    st.success(f"{report_year}年度报告应交的联盟都已提交。")
else:
    st.caption(f"截至统计日，{report_year}年度报告（截止每年 {review.report_due}）尚未提交的联盟。")
    ui.show_table(missing, "review_schedule", scope, f"{report_year}年度报告未交的联盟", key="reviews_missing",
                  columns=["alliance", "filed_date", "report_year", "last_report_year", "alliance_id"])

st.subheader("联盟协议到期")
if not review.agreement_term_years:
    st.info(f"{profile_name}未规定联盟协议期限，不推算协议到期。规定了协议期限的政策配置："
            f"{profiles_setting('agreement_term_years', '年')}，在左侧选择即可查看。")
else:
    undated = len(schedule) - len(dated)
    st.caption(f"协议到期日 = 协议签署日期 + {review.agreement_term_years} 年（{profile_name}）。"
               f"已到期 {len(expired)} 个，未来{PLAN_MONTHS}个月到期 {len(expiring)} 个"
               + (f"，{undated} 个未填协议签署日期、无法推算" if undated else "")
               + "。登记库只记一次签署日期：已重新签署的联盟请更新“协议签署日期”。")
    ui.show_table(pd.concat([expired, expiring]), "review_schedule", scope,
                  f"协议已到期及未来{PLAN_MONTHS}个月到期的联盟", key="reviews_agreements",
                  columns=["alliance", "agreement_expiry", "filed_date", "alliance_id"])
