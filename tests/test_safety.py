"""Safety across the app: names with HTML or script show as text, exports neutralise formulas, SQL binds
its values, contact data only for editors.

The registry holds alliances named ``<script>alert(1)</script>天津市测试联盟``, ``<b>粗体</b>联盟`` and
``=HYPERLINK(…)联盟``, a lead unit with an ``<img onerror>``, and contacts. (The browser half, that no
script ever runs on any page, is the end of tests/test_page_import.py.)
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any, Iterator

import openpyxl
import pandas as pd
import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

import auth
import figures
import navigation
from briefing import source
from figures import Scope, tables
from loaders.pipeline import prepare
from loaders.registry import connect_read_only
from loaders.store import import_batch
from queries import catalogue, runner
from queries.fetch import RegistryFetch
from queries.policy import load_profile
from app_pages import app, open_lists

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "<script>alert(1)</script>天津市测试联盟"
BOLD = "<b>粗体</b>联盟"
FORMULA = '=HYPERLINK("http://evil.example","点我")联盟'
IMG_UNIT = "<img src=x onerror=alert(2)>公司"
RAW_MARKUP = ("<script", "<b>", "<img")
PHONE = "022-88886666"
PAGES = [page.file for page in navigation.PAGES]
HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("安全测试 password")
AS_OF = dt.date(2024, 12, 31)


def write_csv(path: Path, rows: list[list[Any]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


@pytest.fixture(scope="module")
def html_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four filed alliances (three with hostile names), members, a subsidy, an evaluation, contacts."""
    folder = tmp_path_factory.mktemp("html")
    names = {"TJ-X1": SCRIPT, "TJ-X2": BOLD, "TJ-X3": FORMULA, "TJ-X4": "天津市普通联盟"}
    alliances = [["联盟编号", "联盟名称", "对外责任主体单位", "所属区域", "产业领域", "级别", "备案日期", "联系人", "联系电话"]]
    alliances += [[i, n, IMG_UNIT if i == "TJ-X1" else "甲公司", "和平区", "人工智能", "市级", "2019-03-01", "赵六", PHONE]
                  for i, n in names.items()]
    members = [["联盟编号", "单位名称", "单位类型", "角色", "注册地", "是否核心成员"]]
    members += [[i, unit, kind, "成员单位", "天津市和平区", "是"] for i in names
                for unit, kind in ((IMG_UNIT, "企业"), ("<i>斜体</i>大学", "高校"))]
    paths = [write_csv(folder / "联盟名录.csv", alliances), write_csv(folder / "成员单位.csv", members),
             write_csv(folder / "资金补贴.csv", [["联盟编号", "年度", "补贴类型", "金额（万元）"], ["TJ-X1", "2024", "备案补贴", "50"]]),
             write_csv(folder / "评审记录.csv", [["联盟编号", "事项", "日期", "结果"], ["TJ-X2", "三年评估", "2022-03-01", "良好"]])]
    batch = prepare(paths)
    assert batch.ok, [str(p) for p in batch.errors]
    db = folder / "registry.duckdb"
    import_batch(db, batch, user="测试员")
    return db


def app_page(db: Path, page: str, monkeypatch, editor: bool = False, **query: str) -> AppTest:
    monkeypatch.setenv("REGISTRY_DB", str(db))
    monkeypatch.delenv(auth.ENV_EDITORS, raising=False)
    return open_lists(app({"editors": {"张三": HASH}}, "张三" if editor else None, **query).switch_page(page).run())


def walk(node) -> Iterator[Any]:
    """Every element of an AppTest tree."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def shown_text(at: AppTest) -> str:
    """All text the page shows: markdown-like bodies, labels, metric values, option lists and table cells."""
    parts: list[str] = []
    for el in walk(at._tree):
        for attr in ("value", "label", "body"):
            value = getattr(el, attr, None) if attr != "value" or el.type not in ("button", "download_button") else None
            if isinstance(value, str):
                parts.append(value)
            elif isinstance(value, pd.DataFrame):
                parts.append(value.to_csv())
        parts += [str(o) for o in getattr(el, "options", []) or []]
    return "\n".join(parts)


# ---- names as text --------------------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_registry_text_as_text_and_hides_contacts_from_viewers(html_db: Path, page: str,
                                                                                  monkeypatch):
    at = app_page(html_db, page, monkeypatch, alliance="TJ-X1")
    assert not at.exception, at.exception[0].value if at.exception else ""
    for el in walk(at._tree):
        proto = getattr(el, "proto", None)
        if el.type == "html" or getattr(proto, "allow_html", False):  # st.html / unsafe_allow_html
            body = getattr(proto, "body", "")
            assert not any(mark in body for mark in RAW_MARKUP), f"{page}：数据进入了 HTML：{body[:120]}"
    text = shown_text(at)
    assert PHONE not in text and "赵六" not in text, f"{page}：向未登录的读者显示了联系人信息"


@pytest.mark.parametrize("page, names", [("pages/alliance.py", (SCRIPT, BOLD, FORMULA)),  # the chooser
                                         ("pages/reviews.py", (SCRIPT, BOLD))],             # a table
                         ids=["alliance", "reviews"])
def test_the_names_are_shown_as_written(html_db: Path, page: str, names: tuple[str, ...], monkeypatch):
    text = shown_text(app_page(html_db, page, monkeypatch))
    for name in names:
        assert name in text


def test_an_alliance_page_titled_with_markup_shows_it_literally(html_db: Path, monkeypatch):
    at = app_page(html_db, "pages/alliance.py", monkeypatch, alliance="TJ-X1")
    assert not at.exception
    unescaped = re.sub(r"\\(.)", r"\1", shown_text(at))  # Markdown escapes, as the page writes them
    assert SCRIPT in unescaped and IMG_UNIT in unescaped


def chart_strings(fig) -> Iterator[str]:
    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                yield from strings(v)
        elif hasattr(value, "tolist"):
            yield from strings(value.tolist())
    yield from strings(fig.to_plotly_json())


@pytest.mark.parametrize("chart_id", sorted(figures.all_charts()))
def test_charts_escape_markup_in_names(html_db: Path, chart_id: str):
    """Plotly renders <b>, <i>, <br> … in any text it draws, so registry text must reach it escaped."""
    scope = Scope(load_profile("tianjin-2018"), AS_OF, 2010, 2024)
    with RegistryFetch(html_db, scope) as fetch:
        if source.is_per_alliance(chart_id):
            fetch = source.for_alliance(fetch, "TJ-X1")[0]
        fig, _ = figures.render(chart_id, fetch, scope)
    if fig is None:
        return
    raw = [s for s in chart_strings(fig) if any(mark in s for mark in ("<script", "<b>粗体", "<img", "<i>斜体"))]
    assert raw == [], f"{chart_id}：名称未转义就交给了 Plotly"


# ---- exports -----------------------------------------------------------------------------------------

RISKY = pd.DataFrame({"name": ["=1+2", "+8613800000000", "-5", "@SUM(A1)", "正常", FORMULA],
                      "number": [1, -5, 3, 4, 5, 6], "amount": [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0]})


def test_csv_export_neutralises_formula_cells():
    rows = list(csv.reader(io.StringIO(tables.to_csv(RISKY, {"name": "联盟名称"}).decode("utf-8-sig"))))
    assert rows[0] == ["联盟名称", "number", "amount"]
    assert [r[0] for r in rows[1:]] == ["'=1+2", "'+8613800000000", "'-5", "'@SUM(A1)", "正常", "'" + FORMULA]
    assert [r[1] for r in rows[1:]] == ["1", "-5", "3", "4", "5", "6"]   # numbers stay numbers
    assert rows[1][2] == "-1.5"


def test_xlsx_export_neutralises_formula_cells():
    book = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(RISKY, {"name": "联盟名称"}, "标题", "脚注")))
    sheet = book.active
    cells = [sheet.cell(row=r, column=1) for r in range(3, 3 + len(RISKY))]
    assert all(c.data_type == "s" for c in cells)   # text, never a formula
    assert [c.value for c in cells] == ["'=1+2", "'+8613800000000", "'-5", "'@SUM(A1)", "正常", "'" + FORMULA]
    assert sheet.cell(row=4, column=2).value == -5 and sheet.cell(row=3, column=3).value == -1.5
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_a_real_query_export_neutralises_the_formula_name(html_db: Path):
    con = connect_read_only(html_db)
    try:
        directory = runner.run(con, "alliance_directory", Scope(load_profile("tianjin-2018"), AS_OF))
    finally:
        con.close()
    labels = catalogue.get_query("alliance_directory").labels
    book = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(directory, labels, "联盟名录", "脚注")))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert "'" + FORMULA in values and FORMULA not in values
    assert not any(c.data_type == "f" for row in book.active.iter_rows() for c in row)


def test_xlsx_title_headers_footnote_and_sheet_name_are_inert():
    book = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(RISKY, {"name": "=名称"}, FORMULA + "_成员单位", "@脚注")))
    sheet = book.active
    assert (sheet["A1"].value, sheet["A1"].data_type) == ("'" + FORMULA + "_成员单位", "s")
    assert sheet["A2"].value == "'=名称"
    assert sheet.cell(row=sheet.max_row, column=1).value == "'@脚注"
    assert not sheet.title.startswith(tables.FORMULA_STARTS + ("'",)) and sheet.title.startswith("HYPERLINK")
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_the_alliance_page_downloads_are_inert_in_cells_and_file_names(html_db: Path, monkeypatch):
    """The 联盟档案 of an alliance named =HYPERLINK(…): its tables' titles start with the name."""
    from streamlit.delta_generator import DeltaGenerator

    offered: list[tuple[str, bytes]] = []
    real = DeltaGenerator.download_button

    def recording(self, label, data, file_name=None, *args, **kwargs):
        if str(file_name).endswith(".xlsx"):
            offered.append((file_name, data() if callable(data) else data))
        return real(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    at = app_page(html_db, "pages/alliance.py", monkeypatch, alliance="TJ-X3")
    assert not at.exception
    assert offered and all(name.startswith("'=HYPERLINK") for name, _ in offered), offered
    for name, data in offered:
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert sheet["A1"].data_type == "s" and sheet["A1"].value.startswith("'=HYPERLINK")
        assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


# ---- SQL -------------------------------------------------------------------------------------------

def test_filter_and_parameter_values_are_bound_never_spliced(html_db: Path):
    profile = load_profile("tianjin-2018")
    con = connect_read_only(html_db)
    try:
        everything = runner.run(con, "overview_kpis", Scope(profile, AS_OF))
        assert int(everything.iloc[0].active_alliances) == 4
        injected = Scope(profile, AS_OF, regions=("和平区' or 1=1 --",), levels=("市级') or ('1'='1",))
        assert int(runner.run(con, "overview_kpis", injected).iloc[0].active_alliances) == 0
        assert runner.run(con, "alliance_detail", Scope(profile, AS_OF),
                          alliance_id="x' or '1'='1").empty
        assert runner.run(con, "alliance_detail", Scope(profile, AS_OF), alliance_id="TJ-X1").shape[0] == 1
    finally:
        con.close()


# ---- personal data -----------------------------------------------------------------------------------

def test_editors_see_contact_data_on_the_alliance_page(html_db: Path, monkeypatch):
    at = app_page(html_db, "pages/alliance.py", monkeypatch, editor=True, alliance="TJ-X1")
    assert PHONE in re.sub(r"\\(.)", r"\1", shown_text(at))
