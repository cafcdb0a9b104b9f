"""联盟看板 — entry point: page routing only (`streamlit run app.py`)."""
import streamlit as st

st.set_page_config(page_title="联盟看板", page_icon="📊", layout="wide")

pages = [
    st.Page("pages/overview.py", title="总览", icon="🏠", default=True),
]
st.navigation(pages).run()
