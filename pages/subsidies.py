"""资金补贴: money paid in the year range by year, kind, cluster and region (one total, four views), and the caps check."""
import streamlit as st

import ui
from figures.subsidies import totals

version = ui.require_registry()
scope = ui.sidebar(version)
fetch = ui.fetcher(version, scope)

st.title("资金补贴")
every_year = fetch("subsidy_totals", group_by="year")     # all years up to the as_of year, for the 累计 figure
if every_year.empty:
    st.info("截至所选日期，所选范围内没有已拨付的补贴记录。可调整左侧的统计截止日期或筛选条件；"
            "若尚未导入补贴明细，请到“数据导入”页导入“资金补贴”表。")
    st.stop()

in_range = totals(fetch, scope, "year")
caps = fetch("subsidy_cap_check", **scope.year_params())
over = caps[caps["over_cap"].astype(bool)]
total, count = float(every_year["amount_wan"].sum()), int(every_year["count"].sum())
first, last = int(every_year["year"].min()), int(every_year["year"].max())
years = f"{first}年" if first == last else f"{first}–{last}年"
narrowed = len(in_range) != len(every_year)
span = f"{scope.year_from}–{scope.year_to}年"
cols = iter(st.columns(3 if narrowed else 2))
next(cols).metric("累计拨付", ui.wan(total), f"{years}，{count:,} 笔", delta_color="off", delta_arrow="off",
                  help="按补贴所属年度统计，不含已收回（查询 subsidy_totals）")
if narrowed:
    next(cols).metric(f"其中 {span}", ui.wan(in_range["amount_wan"].sum()),
                      f"{int(in_range['count'].sum()):,} 笔", delta_color="off", delta_arrow="off",
                      help="左侧“年份范围”内的年度；本页的图和上限核对表都按此范围统计")
next(cols).metric("超过政策上限", f"{len(over):,} 项" if scope.profile.subsidy_caps else "未规定上限",
                  ui.wan(over["excess_wan"].sum()) + " 超出" if len(over) else None,
                  delta_color="inverse", delta_arrow="off",
                  help="某联盟某年度某类补贴合计超过政策配置的上限（查询 subsidy_cap_check）；按左侧年份范围")

if narrowed:
    st.caption(f"以下各图和上限核对表按左侧年份范围（{span}）统计，合计 {ui.wan(in_range['amount_wan'].sum())}；"
               f"{years}全部补贴合计 {ui.wan(total)}。")
if in_range.empty:
    st.info(f"{span}没有已拨付的补贴记录。可调整左侧的年份范围。")
    st.stop()
# one total, four views, one at a time (the cluster view says why when the profile has no classification)
ui.chart_tabs({"按年度": "subsidies_by_year", "按类型": "subsidies_by_kind", f"按{scope.profile.terms.cluster}":
               "subsidies_by_cluster", "按区域": "subsidies_by_region"}, fetch, scope, "subsidies_charts")
if kind := ui.drilled("kind"):  # a click on the chart above: the list behind that bar
    st.subheader(ui.escape_markdown(f"“{kind}”补贴（按联盟、年度合计）"), anchor=False)
    ui.show_table(caps[caps["kind"] == kind], "subsidy_cap_check", scope, f"“{kind}”补贴（按联盟、年度合计）",
                  key="by_kind", columns=["alliance", "year", "amount_wan", "cap_wan", "over_cap", "payments"],
                  folded=False)   # asked for by the click

st.subheader("补贴上限核对")
if not scope.profile.subsidy_caps:
    st.info(f"“{scope.profile.name}”政策配置没有规定补贴上限，下表只列出各联盟每年每类补贴的合计。")
else:
    limits = "；".join(f"{kind} ≤ {cap:g} 万元" for kind, cap in scope.profile.subsidy_caps.items())
    st.caption(f"政策上限：{limits}。按“联盟 × 补贴类型 × 年度”合计后与上限比较。")
if scope.profile.subsidy_caps and over.empty:
    st.success("所选年份内没有超过政策上限的补贴。")
elif not over.empty:
    st.error(f"以下 {len(over):,} 项超过政策上限，合计超出 {ui.wan(over['excess_wan'].sum())}：")
    ui.show_table(over, "subsidy_cap_check", scope, "超过政策上限的补贴", key="over_cap",
                  columns=["alliance", "kind", "year", "amount_wan", "cap_wan", "excess_wan", "payments"])
ui.show_table(caps, "subsidy_cap_check", scope, "全部补贴合计与上限（超上限的在前）", key="cap_check",
              columns=["alliance", "kind", "year", "amount_wan", "cap_wan", "over_cap", "excess_wan", "payments"])
