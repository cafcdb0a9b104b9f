"""联盟看板 — entry point: page routing only (`streamlit run app.py`)."""
from functools import cache

import streamlit as st
from PIL import Image, ImageDraw
from streamlit.runtime.scriptrunner import get_script_run_ctx

import auth
import guard
import ui


@cache
def favicon() -> Image.Image:
    """Three bars, drawn here: a material-icon favicon comes from fonts.gstatic.com (intranets have no internet)."""
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 63, 63), radius=12, fill="#1F4E79")
    for left, top in ((12, 34), (27, 20), (42, 10)):
        draw.rectangle((left, top, left + 10, 52), fill="#FFFFFF")
    return image


st.set_page_config(page_title="联盟看板", page_icon=favicon(), layout="wide")

PAGES = {
    "看板": [
        st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True, url_path="overview"),
        st.Page("pages/targets.py", title="目标进度", icon=":material/flag:", url_path="targets"),
        st.Page("pages/coverage.py", title="产业集群覆盖", icon=":material/hub:", url_path="coverage"),
        st.Page("pages/subsidies.py", title="资金补贴", icon=":material/payments:", url_path="subsidies"),
        st.Page("pages/reviews.py", title="评估与报告", icon=":material/event:", url_path="reviews"),
        st.Page("pages/compliance.py", title="合规检查", icon=":material/rule:", url_path="compliance"),
        st.Page("pages/alliance.py", title="联盟档案", icon=":material/search:", url_path="alliance"),
    ],
    "工作": [
        st.Page("pages/priorities.py", title="年度工作重点", icon=":material/edit_note:", url_path="priorities"),
        st.Page("pages/briefing.py", title="简报导出", icon=":material/slideshow:", url_path="briefing"),
    ],
    "数据": [
        st.Page("pages/data.py", title="数据", icon=":material/database:", url_path="data"),
        st.Page("pages/import.py", title="数据导入", icon=":material/upload_file:", url_path="import"),
        st.Page("pages/audit.py", title="操作记录", icon=":material/history:", url_path="audit"),
        st.Page("pages/settings.py", title="设置", icon=":material/tune:", url_path="settings"),
    ],
}



def unknown_path_opens_home() -> None:
    """/overview (the home page lives at /) or any path no page has: open 总览 quietly instead of
    Streamlit's English "Page not found" dialog."""
    ctx = get_script_run_ctx()
    manager = ctx.pages_manager if ctx else None
    if manager is None or manager.intended_page_script_hash or not manager.intended_page_name:
        return
    if manager.intended_page_name not in {page.url_path for pages in PAGES.values() for page in pages}:
        manager.set_script_intent("", "")


with guard.errors_reported():  # a traceback never reaches the browser: logged with an id instead
    auth.sidebar_login()
    unknown_path_opens_home()
    page = st.navigation(PAGES, expanded=True)  # every page listed: beyond 12 Streamlit folds them under "View N more"
    ui.keep_filters()
    page.run()
