"""总览: where the programme stands — headline figures with change on last year, target, coverage, what needs attention."""
import datetime as dt

import pandas as pd
import streamlit as st

import ui

version = ui.require_registry()
scope = ui.sidebar(version)
fetch = ui.fetcher(version, scope)

st.title("总览")
kpis = fetch("overview_kpis")
k = kpis.iloc[0]
if int(k.active_alliances) == 0:
    st.info("截至所选日期，登记库中还没有在册联盟。可调整左侧的统计截止日期或筛选条件；若尚未导入数据，请到“数据”页下载导入模板。")
    st.stop()
try:
    year_ago = scope.as_of.replace(year=scope.as_of.year - 1)
except ValueError:  # 29 February
    year_ago = scope.as_of - dt.timedelta(days=365)
prev = fetch("overview_kpis", as_of=year_ago).iloc[0]


def delta(now, before, unit: str = "个") -> str:
    change = float(now) - float(before)
    return f"{change:+,.0f} {unit}（较上年同期）" if unit != "万元" else f"{change:+,.2f} 万元（较上年同期）"


cols = st.columns(4)
cols[0].metric("在册联盟", f"{int(k.active_alliances)} 个", delta(k.active_alliances, prev.active_alliances),
               help="备案日期不晚于统计日，且未在统计日或之前撤销、解散（查询 overview_kpis）")
cols[1].metric(f"{scope.as_of.year}年新备案", f"{int(k.filed_this_year)} 个",
               delta(k.filed_this_year, prev.filed_this_year))
cols[2].metric("成员单位", f"{int(k.members):,} 家次", delta(k.members, prev.members, "家次"),
               help="在册联盟的现有成员；同一单位加入两个联盟计两次")
cols[3].metric(f"{scope.as_of.year}年补贴", ui.wan(k.subsidy_this_year_wan),
               delta(k.subsidy_this_year_wan, prev.subsidy_this_year_wan, "万元"),
               help=f"按补贴所属年度统计，不含已收回；累计 {ui.wan(k.subsidy_total_wan)}")
cols = st.columns(4)
cols[0].metric("评估逾期", f"{int(k.evaluations_overdue)} 个", delta(k.evaluations_overdue, prev.evaluations_overdue),
               delta_color="inverse")
report = f"{int(k.report_year)}年度报告未交" if pd.notna(k.report_year) else "年度报告未交"
cols[1].metric(report, f"{int(k.reports_missing)} 个", delta_color="inverse")
if isinstance(k.next_target_label, str):
    band = (f"{int(k.next_target_low)}" if k.next_target_low == k.next_target_high
            else f"{int(k.next_target_low)}–{int(k.next_target_high)}")
    cols[2].metric(f"目标：{k.next_target_label}（{int(k.next_target_year)}年 {band} 个）",
                   f"已完成 {int(k.next_target_achieved)} 个", f"完成率 {float(k.next_target_progress):.0%}",
                   delta_color="off")
    cols[3].metric("距目标下限", f"{int(k.next_target_gap)} 个")
else:
    cols[2].metric("目标", "—", help=f"{scope.profile.name}没有尚未到期的数量目标（见“目标进度”页）")

left, right = st.columns([3, 2])
with left:
    ui.show_chart("overview_coverage", fetch, scope)
with right:
    ui.show_chart("overview_composition", fetch, scope)

st.subheader("需关注")
reviews = fetch("review_schedule")
overdue = reviews[reviews["status"] == "逾期"]
missing = reviews[reviews["report_missing"].fillna(False).astype(bool)]
failing = fetch("eligibility_check")
failing = failing[~failing["ok"].fillna(False).astype(bool)]
tabs = st.tabs([f"评估逾期（{len(overdue)}）", f"年度报告未交（{len(missing)}）", f"不符合备案条件（{len(failing)}）"])
with tabs[0]:
    st.page_link("pages/reviews.py", label="到“评估与报告”页查看", icon=":material/arrow_forward:",
                 query_params=ui.page_links_keep_filters())
    ui.show_table(overdue, "review_schedule", scope, "评估逾期的联盟", key="overdue",
                  columns=["alliance", "filed_date", "last_evaluation_date", "next_evaluation_due", "days_to_due"])
with tabs[1]:
    st.page_link("pages/reviews.py", label="到“评估与报告”页查看", icon=":material/arrow_forward:",
                 query_params=ui.page_links_keep_filters())
    ui.show_table(missing, "review_schedule", scope, "年度报告未交的联盟", key="missing",
                  columns=["alliance", "filed_date", "report_year", "last_report_year"])
with tabs[2]:
    st.page_link("pages/compliance.py", label="到“合规检查”页查看", icon=":material/arrow_forward:",
                 query_params=ui.page_links_keep_filters())
    ui.show_table(failing, "eligibility_check", scope, "不符合备案条件的联盟", key="failing",
                  columns=["alliance", "member_count", "core_member_count", "problems"])
