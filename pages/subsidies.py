"""资金补贴: money paid by year, kind, cluster and region (one total, four views), and the policy caps check."""
import streamlit as st

import ui
from figures.subsidies import totals

version = ui.require_registry()
scope = ui.sidebar(version)
fetch = ui.fetcher(version, scope)

st.title("资金补贴")
by_year = totals(fetch, "year")
if by_year.empty:
    st.info("截至所选日期，所选范围内没有已拨付的补贴记录。可调整左侧的统计截止日期或筛选条件；"
            "若尚未导入补贴明细，请到“数据导入”页导入“资金补贴”表。")
    st.stop()

caps = fetch("subsidy_cap_check")
over = scope.in_years(caps[caps["over_cap"].astype(bool)])
total, count = float(by_year["amount_wan"].sum()), int(by_year["count"].sum())
first, last = int(by_year["year"].min()), int(by_year["year"].max())
years = f"{first}年" if first == last else f"{first}–{last}年"
in_range = scope.in_years(by_year)
narrowed = len(in_range) != len(by_year)
cols = iter(st.columns(3 if narrowed else 2))
next(cols).metric("累计拨付", ui.wan(total), f"{years}，{count:,} 笔", delta_color="off", delta_arrow="off",
                  help="按补贴所属年度统计，不含已收回（查询 subsidy_totals）；下面按类型、集群、区域的合计都等于此数")
if narrowed:
    next(cols).metric(f"其中 {scope.year_from}–{scope.year_to}年", ui.wan(in_range["amount_wan"].sum()),
                      f"{int(in_range['count'].sum()):,} 笔", delta_color="off", delta_arrow="off",
                      help="左侧“年份范围”内的年度；只作用于“历年补贴金额”图和上限核对表")
next(cols).metric("超过政策上限", f"{len(over)} 项" if scope.profile.subsidy_caps else "未规定上限",
                  ui.wan(over["excess_wan"].sum()) + " 超出" if len(over) else None,
                  delta_color="inverse", delta_arrow="off",
                  help="某联盟某年度某类补贴合计超过政策配置的上限（查询 subsidy_cap_check）；按左侧年份范围")

ui.show_chart("subsidies_by_year", fetch, scope)
if narrowed:
    st.caption(f"年份范围只作用于上图和上限核对表；以下按类型、集群、区域的三张图为 {years}全部补贴，"
               f"合计 {ui.wan(total)}。")
ui.show_chart("subsidies_by_kind", fetch, scope)
if kind := ui.drilled("kind"):  # a click on the chart above: the list behind that bar
    st.subheader(ui.escape_markdown(f"“{kind}”补贴（按联盟、年度合计）"), anchor=False)
    ui.show_table(caps[caps["kind"] == kind], "subsidy_cap_check", scope, f"“{kind}”补贴（按联盟、年度合计）",
                  key="by_kind", columns=["alliance", "year", "amount_wan", "cap_wan", "over_cap", "payments"])
if scope.profile.taxonomy:
    ui.show_chart("subsidies_by_cluster", fetch, scope)
else:
    st.caption(f"“{scope.profile.name}”政策配置没有规定产业集群，不按集群统计补贴。")
ui.show_chart("subsidies_by_region", fetch, scope)

st.subheader("补贴上限核对")
if not scope.profile.subsidy_caps:
    st.info(f"“{scope.profile.name}”政策配置没有规定补贴上限，下表只列出各联盟每年每类补贴的合计。")
else:
    limits = "；".join(f"{kind} ≤ {cap:g} 万元" for kind, cap in scope.profile.subsidy_caps.items())
    st.caption(f"政策上限：{limits}。按“联盟 × 补贴类型 × 年度”合计后与上限比较。")
checked = scope.in_years(caps)
if scope.profile.subsidy_caps and over.empty:
    st.success("所选年份内没有超过政策上限的补贴。")
elif not over.empty:
    st.error(f"以下 {len(over)} 项超过政策上限，合计超出 {ui.wan(over['excess_wan'].sum())}：")
    ui.show_table(over, "subsidy_cap_check", scope, "超过政策上限的补贴", key="over_cap",
                  columns=["alliance", "kind", "year", "amount_wan", "cap_wan", "excess_wan", "payments"])
with st.expander(f"全部补贴合计与上限（{len(checked)} 项，超上限的在前）"):
    ui.show_table(checked, "subsidy_cap_check", scope, "补贴上限核对", key="cap_check",
                  columns=["alliance", "kind", "year", "amount_wan", "cap_wan", "over_cap", "excess_wan", "payments"])
