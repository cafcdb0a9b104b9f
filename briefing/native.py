"""Plotly figures as native PowerPoint charts: the numbers stay editable in WPS / PowerPoint.

``add_chart`` reads a styled figure (the same one the page shows) and draws it with
python-pptx chart objects: bars and columns (clustered or stacked), doughnuts, and lines
(an XY chart, so target bands that start half a year early keep their place). Titles,
colours, data labels, axis titles and number formats follow the figure; the chart's
embedded workbook has Chinese headers, so 编辑数据 shows the figures a leader can change.

``supports`` says which figures can be drawn so: a heat map, and dot plots against dates
(the review timelines), stay pictures. Text the figure places by itself (the 下限 line's
label, the 统计截止日 line) is returned for the slide's note line rather than dropped.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import plotly.graph_objects as go
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.chart.xlsx import CategoryWorkbookWriter, XyWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE, XL_TICK_LABEL_POSITION
from pptx.enum.dml import MSO_LINE
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from figures import THEME

CATEGORY_HEADER = "类别"       # the data sheet's first column when the figure's axis has no title
X_HEADER = "横轴"              # … of an XY chart without an x-axis title
HIDE_ZERO = ";;;"              # number-format section that leaves zero values unlabelled (stacked segments)
LABEL_PT, AXIS_PT, LEGEND_PT = 12, 12, 12
SMALL_SEGMENT = 0.04           # stacked segments under this share of the longest stack go unlabelled


# ---- which figures ------------------------------------------------------------------------------

def _is_text(trace: Any) -> bool:
    return trace.type == "scatter" and (trace.mode or "") == "text"


def _numeric(values: Any) -> bool:
    """Numbers (missing ones allowed), at least one of them: what an XY line can plot."""
    items = list(values) if values is not None else []
    numbers = [v for v in items if isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))]
    return len(numbers) == len([v for v in items if v is not None]) and any(_number(v) is not None for v in numbers)


def _flat(values: Any) -> list:
    """Axis values as a flat list; a two-level axis (group, name) gives its names."""
    out = list(values) if values is not None else []
    if out and isinstance(out[0], (list, tuple, np.ndarray)):
        out = list(out[-1])
    return [v.item() if isinstance(v, np.generic) else v for v in out]


def kind(fig: go.Figure) -> str | None:
    """'pie', 'bar' or 'line' when ``fig`` can be a native chart, else None (it stays a picture)."""
    drawn = [t for t in fig.data if not _is_text(t)]
    if not drawn:
        return None
    types = {t.type for t in drawn}
    if types == {"pie"} and len(drawn) == 1:
        return "pie"
    if types == {"bar"}:
        return "bar"
    if types == {"scatter"} and all("lines" in (t.mode or "lines") and _numeric(t.x) and _numeric(t.y)
                                    for t in drawn):
        return "line"
    return None


def supports(fig: go.Figure | None) -> bool:
    """Whether ``fig`` is drawn as a native chart (else a picture)."""
    return fig is not None and kind(fig) is not None


# ---- the data sheet -----------------------------------------------------------------------------

class _CategoryWriter(CategoryWorkbookWriter):
    def _populate_worksheet(self, workbook: Any, worksheet: Any) -> None:
        super()._populate_worksheet(workbook, worksheet)
        worksheet.write(0, 0, self._chart_data.header)
        worksheet.set_column(0, 0, 18)


class _CategoryData(CategoryChartData):
    """Category chart data whose sheet names the category column (python-pptx leaves A1 empty)."""

    def __init__(self, header: str, number_format: str = "General") -> None:
        super().__init__(number_format)
        self.header = header

    @property
    def _workbook_writer(self) -> CategoryWorkbookWriter:
        return _CategoryWriter(self)


class _XyWriter(XyWorkbookWriter):
    def _populate_worksheet(self, workbook: Any, worksheet: Any) -> None:
        super()._populate_worksheet(workbook, worksheet)
        for series in self._chart_data:
            worksheet.write(self.series_table_row_offset(series), 0, self._chart_data.header)
        worksheet.set_column(0, 1, 14)


class _XyData(XyChartData):
    """XY chart data whose sheet heads each x column (python-pptx leaves it empty)."""

    def __init__(self, header: str, number_format: str = "General") -> None:
        super().__init__(number_format)
        self.header = header

    @property
    def _workbook_writer(self) -> XyWorkbookWriter:
        return _XyWriter(self)


# ---- formats, colours, fonts --------------------------------------------------------------------

def number_format(tickformat: str | None, values: Sequence[float]) -> str:
    """An Excel number format for a Plotly tick format (d, ,.0f, ,.2f) or for the values themselves."""
    fmt = tickformat or ""
    if fmt.endswith(".2f"):
        return "#,##0.00"
    if fmt in ("d", ",d", ",.0f", ".0f") or all(float(v).is_integer() for v in values if _finite(v)):
        return "#,##0" if "," in fmt else "0"
    return "General"


def _number(v: Any) -> float | None:
    """A figure's value as a float; None for a missing one (None, NaN, pd.NA), which the chart leaves out."""
    try:
        out = float(v)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _finite(v: Any) -> bool:
    return v is not None and isinstance(v, (int, float, np.number)) and math.isfinite(float(v))


def _label_format(texts: Sequence[Any], values: Sequence[float]) -> str | None:
    """The format that writes a bar's ``text`` from its values, or None when the text says more (e.g. 10 个（9%））."""
    if any(v is None for v in values):
        return None
    for fmt, write in (("0", lambda v: f"{float(v):.0f}"), ("#,##0", lambda v: f"{float(v):,.0f}"),
                       ("#,##0.00", lambda v: f"{float(v):,.2f}")):
        if all(str(t) == write(v) or (_finite(t) and float(t) == float(v) and float(v).is_integer() and fmt == "0")
               for t, v in zip(texts, values)):
            return fmt
    return None


def _rgb(color: Any) -> RGBColor | None:
    """#RRGGBB or rgba(r,g,b,a) as an RGBColor (transparency dropped); None for anything else."""
    if isinstance(color, str) and color.startswith("#") and len(color) == 7:
        return RGBColor.from_string(color[1:].upper())
    if isinstance(color, str) and color.startswith("rgb"):
        r, g, b = (int(float(x)) for x in color[color.index("(") + 1:color.index(")")].split(",")[:3])
        return RGBColor(r, g, b)
    return None


def east_asian(run_properties: Any, face: str) -> None:
    """Set the East Asian (<a:ea>) typeface beside the Latin one python-pptx sets: Chinese text uses it."""
    ea = run_properties.find(qn("a:ea"))
    if ea is None:
        ea = run_properties.makeelement(qn("a:ea"), {})
        latin = run_properties.find(qn("a:latin"))
        (latin.addnext(ea) if latin is not None else run_properties.append(ea))
    ea.set("typeface", face)


def _font(font: Any, face: str, size: int | None = None, color: str | None = None) -> None:
    font.name = face
    if size:
        font.size = Pt(size)
    if color:
        font.color.rgb = _rgb(color)
    east_asian(font._rPr, face)   # noqa: SLF001 — python-pptx has no public East Asian font setter


def _title(axis: Any, text: str | None, face: str) -> None:
    if not text:
        return
    axis.has_title = True
    frame = axis.axis_title.text_frame
    frame.text = text
    for run in frame.paragraphs[0].runs:
        _font(run.font, face, AXIS_PT, "#333333")
        run.font.bold = False


# ---- building ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placed:
    """A native chart on a slide and the figure's own labels that could not go into it (for a note line)."""

    chart: Any
    notes: tuple[str, ...]


def _annotations(fig: go.Figure, footnote_prefix: str) -> tuple[str, ...]:
    return tuple(a.text.strip() for a in fig.layout.annotations
                 if a.text and not a.text.startswith(footnote_prefix))


def add_chart(shapes: Any, fig: go.Figure, box: tuple[Emu, Emu, Emu, Emu], *, face: str,
              footnote_prefix: str) -> Placed:
    """Draw ``fig`` (``supports(fig)`` must hold) as a native chart in ``box`` (left, top, width, height)."""
    which = kind(fig)
    if which == "pie":
        chart = _pie(shapes, fig, box)
    elif which == "bar":
        chart = _bar(shapes, fig, box, face)
    elif which == "line":
        chart = _line(shapes, fig, box, face)
    else:
        raise ValueError("figure cannot be a native chart")
    chart.has_title = False   # the slide carries the title
    shapes[-1].name = "chart"  # the graphic frame just added
    _font(chart.font, face, AXIS_PT)
    if chart.has_legend:
        _font(chart.legend.font, face, LEGEND_PT)
    return Placed(chart, _annotations(fig, footnote_prefix))


def _pie(shapes: Any, fig: go.Figure, box: tuple) -> Any:
    trace = fig.data[0]
    labels, values = [str(v) for v in trace.labels], [_number(v) or 0.0 for v in trace.values]
    data = _CategoryData(CATEGORY_HEADER)
    data.categories = labels
    data.add_series(trace.name or "数量", values, number_format=number_format(None, values))
    kind_ = XL_CHART_TYPE.DOUGHNUT if (trace.hole or 0) > 0 else XL_CHART_TYPE.PIE
    chart = shapes.add_chart(kind_, *box, data).chart
    plot = chart.plots[0]
    plot.vary_by_categories = True
    colors = list(trace.marker.colors or THEME["categorical"])
    for i, point in enumerate(plot.series[0].points):
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = _rgb(colors[i % len(colors)])
    plot.has_data_labels = True
    labels_ = plot.data_labels
    labels_.show_category_name, labels_.show_percentage, labels_.show_value = True, True, False
    labels_.number_format, labels_.number_format_is_linked = "0%", False
    labels_.font.size = Pt(LABEL_PT)
    if kind_ == XL_CHART_TYPE.PIE:
        labels_.position = XL_LABEL_POSITION.OUTSIDE_END
    chart.has_legend = bool(fig.layout.showlegend)
    return chart


def _ordered(categories: list, axis: Any) -> list:
    """Categories in the order the figure's axis draws them (an explicit category array wins)."""
    if axis.categoryorder == "array" and axis.categoryarray is not None:
        wanted = [v for v in axis.categoryarray if v in set(categories)]
        return wanted + [c for c in categories if c not in set(wanted)]
    return categories


def _bar(shapes: Any, fig: go.Figure, box: tuple, face: str) -> Any:
    layout = fig.layout
    bars = [t for t in fig.data if t.type == "bar"]
    horizontal = (bars[0].orientation or "v") == "h"
    cat_axis, val_axis = (layout.yaxis, layout.xaxis) if horizontal else (layout.xaxis, layout.yaxis)

    def cats(t: Any) -> list:
        return _flat(t.y if horizontal else t.x)

    def vals(t: Any) -> list[float | None]:
        return [_number(v) for v in (t.x if horizontal else t.y)]

    series = [(t.name, cats(t), vals(t), t.marker.color, t) for t in bars]
    categories = _ordered(list(dict.fromkeys(c for s in series for c in s[1])), cat_axis)
    stacked = layout.barmode in ("stack", "relative") and len(series) > 1
    data = _CategoryData(cat_axis.title.text or CATEGORY_HEADER)
    data.categories = [str(c) for c in categories]
    formats = []
    for name, keys, values, _, _ in series:
        by = dict(zip(keys, values))
        column = [by.get(c) for c in categories]
        fmt = number_format(val_axis.tickformat, [v for v in column if v is not None])
        formats.append(fmt)
        data.add_series(name or val_axis.title.text or "数值", column, number_format=fmt)
    kind_ = {(True, True): XL_CHART_TYPE.BAR_STACKED, (True, False): XL_CHART_TYPE.BAR_CLUSTERED,
             (False, True): XL_CHART_TYPE.COLUMN_STACKED, (False, False): XL_CHART_TYPE.COLUMN_CLUSTERED}
    chart = shapes.add_chart(kind_[(horizontal, stacked)], *box, data).chart
    plot = chart.plots[0]
    # Plotly's bargap is the share of a slot left empty (default 0.2); PowerPoint's gap is a percentage of a bar.
    gap = layout.bargap if layout.bargap is not None else 0.2
    plot.gap_width = round(100 * gap / (1 - gap))
    if stacked:
        plot.overlap = 100
    positions = {c: i for i, c in enumerate(categories)}
    stack_top = max((sum(abs(v or 0) for s in series for k, v in zip(s[1], s[2]) if k == c) for c in categories), default=0)
    for (name, keys, values, color, trace), chart_series, fmt in zip(series, plot.series, formats):
        chart_series.invert_if_negative = False
        colors = color if isinstance(color, (list, tuple, np.ndarray)) else None
        if colors is None and _rgb(color):
            chart_series.format.fill.solid()
            chart_series.format.fill.fore_color.rgb = _rgb(color)
        elif colors is not None:
            for key, c in zip(keys, colors):
                point = chart_series.points[positions[key]]
                point.format.fill.solid()
                point.format.fill.fore_color.rgb = _rgb(c)
        labels = chart_series.data_labels
        labels.font.size = Pt(LABEL_PT)
        if stacked:
            # Each segment's value, inside it; empty segments unlabelled.
            labels.show_value, labels.number_format_is_linked = True, False
            labels.number_format = fmt + HIDE_ZERO if fmt != "General" else "General;;;"
            labels.position = XL_LABEL_POSITION.CENTER
            labels.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            _unlabel(chart_series, [positions[k] for k, v in zip(keys, values) if abs(v or 0) < SMALL_SEGMENT * stack_top])
            continue
        texts = trace.text
        if texts is None or isinstance(texts, str) or all(t is None for t in texts):
            continue
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        label_fmt = _label_format(list(texts), values)
        if label_fmt:
            labels.show_value, labels.number_format, labels.number_format_is_linked = True, label_fmt, False
        else:   # the figure's own words on each bar (e.g. 10 个（9%）)
            for key, text in zip(keys, texts):
                label = chart_series.points[positions[key]].data_label
                label.text_frame.text = str(text)
                label.position = XL_LABEL_POSITION.OUTSIDE_END
    _bar_text_labels(fig, plot, positions, stacked, horizontal)
    _axes(chart, cat_axis, val_axis, face)
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.TOP, False
    return chart


def _unlabel(series: Any, indexes: list[int]) -> None:
    """No label on these points (segments too thin to hold one); the data sheet still has the number."""
    labels = series.data_labels._element   # noqa: SLF001 — c:dLbls; python-pptx cannot delete one label
    for i in reversed(indexes):
        label = labels.makeelement(qn("c:dLbl"), {})
        label.append(label.makeelement(qn("c:idx"), {"val": str(i)}))
        label.append(label.makeelement(qn("c:delete"), {"val": "1"}))
        labels.insert(0, label)   # c:dLbl elements come first in c:dLbls


def _bar_text_labels(fig: go.Figure, plot: Any, positions: dict, stacked: bool, horizontal: bool) -> None:
    """A text trace over side-by-side bars (e.g. 空白（无在册联盟）at a zero bar) labels those bars.

    Over stacked bars the text is the stack's total; a stacked chart has no place above the stack
    for it, and each segment is labelled instead.
    """
    if stacked:
        return
    for trace in (t for t in fig.data if _is_text(t)):
        keys = _flat(trace.y if horizontal else trace.x)
        for key, text in zip(keys, trace.text or ()):
            if key in positions and text:
                label = plot.series[-1].points[positions[key]].data_label
                label.text_frame.text = str(text)
                label.position = XL_LABEL_POSITION.OUTSIDE_END


def _axes(chart: Any, cat_axis: Any, val_axis: Any, face: str) -> None:
    category, value = chart.category_axis, chart.value_axis
    # Plotly and PowerPoint both put the first category next to the origin; "reversed" puts it at the top.
    category.reverse_order = cat_axis.autorange == "reversed"
    if category.reverse_order:
        # Keep the value axis at the bottom, where Plotly draws it: it crosses at the last category.
        # (python-pptx 1.0's ``crosses`` setter leaves autoZero in place, so the XML is set here.)
        value._element.find(qn("c:crosses")).set("val", "max")   # noqa: SLF001
    category.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    category.has_major_gridlines = False
    value.has_major_gridlines = True
    value.major_gridlines.format.line.color.rgb = RGBColor(0xE5, 0xE8, 0xEB)
    value.tick_labels.number_format = number_format(val_axis.tickformat, [1])
    value.tick_labels.number_format_is_linked = False
    value.minimum_scale = 0
    if val_axis.dtick and isinstance(val_axis.dtick, (int, float)):
        value.major_unit = float(val_axis.dtick)
    if val_axis.range:
        value.maximum_scale = float(val_axis.range[1])
    _title(category, cat_axis.title.text, face)
    _title(value, val_axis.title.text, face)


def _line(shapes: Any, fig: go.Figure, box: tuple, face: str) -> Any:
    layout = fig.layout
    # The longest line first: LibreOffice drops the lines after a first one with fewer points.
    traces = sorted((t for t in fig.data if not _is_text(t)), key=lambda t: -len(t.x))
    data = _XyData(layout.xaxis.title.text or X_HEADER, number_format=number_format(layout.xaxis.tickformat, [1]))
    for t in traces:
        points = [(float(x), _number(y)) for x, y in zip(t.x, t.y) if _number(x) is not None]
        series = data.add_series(t.name or layout.yaxis.title.text or "数值",
                                 number_format=number_format(layout.yaxis.tickformat, [y for _, y in points]))
        for x, y in points:
            series.add_data_point(x, y)   # a missing y stays empty in the sheet and leaves a gap
    chart = shapes.add_chart(XL_CHART_TYPE.XY_SCATTER_LINES, *box, data).chart
    legend_deleted = []
    for i, (t, s) in enumerate(zip(traces, chart.plots[0].series)):
        s.smooth = False
        line = s.format.line
        color = _rgb(t.line.color) or _rgb(THEME["categorical"][i % len(THEME["categorical"])])
        line.color.rgb = color
        line.width = Pt(t.line.width or 2)
        if t.line.dash in ("dash", "dot", "dashdot"):
            line.dash_style = MSO_LINE.DASH if t.line.dash == "dash" else MSO_LINE.ROUND_DOT
        if "markers" in (t.mode or ""):
            s.marker.style, s.marker.size = XL_MARKER_STYLE.CIRCLE, 7
            s.marker.format.fill.solid()
            s.marker.format.fill.fore_color.rgb = color
            s.marker.format.line.color.rgb = color
        else:
            s.marker.style = XL_MARKER_STYLE.NONE
        if t.text is not None and not isinstance(t.text, str):
            for j, text in enumerate(t.text):
                if text:
                    label = s.points[j].data_label
                    label.text_frame.text = str(text)
                    label.position = XL_LABEL_POSITION.BELOW if "bottom" in (t.textposition or "") \
                        else XL_LABEL_POSITION.ABOVE
        if t.showlegend is False:
            legend_deleted.append(i)
    category, value = chart.category_axis, chart.value_axis   # x (value axis of an XY chart), y
    xs = [float(x) for t in traces for x in t.x]
    category.minimum_scale, category.maximum_scale = math.floor(min(xs)), math.ceil(max(xs))
    category.major_unit = float(layout.xaxis.dtick) if isinstance(layout.xaxis.dtick, (int, float)) else 1.0
    category.tick_labels.number_format = "0"
    category.tick_labels.number_format_is_linked = False
    category.has_major_gridlines = False
    value.has_major_gridlines = True
    value.major_gridlines.format.line.color.rgb = RGBColor(0xE5, 0xE8, 0xEB)
    value.minimum_scale = 0
    value.tick_labels.number_format = number_format(layout.yaxis.tickformat, [1])
    value.tick_labels.number_format_is_linked = False
    _title(category, layout.xaxis.title.text, face)
    _title(value, layout.yaxis.title.text, face)
    chart.has_legend = True
    chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.TOP, False
    for i in legend_deleted:
        entry = chart.legend._element.makeelement(qn("c:legendEntry"), {})   # noqa: SLF001 — no public API
        idx, delete = entry.makeelement(qn("c:idx"), {"val": str(i)}), entry.makeelement(qn("c:delete"), {"val": "1"})
        entry.append(idx)
        entry.append(delete)
        chart.legend._element.insert(1, entry)   # noqa: SLF001 — after c:legendPos, as the schema orders it
    return chart
