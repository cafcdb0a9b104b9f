"""Briefing packs: the chosen charts under one set of filters, as PPTX, PDF or a zip of PNG + SVG.

Every pack opens with a title page (the bureau's name, the as-of date, the filters), then
one chart per slide or page with its takeaway — the sentence the chart's own code computes
from the same data — and, in the slide notes (PPTX) or the page's footer (PDF, clickable),
the filters and a link back to the live view. A chart with nothing to draw under the
filters gets a page saying so, and one that fails gets a page saying that, so the pack
keeps one page per chosen chart and never silently drops one.

PPTX slides hold native, editable charts (``native``; pictures where no chart type fits, or
all pictures on request). The PDF is made of Kaleido PDFs (vector, a TrueType CJK font
embedded) merged with pypdf, which also adds the links, the contents' jumps and bookmarks;
the title and contents pages are Plotly figures of text, so one renderer draws every
Chinese glyph in the pack, and every page but the title carries 「— n —」.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import zipfile
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

import figures
from figures import THEME, Chart, Fetch, Scope

from . import native, source, static

FORMATS = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "zip": "application/zip",
}
PACK_TITLE = "产业技术创新战略联盟工作简报"
# PowerPoint and WPS on the bureau's Windows machines have 微软雅黑; elsewhere fontconfig
# substitutes the installed CJK font for it.
PPTX_FONT = "Microsoft YaHei"
EMPTY = "当前筛选条件下没有数据。"
HOME_PAGE = "总览"
Progress = Callable[[float, str], None]   # (fraction done 0..1, what is happening, in Chinese)
RENDER_FROM, RENDER_TO = 0.15, 0.95       # progress: queries up to RENDER_FROM, then rendering

# 16:9 slide, 13.333 × 7.5 in; the chart fills the area under the title and takeaway.
SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
PICTURE_TOP = Inches(1.75)
PICTURE_H = Inches(5.3)
SOURCE_H = Inches(0.35)                   # under a native chart: its 数据来源…截至 line
CHART_MODES = ("native", "picture")       # PPTX charts: editable chart objects, or pictures
PX_PER_INCH = 96


@dataclass(frozen=True)
class Item:
    """One chart of a pack: its figure under the filters (None: nothing to draw), takeaway and live link."""

    chart: Chart
    title: str                  # the chart's title; per-alliance charts add the alliance's name
    figure: go.Figure | None
    takeaway: str
    link: str
    error: str | None = None

    @property
    def message(self) -> str | None:
        """What a page shows instead of the chart, or None when there is a chart."""
        if self.error:
            return f"此图生成失败：{self.error}"
        return None if self.figure is not None else EMPTY


@dataclass(frozen=True)
class Pack:
    """A built pack ready to save or download."""

    data: bytes
    filename: str
    mime: str
    items: tuple[Item, ...]

    @property
    def failures(self) -> list[Item]:
        return [i for i in self.items if i.error]


def collect(chart_ids: Sequence[str], fetch: Fetch, scope: Scope, *, alliance: str | None = None,
            base_url: str | None = None, progress: Callable[[int], None] | None = None) -> list[Item]:
    """Build each chart and its takeaway under ``scope``; a failing chart becomes an Item with its error.

    Per-alliance charts (``alliance_*``) are drawn for ``alliance`` (an alliance id) and need one.
    ``progress(i)`` is called after the i-th chart (1-based).
    """
    charts = figures.all_charts()
    unknown = [c for c in chart_ids if c not in charts]
    if unknown:
        known = "、".join(c.id for c in source.catalogue(per_alliance=True))
        raise KeyError(f"没有这些图表：{'、'.join(unknown)}。可用：{known}")
    per_alliance = [c for c in chart_ids if source.is_per_alliance(c)]
    if per_alliance and not alliance:
        raise KeyError(f"图表 {'、'.join(per_alliance)} 是单个联盟的档案图，需要指定联盟编号（--alliance）。")
    one, name = source.for_alliance(fetch, alliance) if per_alliance else (fetch, "")
    items = []
    for chart_id in chart_ids:
        chart = charts[chart_id]
        own = source.is_per_alliance(chart_id)
        title = f"{chart.title_for(scope.profile)}——{name}" if own else chart.title_for(scope.profile)
        link = source.live_url(chart.page, scope, base_url, **({"alliance": alliance} if own else {}))
        try:
            fig, takeaway = figures.render(chart_id, one if own else fetch, scope)
            items.append(Item(chart, title, fig, takeaway, link))
        except Exception as e:  # noqa: BLE001 — one broken chart must not cost the whole pack
            items.append(Item(chart, title, None, "", link, error=f"{type(e).__name__}: {e}"))
        if progress:
            progress(len(items))
    return items


def build(fmt: str, chart_ids: Sequence[str], fetch: Fetch, scope: Scope, *, alliance: str | None = None,
          base_url: str | None = None, progress: Progress | None = None, charts: str = "native",
          page: str = "a4") -> Pack:
    """The pack of ``chart_ids`` under ``scope`` as ``fmt`` (pptx | pdf | zip); see ``collect`` for ``alliance``.

    ``charts`` (PPTX): native editable charts or pictures; ``page`` (PDF): a4 (landscape) or slide (16:9).
    """
    if fmt not in FORMATS:
        raise ValueError(f"格式应为 {' / '.join(FORMATS)}，现为「{fmt}」")
    if charts not in CHART_MODES:
        raise ValueError(f"图表形式应为 {' / '.join(CHART_MODES)}，现为「{charts}」")
    if page not in static.SIZES:
        raise ValueError(f"页面应为 {' / '.join(static.SIZES)}，现为「{page}」")
    say = progress or (lambda fraction, text: None)
    if not chart_ids:
        raise ValueError("没有选择图表。")
    say(0.0, "正在查询数据…")
    if fmt != "pptx" or charts == "picture":
        static.warm_up_in_background()   # Chromium starts while the queries run (native slides need none)
    items = collect(chart_ids, fetch, scope, alliance=alliance, base_url=base_url,
                    progress=lambda i: say(RENDER_FROM * i / len(chart_ids), f"正在查询数据（{i}/{len(chart_ids)}）…"))
    if fmt == "pptx":
        data = pptx_pack(items, scope, base_url=base_url, progress=say, charts=charts)
    elif fmt == "pdf":
        data = pdf_pack(items, scope, base_url=base_url, progress=say, page=page)
    else:
        data = zip_pack(items, scope, base_url=base_url, progress=say)
    say(1.0, "完成")
    return Pack(data, f"联盟简报_{scope.as_of.isoformat()}.{fmt}", FORMATS[fmt], tuple(items))


def _rendered(jobs: list[static.Job], say: Progress) -> Iterator[bytes]:
    """Each job's bytes, rendered in the background while the caller uses the previous ones; progress moves
    from RENDER_FROM to RENDER_TO (reported from the caller's thread, which Streamlit's progress bar needs)."""
    total = len(jobs)
    say(RENDER_FROM, f"正在生成图片（0/{total}）…")
    for i, data in enumerate(static.render_ahead(jobs), 1):
        say(RENDER_FROM + (RENDER_TO - RENDER_FROM) * i / total, f"正在生成图片（{i}/{total}）…")
        yield data


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _notes(item: Item, scope: Scope) -> str:
    """Slide notes: filters, the link back and the named queries the figures come from."""
    queries = "、".join(item.chart.queries)
    return f"筛选条件：{scope.describe()}\n在线查看：{item.link}\n数据查询：{queries}"


# --------------------------------------------------------------------------- PPTX


def pptx_pack(items: Sequence[Item], scope: Scope, *, base_url: str | None = None,
              progress: Progress | None = None, charts: str = "native") -> bytes:
    """Title slide, then one slide per chart: title, takeaway, the chart; filters and link in the notes.

    ``charts="native"`` draws every chart it can as an editable PowerPoint chart (the rest, e.g.
    the heat map, as pictures); ``"picture"`` makes them all pictures, for viewers without charts.
    """
    if charts not in CHART_MODES:
        raise ValueError(f"图表形式应为 {' / '.join(CHART_MODES)}，现为「{charts}」")
    say = _forward(progress)
    area = static.SIZES["slide"].resized(round(Emu(SLIDE_W - 2 * MARGIN).inches * PX_PER_INCH),
                                         round(Emu(PICTURE_H).inches * PX_PER_INCH))
    pictured = {id(i) for i in items if i.figure is not None and (charts == "picture" or not native.supports(i.figure))}
    jobs = [(static.for_export(i.figure, area, show_title=False), "png", area) for i in items if id(i) in pictured]
    images = _rendered(jobs, say) if jobs else iter(())
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_W, SLIDE_H
    _title_slide(deck, items, scope, base_url)
    width = SLIDE_W - 2 * MARGIN
    for n, item in enumerate(items, 1):
        slide = deck.slides.add_slide(deck.slide_layouts[5])   # "Title Only": a real title placeholder
        _text(slide.shapes.title, item.title, _fitting_size(item.title, width, (26, 20, 16)),
              bold=True, box=(MARGIN, Inches(0.25), width, Inches(0.75)))
        box = slide.shapes.add_textbox(MARGIN, Inches(1.0), width, Inches(0.7))
        box.name = "takeaway"
        line = item.takeaway or item.message or ""
        _text(box, line, _fitting_size(line, width), color=THEME["accent"])
        if id(item) in pictured:
            slide.shapes.add_picture(io.BytesIO(next(images)), MARGIN, PICTURE_TOP, width=width)
        elif item.figure is not None:
            before = len(slide.shapes)
            try:
                placed = native.add_chart(slide.shapes, item.figure, (MARGIN, PICTURE_TOP, width, PICTURE_H - SOURCE_H),
                                          face=PPTX_FONT, footnote_prefix=static.FOOTNOTE_PREFIX)
            except Exception:  # noqa: BLE001 — data the converter cannot take: the slide gets the chart's picture
                for shape in list(slide.shapes)[before:]:
                    shape._element.getparent().remove(shape._element)   # noqa: SLF001 — the half-made chart
                png = static.render_job((static.for_export(item.figure, area, show_title=False), "png", area))
                slide.shapes.add_picture(io.BytesIO(png), MARGIN, PICTURE_TOP, width=width)
            else:
                note = slide.shapes.add_textbox(MARGIN, PICTURE_TOP + PICTURE_H - SOURCE_H, width, SOURCE_H)
                note.name = "source"
                marks = f"　图中标注：{'；'.join(placed.notes)}" if placed.notes else ""
                _text(note, _source_line(item.figure, scope) + marks, 11, color=THEME["muted"])
        else:
            message = slide.shapes.add_textbox(MARGIN, PICTURE_TOP, width, PICTURE_H)
            _text(message, item.message or EMPTY, 20, color=THEME["muted"], align=PP_ALIGN.CENTER,
                  anchor=MSO_ANCHOR.MIDDLE)
        corner = slide.shapes.add_textbox(SLIDE_W - Inches(3.5), SLIDE_H - Inches(0.42), Inches(3.0), Inches(0.3))
        _text(corner, f"{item.chart.page} · {n + 1}/{len(items) + 1}", 10, color=THEME["muted"], align=PP_ALIGN.RIGHT)
        slide.notes_slide.notes_text_frame.text = _notes(item, scope)
        say(RENDER_FROM + (RENDER_TO - RENDER_FROM) * n / len(items), f"正在生成幻灯片（{n}/{len(items)}）…")
    out = io.BytesIO()
    deck.core_properties.title = PACK_TITLE
    deck.core_properties.author = scope.profile.issuer
    deck.save(out)
    return out.getvalue()


def _source_line(fig: go.Figure, scope: Scope) -> str:
    """The chart's 数据来源…截至 line, as the figure carries it."""
    return next((a.text for a in fig.layout.annotations if (a.text or "").startswith(static.FOOTNOTE_PREFIX)),
                figures.footnote(scope))


def _forward(progress: Progress | None) -> Progress:
    """``progress`` that only ever moves forward (pictures and slides report on their own counts)."""
    furthest = [0.0]

    def say(fraction: float, text: str) -> None:
        if progress and fraction >= furthest[0]:
            furthest[0] = fraction
            progress(fraction, text)
    return say


def _fitting_size(text: str, width: Emu, sizes: tuple[int, int, int] = (18, 15, 13)) -> int:
    """The first of ``sizes`` (pt) at which ``text`` fits ``width``: the first in one line, the second in two."""
    width_pt = Emu(width).pt - 14   # the text box's own insets
    for size, lines in zip(sizes, (1, 2)):
        if static.text_width(text, size) <= width_pt * lines * 0.95:
            return size
    return sizes[2]


def _title_slide(deck: Presentation, items: Sequence[Item], scope: Scope, base_url: str | None) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    _text(slide.shapes.title, PACK_TITLE, 36, bold=True,
          box=(Inches(1.0), Inches(2.0), SLIDE_W - Inches(2.0), Inches(1.3)), align=PP_ALIGN.CENTER)
    subtitle = slide.placeholders[1]
    lines = [(scope.profile.issuer, 24, True, THEME["primary"]),
             (f"数据截至{_cn_date(scope.as_of)} · {_cn_date(dt.date.today())}编印", 16, False, "#333333"),
             (scope.describe(), 12, False, THEME["muted"])]
    _text(subtitle, lines, 16, box=(Inches(1.0), Inches(3.5), SLIDE_W - Inches(2.0), Inches(2.2)),
          align=PP_ALIGN.CENTER)
    slide.notes_slide.notes_text_frame.text = (f"筛选条件：{scope.describe()}\n在线查看：{_home(scope, base_url)}\n"
                                               f"共 {len(items)} 张图：" + "、".join(i.title for i in items))


def _home(scope: Scope, base_url: str | None) -> str:
    """The dashboard's first page under the pack's filters, for title pages."""
    return source.live_url(HOME_PAGE, scope, base_url)


def _text(shape, text: str | list[tuple[str, int, bool, str]], size: int, *, bold: bool = False,
          color: str = "#1F2D3D", box: tuple | None = None, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP) -> None:
    """Fill a shape's text: one string, or (text, size, bold, colour) lines; Chinese fonts set on every run."""
    if box:
        shape.left, shape.top, shape.width, shape.height = box
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    lines = text if isinstance(text, list) else [(text, size, bold, color)]
    frame.text = ""
    for i, (line, line_size, line_bold, line_color) in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        run = para.add_run()
        run.text = line
        font = run.font
        font.size, font.bold, font.name = Pt(line_size), line_bold, PPTX_FONT
        font.color.rgb = RGBColor.from_string(line_color.lstrip("#"))
        # python-pptx sets only the Latin font; Chinese text takes the East Asian one (<a:ea>, after <a:latin>).
        properties = run._r.get_or_add_rPr()
        if properties.find(qn("a:ea")) is None:
            properties.append(properties.makeelement(qn("a:ea"), {"typeface": PPTX_FONT}))


# --------------------------------------------------------------------------- PDF


def pdf_pack(items: Sequence[Item], scope: Scope, *, base_url: str | None = None,
             progress: Progress | None = None, page: str = "a4") -> bytes:
    """Print-ready pack: title page, contents, one page per chart; page numbers, source lines, fonts embedded.

    ``page`` is a4 (landscape) or slide (16:9). Each chart page carries its title, takeaway,
    数据来源…截至 line, the filters with a live link, and 「— n —」 in the bottom right corner.
    Contents lines link to their pages; the bookmarks list the charts.
    """
    # imported for a PDF only: a slide pack (the default) skips pypdf's 0.04 s
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link
    from pypdf.generic import NameObject, TextStringObject

    say = _forward(progress)
    size = static.SIZES[page]
    family = static.pdf_font_family()
    home = _home(scope, base_url)
    per_page = _contents_rows(size)
    chunks = [list(enumerate(items))[i:i + per_page] for i in range(0, len(items), per_page)]
    first_chart = 1 + len(chunks)                     # 0-based index of the first chart page
    pages = [_title_figure(scope, size, home, family)]
    pages += [_contents_figure(chunk, first_chart, size, family, k == 0, page_label(2 + k))
              for k, chunk in enumerate(chunks)]
    for n, item in enumerate(items):
        footer = f"筛选条件：{scope.describe()}　在线查看：{item.link}"
        fig = item.figure if item.figure is not None else _message_figure(item, scope)
        pages.append(static.for_export(fig, size, title=item.title, subtitle=item.takeaway or None, footer=footer,
                                       page_label=page_label(first_chart + n + 1), font_family=family))
    writer = PdfWriter()
    for pdf in _rendered([(fig, "pdf", size) for fig in pages], say):   # merged while the next page renders
        writer.append(PdfReader(io.BytesIO(pdf)))
    say(RENDER_TO, "正在写入 PDF…")
    width = float(writer.pages[0].mediabox.width)
    bottom, right, top = _title_link_band(size)
    writer.add_annotation(0, Link(rect=(0, bottom, right, top), url=home))
    for k, chunk in enumerate(chunks):
        for row, (n, _) in enumerate(chunk):
            low, high = _contents_band(size, row)
            writer.add_annotation(1 + k, Link(rect=(0, low, width, high), target_page_index=first_chart + n))
    line = size.font_size + 6
    for n, item in enumerate(items):
        # The footer line: above the page number at the page's foot (see static.for_export).
        writer.add_annotation(first_chart + n, Link(rect=(0, (4 + line) * 0.75, width, (8 + 2 * line) * 0.75),
                                                    url=item.link))
        writer.add_outline_item(title=item.title, page_number=first_chart + n)
    writer.add_metadata({"/Title": PACK_TITLE, "/Author": scope.profile.issuer, "/Creator": "联盟看板",
                         "/Subject": scope.describe()})
    writer.root_object[NameObject("/Lang")] = TextStringObject("zh-CN")   # screen readers and search read Chinese
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_label(number: int) -> str:
    """A page number as a bureau's documents print it: 「— 3 —」."""
    return f"— {number} —"


TITLE_LINES_Y = {"issuer": 0.78, "title": 0.64, "dates": 0.50, "filters": 0.42, "home": 0.36}
TITLE_MARGIN_PX = 60
CONTENTS_TOP_PX, CONTENTS_ROW_PX = 150, 34   # the contents' first row (from the top) and its rows' spacing


def _blank_page(size: static.Size, family: str) -> go.Figure:
    m = TITLE_MARGIN_PX
    fig = go.Figure()
    fig.update_layout(template=figures.TEMPLATE, font=dict(family=family, size=size.font_size),
                      xaxis=dict(visible=False, range=[0, 1]), yaxis=dict(visible=False, range=[0, 1]),
                      margin=dict(l=m, r=m, t=m, b=m), width=size.width, height=size.height)
    return fig


def _title_figure(scope: Scope, size: static.Size, home: str, family: str) -> go.Figure:
    """The PDF's title page as a figure of text: bureau, title, dates, filters, link."""
    fig = _blank_page(size, family)
    y = TITLE_LINES_Y
    lines = [(y["issuer"], scope.profile.issuer, 26, THEME["primary"]),
             (y["title"], PACK_TITLE, 34, "#1F2D3D"),
             (y["dates"], f"数据截至{_cn_date(scope.as_of)} · {_cn_date(dt.date.today())}编印", 18, "#333333"),
             (y["filters"], scope.describe(), 13, THEME["muted"]),
             (y["home"], f"在线查看：{home}", 13, THEME["primary"])]
    for at, text, font_size, color in lines:
        fig.add_annotation(text=_plain(text), x=0.5, y=at, yanchor="middle", xref="paper", yref="paper", showarrow=False,
                           font=dict(size=font_size, color=color))
    return fig


def _contents_rows(size: static.Size) -> int:
    """Contents lines that fit one page."""
    return int((size.height - CONTENTS_TOP_PX - 90) // CONTENTS_ROW_PX)


def _row_centre_px(size: static.Size, row: int) -> float:
    """A contents row's centre, in pixels from the page's top."""
    return CONTENTS_TOP_PX + row * CONTENTS_ROW_PX


def _contents_figure(rows: list[tuple[int, Item]], first_chart: int, size: static.Size, family: str, first: bool,
                     label: str) -> go.Figure:
    """A contents page: 目录, then per chart its number, title, page and the page number it is on."""
    fig = _blank_page(size, family)
    plot = size.height - 2 * TITLE_MARGIN_PX

    def paper_y(px_from_top: float) -> float:
        return 1 - (px_from_top - TITLE_MARGIN_PX) / plot

    fig.add_annotation(text="目　录" if first else "目　录（续）", x=0.5, y=paper_y(80), yanchor="middle", xref="paper",
                       yref="paper",
                       showarrow=False, font=dict(size=26, color="#1F2D3D"))
    for row, (n, item) in enumerate(rows):
        at = paper_y(_row_centre_px(size, row))
        fig.add_annotation(text=_plain(f"{n + 1}．{item.title}（{item.chart.page}）"), x=0.04, xanchor="left",
                           y=at, yanchor="middle", xref="paper", yref="paper", showarrow=False, font=dict(size=size.font_size + 2))
        fig.add_annotation(text=str(first_chart + n + 1), x=0.96, xanchor="right", y=at, yanchor="middle", xref="paper",
                           yref="paper", showarrow=False, font=dict(size=size.font_size + 2))
        fig.add_shape(type="line", x0=0.04, x1=0.96, y0=at - 14 / plot, y1=at - 14 / plot, xref="paper",
                      yref="paper", line=dict(color="#E5E8EB", width=1))
    fig.add_annotation(text=label, x=1, xanchor="right", y=paper_y(size.height - 10), yanchor="bottom",
                       xref="paper", yref="paper", showarrow=False, font=dict(size=size.font_size))
    return fig


def _contents_band(size: static.Size, row: int) -> tuple[float, float]:
    """(bottom, top) in PDF points of a contents row, for its link."""
    centre = size.height - _row_centre_px(size, row)     # from the bottom edge
    return (centre - CONTENTS_ROW_PX / 2) * 0.75, (centre + CONTENTS_ROW_PX / 2) * 0.75


def _title_link_band(size: static.Size) -> tuple[float, float, float]:
    """(bottom, right, top) in PDF points of the title page's 在线查看 line, for its link."""
    plot = size.height - 2 * TITLE_MARGIN_PX
    centre_px = TITLE_MARGIN_PX + TITLE_LINES_Y["home"] * plot       # from the bottom edge
    return (centre_px - 12) * 0.75, size.width * 0.75, (centre_px + 12) * 0.75


def _plain(text: str) -> str:
    """Text for Plotly: names may hold HTML, which Plotly would partly render."""
    return html.escape(text, quote=False)


def _message_figure(item: Item, scope: Scope) -> go.Figure:
    """A page for a chart with nothing to draw (or that failed): its title, the reason, the footnote."""
    fig = go.Figure()
    fig.add_annotation(text=_plain(item.message or EMPTY), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=20, color=THEME["muted"]))
    fig.update_layout(xaxis=dict(visible=False), yaxis=dict(visible=False))
    return figures.styled(fig, item.chart.title, scope)


# --------------------------------------------------------------------------- zip of PNG + SVG


def zip_pack(items: Sequence[Item], scope: Scope, *, base_url: str | None = None,
             progress: Progress | None = None) -> bytes:
    """Each chart as PNG (2×) and SVG at slide size, numbered, with 简报说明.txt listing takeaways and links."""
    say = progress or (lambda fraction, text: None)
    size = static.SIZES["slide"]
    drawn = [i for i in items if i.figure is not None]
    laid_out = [static.for_export(i.figure, size, title=i.title) for i in drawn]
    jobs = [(fig, fmt, size) for fig in laid_out for fmt in ("png", "svg")]
    rendered = _rendered(jobs, say)
    readme = [PACK_TITLE, scope.profile.issuer, f"数据截至{_cn_date(scope.as_of)}", f"筛选条件：{scope.describe()}",
              f"在线查看：{_home(scope, base_url)}", ""]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, item in enumerate(items, 1):
            stem = f"{n:02d}_{static.file_stem(item.title, scope)}"
            readme.append(f"{n:02d}．{item.title}（{item.chart.page}）")
            if item.figure is not None:
                for fmt in ("png", "svg"):
                    archive.writestr(f"{stem}.{fmt}", next(rendered))
                readme.append(f"    文件：{stem}.png、{stem}.svg")
            readme.append(f"    {item.takeaway or item.message}")
            readme.append(f"    在线查看：{item.link}")
        # UTF-8 with BOM so Windows Notepad shows the Chinese right.
        archive.writestr("简报说明.txt", "\ufeff" + "\r\n".join(readme) + "\r\n")
    return out.getvalue()
