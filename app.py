"""联盟看板 — entry point: page routing only (`streamlit run app.py`)."""
from functools import cache

import streamlit as st
from PIL import Image, ImageDraw
from streamlit.runtime.scriptrunner import get_script_run_ctx

import auth
import guard
import navigation
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



def unknown_path_opens_home() -> None:
    """/overview (the home page lives at /) or any path no page has: open 总览 quietly instead of
    Streamlit's English "Page not found" dialog."""
    ctx = get_script_run_ctx()
    manager = ctx.pages_manager if ctx else None
    if manager is None or manager.intended_page_script_hash or not manager.intended_page_name:
        return
    if manager.intended_page_name not in {page.path for page in navigation.PAGES}:   # the home page only at /
        manager.set_script_intent("", "")


with guard.errors_reported():  # a traceback never reaches the browser: logged with an id instead
    auth.sidebar_login()
    unknown_path_opens_home()
    words = ui.viewed_profile().in_words   # 领域覆盖, 复审与报告: the navigation in the profile's words
    PAGES = {group: [st.Page(p.file, title=words(p.title), icon=p.icon, url_path=p.url_path, default=p.default)
                     for p in pages] for group, pages in navigation.groups().items()}
    page = st.navigation(PAGES, expanded=True)  # every page listed: beyond 12 Streamlit folds them under "View N more"
    ui.keep_filters()
    page.run()
