"""年度工作重点: the draft plan's numbers on the sample, the ?year= URL, empty states and the Word file.

Expected figures are worked out here from the registry's raw tables with plain Python (the
rules of the Tianjin profile: three-year cycle, reports due 12-31, caps 评估 30 / 备案 50 万元),
never by running work_priorities.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import re
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from figures import Scope, work_plan
from loaders.registry import connect_read_only
from queries import runner
from queries.policy import load_profile
from app_pages import AS_OF, markdown, open_page

PAGE = "priorities"


def _text(at: AppTest) -> str:
    return markdown(at).replace("\\", "").replace("**", "")


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def by_hand(db: Path, as_of: dt.date, year: int) -> dict[str, int]:
    """Evaluations overdue / due in ``year``, filings to budget and 2025 reports missing, from the raw tables."""
    con = connect_read_only(db)
    try:
        alliances = con.execute("select alliance_id, filed_date, revoked_date from alliances").fetchall()
        evaluations = con.execute("select alliance_id, event_date from events "
                                  "where event_type in ('三年评估', '复审')").fetchall()
        reports = con.execute("select alliance_id, year, submitted_date from annual_reports").fetchall()
    finally:
        con.close()
    active = {a: filed for a, filed, revoked in alliances
              if filed and filed <= as_of and (revoked is None or revoked > as_of)}
    last: dict[str, dt.date] = {}
    for a, day in evaluations:
        if day <= as_of and day > last.get(a, dt.date.min):
            last[a] = day
    due = {a: _plus_years(last.get(a, filed), 3) for a, filed in active.items()}
    start, end = max(dt.date(year, 1, 1), as_of), dt.date(year, 12, 31)
    per_year = Counter(filed.year for _, filed, _ in alliances if filed and filed <= as_of)
    report_year = as_of.year - 1   # 12-31 deadline: the latest report already due on 2026-11-21 is 2025's
    delivered = {a for a, y, submitted in reports if y == report_year and (submitted is None or submitted <= as_of)}
    return {
        "overdue": sum(d < as_of for d in due.values()),
        "due": sum(start <= d <= end for d in due.values()),
        # no target in or after 2027: the mean of the last three complete years (2023–2025), rounded up
        "filings": math.ceil(sum(per_year[y] for y in range(as_of.year - 3, as_of.year)) / 3),
        "reports_missing": sum(1 for a, filed in active.items() if filed.year < report_year and a not in delivered),
    }


def test_sample_plan_for_next_year(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(sample_db, monkeypatch, PAGE)
    want = by_hand(sample_db, AS_OF, 2027)
    assert (want["overdue"], want["due"], want["filings"]) == (8, 31, 5)   # the sample's story, for readers
    text = _text(at)
    assert at.title[0].value == "年度工作重点"
    assert at.subheader[0].value == "天津市科学技术局2027年产业技术创新战略联盟工作重点（草稿）"
    assert at.query_params["year"] == "2027"              # default: the year after as_of, written to the URL
    assert "一、补齐产业集群空白：现代冶金尚无在册联盟" in text   # the sample leaves 现代冶金 empty
    assert "航空航天" in text and "现代石化" in text            # … and these two thin
    assert f"二、按期开展三年评估：2027年到期 {want['due']} 个，另有逾期 {want['overdue']} 个" in text
    assert f"三、督促年度报告：2025年度报告尚有 {want['reports_missing']} 个联盟未提交" in text
    assert "四、备案条件整改：10 个在册联盟不符合备案条件" in text   # the ten sample alliances under 10 members
    total = (want["overdue"] + want["due"]) * 30 + want["filings"] * 50
    assert total == 1420
    assert (f"五、资金预算：评估补贴 {want['overdue'] + want['due']}×30万元 + 新增备案 {want['filings']}×50万元"
            f" = {total}万元") in text
    # the supporting tables: clusters, evaluations due, reports missing, failing alliances, budget lines
    assert [len(d.value) for d in at.dataframe] == [11, want["overdue"] + want["due"], want["reports_missing"], 10, 3]
    assert "下载 Word 草稿（.docx）" in [b.label for b in at.get("download_button")]


def test_year_comes_from_the_url(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(sample_db, monkeypatch, PAGE, year="2026")
    want = by_hand(sample_db, AS_OF, 2026)
    assert at.selectbox[0].value == 2026
    assert f"2026年到期 {want['due']} 个，另有逾期 {want['overdue']} 个" in _text(at)
    at.selectbox[0].select(2028).run()
    assert at.query_params["year"] == "2028"
    assert "2028年产业技术创新战略联盟工作重点" in at.subheader[0].value


def test_single_alliance(single_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # filed 2019-06-28, evaluated 2022-06-30 → due 2025-06-30: overdue; 3 members (< 10); 2025 report missing;
    # no filings in 2023–2025 → none budgeted. Budget: 1 × 30 + 0 × 50 = 30 万元.
    text = _text(open_page(single_db, monkeypatch, PAGE))
    assert "2027年到期 0 个，另有逾期 1 个" in text
    assert "2025年度报告尚有 1 个联盟未提交" in text
    assert "1 个在册联盟不符合备案条件" in text
    assert "评估补贴 1×30万元 + 新增备案 0×50万元 = 30万元" in text


def test_empty_registry(empty_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(empty_db, monkeypatch, PAGE)
    assert "还没有在册联盟" in at.info[0].value


# ---- the plan without Streamlit ----------------------------------------------------------------

def _plan(db: Path, profile_id: str = "tianjin-2018", year: int = 2027) -> work_plan.WorkPlan:
    scope = Scope(load_profile(profile_id), AS_OF)
    con = connect_read_only(db)

    def fetch(name: str, as_of: dt.date | None = None, **params) -> pd.DataFrame:
        return runner.run(con, name, Scope(scope.profile, as_of or AS_OF), **params)

    try:
        return work_plan.build_plan(fetch, scope, year)
    finally:
        con.close()


def test_word_file(sample_db: Path) -> None:
    from docx import Document

    document = Document(io.BytesIO(work_plan.to_docx(_plan(sample_db))))
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title"
    assert paragraphs[0].text == "天津市科学技术局2027年产业技术创新战略联盟工作重点（草稿）"
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、补齐产业集群空白", "二、按期开展三年评估", "三、督促年度报告", "四、备案条件整改",
                        "五、资金预算", "附表"]
    assert any(p.text.startswith("（一）已逾期（8个）：") for p in paragraphs)   # 公文 numbering, not bullets
    body = "\n".join(p.text for p in paragraphs)
    assert "评估补贴 39×30万元 + 新增备案 5×50万元 = 1420万元" in body    # 39 × 30 + 5 × 50, by hand
    assert [p.text for p in paragraphs if p.style.name == "Heading 2"][1] == "附表2　2027年须开展评估的联盟（含逾期）"
    evaluations = document.tables[1]
    assert [c.text for c in evaluations.rows[0].cells] == ["联盟名称", "备案日期", "最近评估日期", "下次评估日期",
                                                           "评估状态"]
    assert len(evaluations.rows) == 1 + 39
    assert evaluations.rows[1].cells[4].text == "逾期"
    budget = document.tables[-1]
    assert [r.cells[1].text for r in budget.rows[1:]] == ["39", "5", ""]      # counts as integers, not 39.0
    assert [r.cells[2].text for r in budget.rows[1:]] == ["1,170.00", "250.00", "1,420.00"]
    cells = [c.text for t in document.tables for r in t.rows[1:] for c in r.cells]
    assert not [c for c in cells if re.fullmatch(r"-?[\d,]+\.0", c)]          # no whole number anywhere as “n.0”
    assert paragraphs[-1].text.startswith("注：数据来源：联盟登记库；截至2026年11月21日")


def test_word_file_is_in_gongwen_format(sample_db: Path) -> None:
    """GB/T 9704: A4, 37/35/28/26 mm margins, 三号 仿宋 text at 28.95 pt, faces with fallbacks, 「— 1 —」."""
    from docx import Document
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn

    data = work_plan.to_docx(_plan(sample_db))
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    faces = {}
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        faces[name] = (style.element.rPr.rFonts.get(qn("w:eastAsia")), style.font.size.pt)
        assert style.font.color.rgb == (0, 0, 0) and not style.font.bold
        assert style.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert faces == {"Normal": ("仿宋_GB2312", 16), "Title": ("方正小标宋简体", 22), "Heading 1": ("黑体", 16),
                     "Heading 2": ("楷体_GB2312", 16)}
    assert document.styles["Normal"].paragraph_format.line_spacing.pt == pytest.approx(28.95)
    font_table = zipfile.ZipFile(io.BytesIO(data)).read("word/fontTable.xml").decode("utf-8")
    for face, fallback in (("方正小标宋简体", "华文中宋"), ("楷体_GB2312", "楷体"), ("仿宋_GB2312", "仿宋")):
        assert re.search(f'w:name="{face}">.*?<w:altName w:val="{fallback}"/>', font_table), face
    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        number = footer.paragraphs[0]
        assert "".join(number._p.xpath(".//w:t/text()")) == "— 1 —" and number.alignment.name.lower() == align
        assert 'w:instr=" PAGE "' in number._p.xml                                  # a live page number


def test_sections_follow_the_profile() -> None:
    """Rules a profile does not have give no point; missing caps give no made-up money."""
    rows = pd.DataFrame([
        ("评估到期", "已逾期", 2, None, "甲联盟、乙联盟"),
        ("评估到期", "2027年内到期", 0, None, ""),
        ("年报未交", "2025年度报告", 0, None, ""),
        ("不符合条件", "不符合备案条件的在册联盟", 0, None, ""),
        ("补贴预算", "评估补贴", 2, None, "政策未规定评估补贴上限"),
        ("补贴预算", "备案补贴", 1, None, "按近三个完整年度年均备案1个；政策未规定备案补贴上限"),
        ("补贴预算", "合计", None, None, "评估补贴与备案补贴之和"),
    ], columns=["category", "item", "count", "amount_wan", "detail"])
    no_taxonomy = {"taxonomy": ""}   # every shipped profile names one; the branch without stays covered
    weinan = work_plan.plan_sections(rows, dataclasses.replace(load_profile("weinan-2015"), **no_taxonomy), 2027)
    assert [s.heading for s in weinan] == ["按期开展三年复审", "督促年度报告", "认定条件整改", "资金预算"]
    assert weinan[0].text.startswith("2027年到期 0 个，另有逾期 2 个")
    assert weinan[1].text == "2025年度报告已全部提交；2027年度报告须于2027年11月30日前报送。"
    assert "另行测算" in weinan[3].text and "万元" not in weinan[3].text
    most = work_plan.plan_sections(rows[rows["category"].isin(["不符合条件", "补贴预算"])],
                                   dataclasses.replace(load_profile("most-2009"), **no_taxonomy), 2027)
    assert [s.heading for s in most] == ["试点条件整改", "资金预算"]


def test_numerals_and_amounts() -> None:
    assert [work_plan.numeral(n) for n in (1, 5, 10, 12, 20, 23)] == ["一", "五", "十", "十二", "二十", "二十三"]
    assert [work_plan.amount(v) for v in (1420.0, 30, 12.5, 0.25)] == ["1420", "30", "12.5", "0.25"]
