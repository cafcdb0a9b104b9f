"""年度工作重点: the draft plan for a year (default next year, ?year= in the URL), its tables, and a Word copy."""
import streamlit as st

import ui
from figures import work_plan

version = ui.require_registry()
scope = ui.sidebar(version)
fetch = ui.fetcher(version, scope)

st.title("年度工作重点")
if int(fetch("overview_kpis").iloc[0].active_alliances) == 0:
    st.info("截至所选日期，登记库中还没有在册联盟，暂无可测算的工作重点。可调整左侧的统计截止日期或筛选条件；"
            "若尚未导入数据，请到“数据”页下载导入模板。")
    st.stop()

years = list(range(scope.as_of.year, scope.as_of.year + 6))
asked = st.query_params.get("year", "")
default = int(asked) if asked.isdigit() and int(asked) in years else scope.as_of.year + 1
left, right, _ = st.columns([1, 1, 2], vertical_alignment="bottom")
year = left.selectbox("计划年度", years, index=years.index(default), format_func=lambda y: f"{y}年", key="p_year",
                      help="默认为统计截止日期的下一年")
ui.set_url(year=str(year))

plan = work_plan.build_plan(fetch, scope, year)
# Built only when clicked: a Word file of every appendix is not worth building on each view.
right.download_button("下载 Word 草稿（.docx）", lambda: work_plan.to_docx(plan),
                      f"{year}年联盟工作重点（草稿）_{scope.as_of.isoformat()}.docx",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document", type="primary",
                      key="wp_docx", help="公文格式（GB/T 9704）：A4，仿宋三号正文，页码「— 1 —」；"
                                          "命令行：python -m briefing --format docx")

st.subheader(plan.title)
st.caption(plan.basis + "以下为自动生成的草稿，供修改。")
for i, section in enumerate(plan.sections, 1):
    st.markdown(f"**{work_plan.numeral(i)}、{ui.escape_markdown(section.heading)}**：{ui.escape_markdown(section.text)}")
    if section.points:
        st.markdown("\n".join(f"- {ui.escape_markdown(p)}" for p in section.points))
st.caption(ui.escape_markdown(ui.source_line(scope, "work_priorities")), help=ui.analyst_note(work_plan.QUERIES))

st.subheader("附表")
for i, appendix in enumerate(plan.appendices, 1):
    st.markdown(f"**附表{i}　{ui.escape_markdown(appendix.title)}**")
    ui.show_table(appendix.frame, appendix.query, scope, appendix.title, key=f"wp_{appendix.key}",
                  columns=list(appendix.columns))
