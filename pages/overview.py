"""总览: where the programme stands — headline figures, target progress, cluster coverage."""
import plotly.express as px
import streamlit as st

import ui

version = ui.require_registry()
profile, as_of = ui.sidebar_filters()

st.title("联盟看板 · 总览")
kpis = ui.query(version, "overview_kpis", profile.id, as_of)
if kpis.empty:
    st.info("登记库中还没有联盟。")
    st.stop()
k = kpis.iloc[0]

cols = st.columns(4)
cols[0].metric("在册联盟", f"{int(k.active_alliances)} 个", help="备案日期不晚于统计日，且未撤销（overview_kpis）")
cols[1].metric(f"{as_of.year}年新备案", f"{int(k.filed_this_year)} 个")
cols[2].metric("成员单位", f"{int(k.members):,} 家次", help="在册联盟的现有成员；同一单位加入两个联盟计两次")
cols[3].metric(f"{as_of.year}年补贴", ui.wan(k.subsidy_this_year_wan), help=f"累计 {ui.wan(k.subsidy_total_wan)}，不含已收回")

cols = st.columns(4)
cols[0].metric("评估逾期", f"{int(k.evaluations_overdue)} 个")
report_label = f"{int(k.report_year)}年度报告未交" if k.report_year == k.report_year and k.report_year is not None else "年度报告未交"
cols[1].metric(report_label, f"{int(k.reports_missing)} 个")
if k.next_target_label is not None and k.next_target_label == k.next_target_label:
    band = (f"{int(k.next_target_low)}" if k.next_target_low == k.next_target_high
            else f"{int(k.next_target_low)}–{int(k.next_target_high)}")
    cols[2].metric(f"目标：{k.next_target_label}（{int(k.next_target_year)}年 {band} 个）",
                   f"已完成 {int(k.next_target_achieved)} 个", f"完成率 {float(k.next_target_progress):.0%}",
                   delta_color="off")
    cols[3].metric("距目标下限", f"{int(k.next_target_gap)} 个")

coverage = ui.query(version, "coverage_by_cluster", profile.id, as_of)
if not coverage.empty:
    labels = ui.labels("coverage_by_cluster")
    fig = px.bar(coverage, x="cluster", y="alliances_active", text="alliances_active",
                 labels=labels, title=f"各产业集群在册联盟数（{profile.name}）")
    fig.update_traces(textposition="outside", cliponaxis=False)
    fig.update_layout(xaxis_title=None, yaxis_title="在册联盟（个）", margin=dict(t=60))
    st.plotly_chart(fig, width="stretch")
    uncovered = coverage[(~coverage["covered"].astype(bool)) & (coverage["cluster"] != "未归类")]["cluster"].tolist()
    if uncovered:
        st.warning("尚无在册联盟的集群：" + "、".join(uncovered))

st.caption(ui.footnote(version, as_of))
