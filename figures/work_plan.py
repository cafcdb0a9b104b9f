"""年度工作重点: next year's draft plan as numbered Chinese points, and as a Word file to edit.

The points are written from the named query ``work_priorities`` (gaps in the taxonomy,
evaluations due, reports outstanding, alliances failing the conditions, the subsidy budget);
the appendix tables are rows of ``coverage_by_cluster``, ``review_schedule``,
``eligibility_check`` and the budget lines of ``work_priorities``. Nothing here imports
Streamlit: the page, the tests and any script build the same plan.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from queries import catalogue
from queries.policy import Profile
from queries.vocabulary import OVERDUE_ITEM

from . import Fetch, Scope, column_labels, footnote, in_profile_words

THIN_MAX = 2            # a cluster with 1..THIN_MAX alliances is 薄弱 (the query's $thin_max)
DOCX_ROW_LIMIT = 100    # rows per appendix table in the Word file; the page's downloads hold all
NUMERALS = "一二三四五六七八九十"
QUERIES = ("work_priorities", "review_schedule", "eligibility_check", "coverage_by_cluster")


@dataclass(frozen=True)
class Section:
    """One numbered point of the plan: 一、<heading>：<text>, then bullets (alliances, method)."""

    heading: str
    text: str
    points: tuple[str, ...] = ()


@dataclass(frozen=True)
class Appendix:
    """A supporting table: rows of a named query, shown with that query's Chinese headers."""

    key: str
    title: str
    query: str
    frame: pd.DataFrame
    columns: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)   # column headers in the profile's words (认定日期)


@dataclass(frozen=True)
class WorkPlan:
    """The whole draft: what the page shows and the Word file holds."""

    title: str
    basis: str
    sections: tuple[Section, ...]
    appendices: tuple[Appendix, ...]
    footnote: str


def numeral(n: int) -> str:
    """Chinese numeral for 1..99 (一, 十, 十二, 二十三)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return NUMERALS[ones - 1]
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def amount(value: float) -> str:
    """万元 figure as written in a plan: 30, 1420, 12.5 (no trailing zeros)."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


# ---- the points ------------------------------------------------------------------------------

def plan_sections(priorities: pd.DataFrame, profile: Profile, year: int, *,
                  clusters_chosen: bool = False) -> list[Section]:
    """The plan's points from ``work_priorities`` rows (run with ``year`` and ``thin_max=THIN_MAX``).

    A point the profile has no rule for is left out: clusters without a taxonomy, evaluations
    without a review cycle, reports when none are required. ``clusters_chosen``: the rows are
    for the clusters picked in the filters, not the whole taxonomy.
    """
    by = {c: rows for c, rows in priorities.groupby("category", sort=False)}
    sections = []
    if profile.taxonomy:
        noun = taxonomy_noun(profile)
        sections.append(_clusters(by.get("空白集群"), by.get("薄弱集群"), noun, "所选" if clusters_chosen else "各", year))
    if profile.review.cycle_years > 0:
        sections.append(_evaluations(by.get("评估到期"), profile, year))
    if profile.review.report_due:
        sections.append(_reports(by.get("年报未交"), profile, year))
    if profile.review.agreement_term_years:
        sections.append(_agreements(by.get("协议到期"), profile, year))
    sections.append(_eligibility(by.get("不符合条件"), profile, year))
    sections.append(_budget(by.get("补贴预算"), profile))
    return sections


def _rows(frame: pd.DataFrame | None) -> list[Any]:
    return [] if frame is None else list(frame.itertuples(index=False))


def taxonomy_noun(profile: Profile) -> str:
    """What the profile's taxonomy counts by, in its own word: 产业集群 (Tianjin), 领域 (Heilongjiang)."""
    return profile.terms.cluster


def _clusters(gaps: pd.DataFrame | None, thin: pd.DataFrame | None, noun: str, which: str, year: int) -> Section:
    def label(r: Any) -> str:
        return f"{r.item}（{r.detail}）" if r.detail else r.item

    empty = [label(r) for r in _rows(gaps)]
    by_count: dict[int, list[str]] = {}
    for r in _rows(thin):
        by_count.setdefault(int(r.count), []).append(label(r))
    parts = [f"{'、'.join(empty)}尚无在册联盟"] if empty else []
    parts += [f"{'、'.join(names)}{'各' if len(names) > 1 else ''}仅{n}个" for n, names in sorted(by_count.items())]
    if not parts:
        return Section(f"巩固{noun}布局", f"{which}{noun}在册联盟均在{THIN_MAX + 1}个及以上，{year}年继续巩固现有布局。")
    heading = f"补齐{noun}空白" if empty else f"加强薄弱{noun}"
    return Section(heading, "，".join(parts) + f"。{year}年围绕上述{noun}重点培育、引导组建联盟。")


def _evaluation_noun(profile: Profile) -> str:
    # the profile's word: 复审 (Weinan), 评估 (Tianjin)
    return profile.terms.review


def _evaluations(rows: pd.DataFrame | None, profile: Profile, year: int) -> Section:
    noun = _evaluation_noun(profile)
    heading = f"按期开展{numeral(profile.review.cycle_years)}年{noun}"
    items = {r.item: r for r in _rows(rows)}
    overdue, due = items.get(OVERDUE_ITEM), items.get(f"{year}年内到期")
    n_overdue = int(overdue.count) if overdue is not None else 0
    n_due = int(due.count) if due is not None else 0
    if n_overdue + n_due == 0:
        return Section(heading, f"{year}年没有到期的{noun}，也没有逾期未{noun}的联盟。")
    text = f"{year}年到期 {n_due} 个，另有逾期 {n_overdue} 个，共 {n_due + n_overdue} 个须在{year}年内完成{noun}"
    text += "，逾期的优先安排。" if n_overdue else "。"
    action = profile.review.overdue_action
    if n_overdue and action:
        text += f"逾期未{noun}的{action}（{profile.clauses.cycle}），须在{year}年初完成{noun}或依规撤销。"
    points = [f"已逾期（{n_overdue}个{'，' + action if action else ''}）：{overdue.detail}"] if n_overdue else []
    points += [f"{year}年到期（{n_due}个）：{due.detail}"] if n_due else []
    return Section(heading, text, tuple(points))


def _reports(rows: pd.DataFrame | None, profile: Profile, year: int) -> Section:
    month, day = (int(x) for x in profile.review.report_due.split("-"))
    deadline = f"{year}年度报告须于{year}年{month}月{day}日前报送。"
    row = next(iter(_rows(rows)), None)
    if row is None:
        return Section("督促年度报告", deadline)
    if int(row.count) == 0:
        return Section("督促年度报告", f"{row.item}已全部提交；{deadline}")
    return Section("督促年度报告", f"{row.item}尚有 {int(row.count)} 个联盟未提交，督促限期补交；{deadline}",
                   (f"未提交：{row.detail}",))


def _agreements(rows: pd.DataFrame | None, profile: Profile, year: int) -> Section:
    """Heilongjiang: agreements are re-signed every 3–5 years; those expired and expiring in ``year``."""
    items = {r.item: r for r in _rows(rows)}
    expired, due = items.get("已到期"), items.get(f"{year}年内到期")
    n_expired = int(expired.count) if expired is not None else 0
    n_due = int(due.count) if due is not None else 0
    heading = "督促重新签署联盟协议"
    rule = f"按{profile.clauses.agreement}"
    if n_expired + n_due == 0:
        return Section(heading, f"{rule}，没有已到期或{year}年内到期的联盟协议。")
    text = (f"{rule}，协议已到期 {n_expired} 个、{year}年内到期 {n_due} 个，共 {n_expired + n_due} 个须在{year}年内"
            "重新签署，签署后更新登记库的“协议签署日期”。")
    points = [f"已到期（{n_expired}个）：{expired.detail}"] if n_expired else []
    points += [f"{year}年内到期（{n_due}个）：{due.detail}"] if n_due else []
    return Section(heading, text, tuple(points))


def _eligibility(rows: pd.DataFrame | None, profile: Profile, year: int) -> Section:
    heading = f"{profile.terms.conditions}整改"
    row = next(iter(_rows(rows)), None)
    failing = int(row.count) if row is not None else 0
    if failing == 0:
        return Section(heading, f"在册联盟均符合{profile.terms.conditions}，继续做好动态核查。")
    return Section(heading, f"{failing} 个在册联盟不符合{profile.terms.conditions}（问题见附表），督促其在{year}年上半年完成整改。",
                   (f"涉及联盟：{row.detail}",))


def _budget(rows: pd.DataFrame | None, profile: Profile) -> Section:
    items = {r.item: r for r in _rows(rows)}
    noun = _evaluation_noun(profile)
    # (subsidy kind, its name in the sum, what is counted)
    act = profile.terms.act
    lines = [("评估补贴", f"{noun}补贴", noun), ("备案补贴", f"新增{act}", f"新增{act}")]
    terms, unpriced = [], []
    for kind, label, counted in lines:
        r = items.get(kind)
        if r is None:
            continue
        cap = profile.subsidy_caps.get(kind)
        if cap is None:
            unpriced.append(f"{counted} {int(r.count)} 个")
        else:
            terms.append(f"{label} {int(r.count)}×{amount(cap)}万元")
    total = items.get("合计")
    if not terms or total is None or pd.isna(total.amount_wan):
        text = f"政策未规定相应补贴上限，预计{'、'.join(unpriced)}，所需资金另行测算。"
    else:
        text = f"{' + '.join(terms)} = {amount(total.amount_wan)}万元（按政策上限测算，不含国家试点补贴和项目经费）"
        text += f"；{'、'.join(unpriced)}政策未规定补贴上限，未计入。" if unpriced else "。"
    points = tuple(f"测算依据：{items[k].detail}" for k, *_ in lines if k in items and items[k].detail)
    return Section("资金预算", text, points)


# ---- the supporting tables -------------------------------------------------------------------

def evaluations_in_year(schedule: pd.DataFrame, year: int, as_of: dt.date) -> pd.DataFrame:
    """``review_schedule`` rows work_priorities budgets for ``year``: overdue on as_of, or due in year after as_of."""
    due = schedule["next_evaluation_due"]
    start = pd.Timestamp(max(dt.date(year, 1, 1), as_of))
    keep = (due < pd.Timestamp(as_of)) | ((due >= start) & (due <= pd.Timestamp(dt.date(year, 12, 31))))
    return schedule[keep.fillna(False).astype(bool)].sort_values(["next_evaluation_due", "alliance"])


def appendices(fetch: Fetch, scope: Scope, year: int, priorities: pd.DataFrame) -> list[Appendix]:
    """The tables behind the points, in the plan's order (those the profile has no rule for left out)."""
    profile = scope.profile
    tables: list[Appendix] = []
    if profile.taxonomy:
        coverage = fetch("coverage_by_cluster")
        tables.append(Appendix("coverage", f"各{taxonomy_noun(profile)}在册联盟", "coverage_by_cluster", coverage,
                               ("cluster", "cluster_group", "alliances_active", "members", "subsidy_wan")
                               if coverage["cluster_group"].notna().any()
                               else ("cluster", "alliances_active", "members", "subsidy_wan")))
    review = profile.review
    needed = review.cycle_years or review.report_due or review.agreement_term_years
    schedule = fetch("review_schedule") if needed else None
    if profile.review.cycle_years > 0:
        noun = _evaluation_noun(profile)
        tables.append(Appendix("evaluations", f"{year}年须开展{noun}的联盟（含逾期）", "review_schedule",
                               evaluations_in_year(schedule, year, scope.as_of),
                               ("alliance", "filed_date", "last_evaluation_date", "next_evaluation_due", "status",
                                *(("action",) if review.overdue_action else ()))))
    if profile.review.report_due:
        missing = schedule[schedule["report_missing"].fillna(False).astype(bool)]
        tables.append(Appendix("reports", "年度报告未交的联盟", "review_schedule", missing,
                               ("alliance", "filed_date", "report_year", "last_report_year")))
    eligibility = fetch("eligibility_check")
    if profile.review.agreement_term_years:
        dated = schedule[schedule["agreement_expiry"].notna()]
        due = dated[dated["agreement_expiry"] <= pd.Timestamp(dt.date(year, 12, 31))].sort_values(
            ["agreement_expiry", "alliance"])
        tables.append(Appendix("agreements", f"协议已到期及{year}年内到期的联盟", "review_schedule", due,
                               ("alliance", "agreement_expiry", "filed_date")))
    tables.append(Appendix("failing", f"不符合{profile.terms.conditions}的联盟", "eligibility_check",
                           eligibility[~eligibility["ok"].fillna(False).astype(bool)],
                           ("alliance", "member_count", "core_member_count", "problems")))
    budget = priorities[priorities["category"] == "补贴预算"].copy()
    budget["item"] = budget["item"].map(lambda kind: in_profile_words(kind, profile))   # 认定补贴 under Weinan
    tables.append(Appendix("budget", "资金预算测算", "work_priorities", budget, ("item", "count", "amount_wan", "detail")))
    return [replace(t, frame=_as_days(t.frame), labels=column_labels(t.query, profile)) for t in tables]


def _as_days(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as days (2024-09-20), not midnight timestamps, in the page's tables and downloads."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.date
    return out


def build_plan(fetch: Fetch, scope: Scope, year: int) -> WorkPlan:
    """The draft plan for ``year`` under the page's filters: points, appendix tables, footnote."""
    priorities = fetch("work_priorities", year=year, thin_max=THIN_MAX)
    profile = scope.profile
    title = f"{profile.issuer}{year}年产业技术创新战略联盟工作重点（草稿）"
    d = scope.as_of
    basis = f"依据《{profile.title}》，按联盟登记库截至{d.year}年{d.month}月{d.day}日的数据测算。"
    chosen = [f"{label} {'、'.join(values)}" for label, values in
              (("区域", scope.regions), ("级别", scope.levels), ("产业集群", scope.clusters)) if values]
    if chosen:
        basis += f"仅含筛选范围内的联盟（{'；'.join(chosen)}）。"
    note = f"{footnote(scope)}（查询 {'、'.join(QUERIES)}）"
    sections = plan_sections(priorities, profile, year, clusters_chosen=bool(scope.clusters))
    return WorkPlan(title, basis, tuple(sections),
                    tuple(appendices(fetch, scope, year, priorities)), note)


# ---- the Word file ---------------------------------------------------------------------------
# 公文 format as GB/T 9704-2012 sets it and bureaus use it: A4; 天头 (top) 37 mm, 订口 (left) 28 mm,
# 版心 156 × 225 mm (so right 26 mm, bottom 35 mm); 22 lines of 28 characters: 三号 (16 pt) text at a
# fixed line pitch of 28.95 pt; title 二号 方正小标宋, 一级标题 黑体, 二级 楷体, text 仿宋, all 三号;
# page numbers 四号 宋体「— 1 —」, odd pages right and even pages left, one character in from the edge.

PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]   # 156
FOOTER_MM = 23             # page number's foot: its top line ≈ 7 mm below the 版心
LINE_PT = 28.95            # 225 mm / 22 lines, to the twip Word stores (579)
BODY_PT, TITLE_PT, PAGE_NUMBER_PT, TABLE_PT = 16, 22, 14, 12   # 三号, 二号, 四号, 小四
# (role, Word style, first choice, fallbacks): Word substitutes the first installed fallback (w:altName).
FONTS = {
    "title": ("Title", "方正小标宋简体", ("华文中宋", "宋体")),
    "heading1": ("Heading 1", "黑体", ("SimHei",)),
    "heading2": ("Heading 2", "楷体_GB2312", ("楷体", "KaiTi")),
    "body": ("Normal", "仿宋_GB2312", ("仿宋", "FangSong")),
    "page_number": (None, "宋体", ("SimSun",)),
}


def cell_text(value: Any, column: str) -> str:
    """A table cell as text: dates as YYYY-MM-DD, 万元 with two decimals, whole numbers without “.0”, 是/否."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    if column.endswith("_wan"):
        return f"{float(value):,.2f}"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))   # a count that a missing value made float (5.0) is still 5
    return str(value)


def _face(run_properties: Any, face: str) -> None:
    """Set every script's font of a w:rPr to ``face`` (theme fonts would override it)."""
    from docx.oxml.ns import qn

    fonts = run_properties.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), face)


def _set_styles(document: Any) -> None:
    """Title, headings and text in the 公文 faces and sizes, black, at the fixed line pitch."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    for role, (name, face, _) in FONTS.items():
        if name is None:
            continue
        style = document.styles[name]
        font = style.font
        font.size = Pt(TITLE_PT if role == "title" else BODY_PT)
        font.bold = False
        font.italic = False
        font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        _face(rpr, face)
        for extra in ("w:spacing", "w:kern"):
            for node in rpr.findall(qn(extra)):
                rpr.remove(node)
        fmt = style.paragraph_format
        ppr = style.element.get_or_add_pPr()
        for border in ppr.findall(qn("w:pBdr")):   # the default Title's blue rule
            ppr.remove(border)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PT)
        if role == "title":
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.line_spacing = Pt(LINE_PT * 1.25)
            fmt.first_line_indent = Pt(0)
        else:
            fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            fmt.first_line_indent = Pt(2 * BODY_PT)   # 首行缩进两字
        if role.startswith("heading"):
            fmt.keep_with_next = True


def _name_fallbacks(document: Any) -> None:
    """List each 公文 face in the font table with its fallback (w:altName), used where it is not installed."""
    from lxml import etree

    part = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable"))
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    table = etree.fromstring(part.blob)
    for _, face, fallbacks in FONTS.values():
        font = etree.SubElement(table, f"{{{w}}}font", {f"{{{w}}}name": face})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": fallbacks[0]})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})   # GB2312
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)  # noqa: SLF001


def _page_setup(document: Any) -> None:
    from docx.shared import Mm

    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(FOOTER_MM)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)


def _page_number(paragraph: Any, *, odd: bool) -> None:
    """「— n —」 with n a PAGE field: odd pages right, even pages left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Pt

    _, face, _ = FONTS["page_number"]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    if odd:
        fmt.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        fmt.left_indent = Pt(PAGE_NUMBER_PT)
    size = PAGE_NUMBER_PT * 2
    run_pr = (f'<w:rPr><w:rFonts w:ascii="{face}" w:hAnsi="{face}" w:eastAsia="{face}" w:cs="{face}"/>'
              f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>')
    for text, is_field in (("— ", False), ("1", True), (" —", False)):
        run = f'<w:r {nsdecls("w")}>{run_pr}<w:t xml:space="preserve">{text}</w:t></w:r>'
        if is_field:
            run = f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE ">{run.replace(nsdecls("w"), "", 1)}</w:fldSimple>'
        paragraph._p.append(parse_xml(run))   # noqa: SLF001 — python-docx has no field API


def _add_table(document: Any, appendix: Appendix) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt

    rows = appendix.frame.loc[:, list(appendix.columns)].head(DOCX_ROW_LIMIT)
    if rows.empty:
        document.add_paragraph("（无）")
        return
    labels = appendix.labels or catalogue.get_query(appendix.query).labels
    table = document.add_table(rows=len(rows) + 1, cols=len(appendix.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    texts = [[labels.get(c, c) for c in appendix.columns]]
    texts += [[cell_text(v, c) for c, v in zip(appendix.columns, values)] for values in rows.itertuples(index=False)]
    heading_face = FONTS["heading1"][1]
    # Columns as wide as their longest text (names wide, dates and counts narrow), within the 版心's width.
    weights = [min(max(len(t[i]) for t in texts), 20) + 3 for i in range(len(appendix.columns))]
    numeric = [pd.api.types.is_numeric_dtype(rows[c]) and not pd.api.types.is_bool_dtype(rows[c])
               for c in appendix.columns]
    widths = [Mm(TEXT_WIDTH_MM * w / sum(weights)) for w in weights]
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width   # the grid LibreOffice and WPS lay out by; Word reads the cells' widths
    for r, (row, values) in enumerate(zip(table.rows, texts)):
        for cell, text, width, number in zip(row.cells, values, widths, numeric):
            cell.width = width
            paragraph = cell.paragraphs[0]
            fmt = paragraph.paragraph_format
            fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if number and r else WD_ALIGN_PARAGRAPH.LEFT
            fmt.first_line_indent = Pt(0)
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(TABLE_PT + 6)
            run = paragraph.add_run(text)
            run.font.size = Pt(TABLE_PT)
            if r == 0:   # the header row in 黑体
                _face(run._r.get_or_add_rPr(), heading_face)   # noqa: SLF001
    total = len(appendix.frame)
    if total > DOCX_ROW_LIMIT:
        document.add_paragraph(f"（仅列前{DOCX_ROW_LIMIT}行，共{total}行；完整名单见看板“年度工作重点”页的 Excel 下载。）")


def to_docx(plan: WorkPlan) -> bytes:
    """The plan as a .docx in 公文 format leadership can edit: title, numbered points, appendix tables, page numbers."""
    from docx import Document

    document = Document()
    _page_setup(document)
    _set_styles(document)
    _name_fallbacks(document)
    document.add_heading(plan.title, level=0)
    document.add_paragraph()   # 标题下空一行
    document.add_paragraph(plan.basis)
    for i, section in enumerate(plan.sections, 1):
        document.add_heading(f"{numeral(i)}、{section.heading}", level=1)
        document.add_paragraph(section.text)
        for j, point in enumerate(section.points, 1):
            document.add_paragraph(f"（{numeral(j)}）{point}")
    document.add_heading("附表", level=1)
    for i, appendix in enumerate(plan.appendices, 1):
        document.add_heading(f"附表{i}　{appendix.title}", level=2)
        _add_table(document, appendix)
    document.add_paragraph(f"注：{plan.footnote}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


__all__ = ["Appendix", "Section", "THIN_MAX", "WorkPlan", "amount", "appendices", "build_plan", "cell_text",
           "evaluations_in_year", "numeral", "plan_sections", "to_docx"]
