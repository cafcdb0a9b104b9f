"""简报导出: tick charts from every page under the current filters; download a PPTX, a PDF or PNG + SVG files."""
from itertools import groupby

import streamlit as st

import ui
from briefing import pack, source, static
from queries import bureau

FORMATS = {"pptx": "PPTX 演示文稿", "pdf": "PDF 文件", "zip": "图片压缩包（PNG + SVG）"}
CHART_MODES = {"native": "可编辑图表（在 WPS / PowerPoint 中可“编辑数据”）", "picture": "图片（供不支持图表的播放软件）"}
SINGLE = {"png": "PNG（2 倍清晰度）", "svg": "SVG（矢量）", "pdf": "PDF（矢量）"}


@st.cache_resource(show_spinner=False, ttl=300)   # re-checked every 5 minutes, e.g. after installing a font
def _environment_problem() -> str | None:
    """Why static export cannot run on this server (Chinese), or None; then start the browser in the background."""
    try:
        static.check_environment()
    except static.ExportError as e:
        return str(e)
    static.warm_up_in_background()
    return None


version = ui.require_registry()
scope = ui.sidebar(version)
fetch = ui.fetcher(version, scope)

st.title("简报导出")
st.caption(f"按左侧当前筛选条件生成（{scope.describe()}）。每张图一页，附一句由数据算出的要点；"
           "幻灯片备注和 PDF 页脚写明筛选条件和回到看板的链接。")
problem = _environment_problem()
if problem:
    st.error(problem)

charts = source.catalogue(fetch=fetch, scope=scope)  # only the charts that apply to this profile
if not charts:
    st.info("还没有可导出的图表。")
    st.stop()

chosen: list[str] = []
columns = st.columns(2)
for n, (page, group) in enumerate(groupby(charts, key=lambda c: c.page_for(scope.profile))):
    with columns[n % 2].container(border=True):
        st.markdown(f"**{page}**")
        for chart in group:
            if st.checkbox(chart.title_for(scope.profile), value=True, key=f"brief_{chart.id}",
                           help=ui.takeaway(chart.id, fetch, scope) or None):
                chosen.append(chart.id)

alliance = None
# folded: drawn (and the directory read) only while open — a picker of up to 200 alliances on every load otherwise
with st.expander("加上单个联盟的档案图（可选）", key="brief_alliance_box", on_change="rerun") as box:
    if box.open:
        directory = fetch("alliance_directory")
        alliance, _ = ui.pick_alliance(directory, "brief_alliance")
        if alliance:
            for chart in source.catalogue(per_alliance=True, fetch=fetch, scope=scope):
                if source.is_per_alliance(chart.id) and st.checkbox(chart.title, value=True, key=f"brief_{chart.id}"):
                    chosen.append(chart.id)
        else:
            st.caption("选择联盟后可勾选它的成员构成、评审记录、补贴和年度报告图。")

fmt = st.radio("格式", list(FORMATS), format_func=FORMATS.get, horizontal=True, key="brief_format")
charts_as, page = "native", "a4"
if fmt == "pptx":
    charts_as = st.radio("图表", list(CHART_MODES), format_func=CHART_MODES.get, horizontal=True, key="brief_charts",
                         help="热力图和逐个联盟的时间线总是图片")
elif fmt == "pdf":
    page = st.radio("页面", list(static.SIZES), format_func=lambda s: static.SIZES[s].label, horizontal=True,
                    key="brief_page")
# what the pack depends on
request = (fmt, charts_as, page, tuple(chosen), alliance, scope.profile.id, scope.describe(), version, bureau.stamp())
left, right = st.columns([1, 3])
clicked = left.button(f"生成简报（{len(chosen)} 张图）", type="primary", disabled=bool(problem) or not chosen)
if not chosen:
    right.caption("请至少勾选一张图。")

if clicked:
    bar = st.progress(0.0, text="准备中…")
    try:
        built = pack.build(fmt, chosen, fetch, scope, alliance=alliance, charts=charts_as, page=page,
                           progress=lambda fraction, text: bar.progress(min(fraction, 1.0), text=text))
    except (static.ExportError, KeyError, ValueError) as e:
        bar.empty()
        st.error(str(e.args[0] if e.args else e))
    else:
        bar.empty()
        st.session_state["brief_pack"] = (request, built)

saved = st.session_state.get("brief_pack")
if saved and saved[0] == request:
    built = saved[1]
    st.success(f"已生成：{built.filename}（{len(built.items)} 张图，{len(built.data) / 1024:,.0f} KB）")
    st.download_button(f"下载 {FORMATS[fmt]}", built.data, built.filename, built.mime, type="primary",
                       key="brief_download")
    for item in built.failures:
        st.warning(f"{item.title}：生成失败（{item.error}），该页只有说明文字。")
    empty = [i.title for i in built.items if i.figure is None and not i.error]
    if empty:
        st.caption(f"当前筛选条件下没有数据的图（只有说明页）：{'、'.join(empty)}")
elif saved:
    st.caption("勾选、格式或筛选条件已改变，请重新生成。")

st.divider()
# folded: three pickers on every load otherwise; drawn while open
with st.expander("单张图导出（PNG、SVG 或 PDF）", key="one_box", on_change="rerun") as box:
    if box.open:
        st.caption("与看板上的图相同：标题、数据来源和截至日期都在图中。PNG 适合插入幻灯片，SVG 和 PDF 为矢量，放大不失真。")
        by_id = {c.id: c for c in charts}
        cols = st.columns([3, 2, 2])
        one_id = cols[0].selectbox("图表", list(by_id), format_func=lambda i: f"{by_id[i].page_for(scope.profile)} · {by_id[i].title_for(scope.profile)}",
                                   key="one_chart")
        one_fmt = cols[1].selectbox("格式", list(SINGLE), format_func=SINGLE.get, key="one_format")
        one_size = cols[2].selectbox("尺寸", list(static.SIZES), format_func=lambda s: static.SIZES[s].label, key="one_size")
        if st.button("生成图片", disabled=bool(problem), key="one_go"):
            with st.spinner("正在生成…"):
                try:
                    export = static.export_chart(one_id, fetch, scope, one_fmt, one_size)
                except static.ExportError as e:
                    st.error(str(e))
                    export = None
                else:
                    if export is None:
                        st.info(f"{by_id[one_id].title}：当前筛选条件下没有数据。")
            st.session_state["one_export"] = ((one_id, one_fmt, one_size, scope.describe()), export)
        one = st.session_state.get("one_export")
        if one and one[0] == (one_id, one_fmt, one_size, scope.describe()) and one[1] is not None:
            st.download_button(f"下载 {one[1].filename}", one[1].data, one[1].filename, one[1].mime, key="one_download")
