"""Static export of any registered chart: PNG (2× for slides), SVG and PDF, with Chinese text.

Plotly (≥ 6) exports through Kaleido ≥ 1, which renders in a Chromium-family browser it finds
on PATH (Debian's ``chromium``; ``BROWSER_PATH`` overrides). Chinese glyphs come from the
fonts fontconfig gives that browser, so a CJK font (``fonts-noto-cjk``) must be installed —
without one every character is a box. ``check_environment`` refuses to export then, with
a Chinese message, rather than produce boxes.

One browser is started per process on first use and kept (the first export costs ~3 s,
later ones ~0.25 s). It runs in its own thread and event loop, so exports from several
Streamlit sessions at once are safe; MathJax is off, so rendering never touches the network.

Exports are made at fixed sizes (``data/theme.toml`` ``[sizes]``): a 16:9 slide and an A4
landscape page, each carrying the chart's title and the 数据来源/截至 footnote.
"""
from __future__ import annotations

import asyncio
import atexit
import html
import os
import queue
import shutil
import subprocess
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator, Sequence

import plotly.graph_objects as go

import figures
from figures import THEME, Fetch, Scope, tables

PNG_SCALE = 2                 # slides want 2× pixels
RENDER_TIMEOUT_S = 60         # one image; a hung browser is restarted after this
START_TIMEOUT_S = 60
FOOTNOTE_PREFIX = "数据来源："  # figures.footnote() — how the footnote annotation is recognised
MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


class ExportError(RuntimeError):
    """Static export is impossible here (no browser, no Chinese font) or failed; the message is Chinese."""


@dataclass(frozen=True)
class Size:
    """A fixed export size in CSS pixels at 1× (96 px per inch), and the font sizes that suit it."""

    name: str
    label: str
    width: int
    height: int
    font_size: int = THEME["font_size"]
    title_size: int = THEME["title_size"]

    def resized(self, width: int, height: int) -> "Size":
        """The same fonts at another size (e.g. the chart area of a slide)."""
        return Size(self.name, self.label, width, height, self.font_size, self.title_size)


# Slides are read from across a room: fonts a step larger than on screen.
SIZES: dict[str, Size] = {
    "slide": Size("slide", "16:9 幻灯片", *THEME["sizes"]["slide"], font_size=16, title_size=24),
    "a4": Size("a4", "A4 横向", *THEME["sizes"]["a4"]),
}


# --------------------------------------------------------------------------- the machine


def browser_path() -> str | None:
    """The browser Kaleido will drive: ``BROWSER_PATH``, else the first chromium/chrome on PATH."""
    if os.environ.get("BROWSER_PATH"):
        return os.environ["BROWSER_PATH"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        if found := shutil.which(name):
            return found
    return None


def cjk_fonts() -> list[str]:
    """Font families fontconfig offers for Chinese (empty when none, or when fc-list is missing)."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


# Chromium embeds TrueType fonts as real fonts; OpenType/CFF ones (Noto Sans CJK) become Type 3 glyph
# drawings whose text copies out partly as Kangxi radicals (⼯ for 工). PDFs therefore ask for a
# TrueType CJK font first (Debian: fonts-wqy-microhei), then the theme's.
PDF_FONTS = ("WenQuanYi Micro Hei", "Droid Sans Fallback", "Microsoft YaHei", "SimHei")


@lru_cache(maxsize=1)
def pdf_font_family() -> str:
    """The font list for PDF pages: installed TrueType CJK fonts first, then the theme's families."""
    installed = set(cjk_fonts())
    first = [f for f in PDF_FONTS if f in installed]
    return ", ".join([*first, THEME["font_family"]])


def check_environment() -> None:
    """Raise ExportError (Chinese) unless a browser and a Chinese font are installed."""
    path = browser_path()
    if not path or not os.access(path, os.X_OK):
        raise ExportError("导出图片需要 Chromium 浏览器，本机未找到。请安装（Debian/Ubuntu：apt-get install chromium），"
                          "或用环境变量 BROWSER_PATH 指定浏览器路径。")
    if not cjk_fonts():
        raise ExportError("本机没有中文字体，导出的图中汉字会显示为方框。请安装中文字体"
                          "（Debian/Ubuntu：apt-get install fonts-noto-cjk）后重试。")


RELOAD_EVERY = 50   # images between page reloads in the export browser


def _reusing(kaleido_class: type) -> type:
    """Kaleido, reloading its page every RELOAD_EVERY images instead of after each one.

    Kaleido 1.5 reloads the page — re-parsing the 4 MB plotly.js — after every image, which is
    half to two thirds of an export's time. Plotly.toImage draws each figure in its own
    temporary plot and purges it, so consecutive images share no state (they are
    pixel-identical with and without the reloads); an occasional reload still frees whatever
    the page accumulates. Without the private hook (another Kaleido version), Kaleido as it is.
    """
    if not hasattr(kaleido_class, "_return_kaleido_tab"):
        return kaleido_class

    class Reusing(kaleido_class):
        _images = 0

        async def _return_kaleido_tab(self, tab: Any) -> None:
            self._images += 1
            if self._images % RELOAD_EVERY == 0:
                await super()._return_kaleido_tab(tab)
            else:
                await self.tabs_ready.put(tab)

    return Reusing


class _Browser:
    """One Kaleido browser for the process, in its own thread and event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido: Any = None

    def _start(self) -> None:
        import kaleido

        check_environment()
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="briefing-kaleido", daemon=True).start()

        async def open_browser() -> Any:
            # Built inside the loop: Kaleido's queues belong to the loop that awaits them.
            k = _reusing(kaleido.Kaleido)(n=1, timeout=RENDER_TIMEOUT_S, mathjax=False)
            await k.open()
            return k

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(START_TIMEOUT_S)
        except Exception as e:
            loop.call_soon_threadsafe(loop.stop)
            raise ExportError(f"无法启动导出用的浏览器（{browser_path()}）：{e}") from e
        self._loop = loop

    @property
    def running(self) -> bool:
        return self._loop is not None

    def close(self) -> None:
        """Close the browser (at exit, or after it failed)."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        loop, k = self._loop, self._kaleido
        self._loop = self._kaleido = None
        if loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(k.close(), loop).result(10)
        except Exception:  # noqa: BLE001 — closing a broken browser is best effort
            pass
        loop.call_soon_threadsafe(loop.stop)

    def render(self, fig: dict, opts: dict) -> bytes:
        """One image; the browser is (re)started as needed, and once more if it broke mid-way."""
        from kaleido.errors import JavascriptError, KaleidoError

        for attempt in (1, 2):
            with self._lock:
                if self._loop is None:
                    self._start()
                loop, k = self._loop, self._kaleido
            try:
                return asyncio.run_coroutine_threadsafe(k.calc_fig(fig, opts), loop).result(RENDER_TIMEOUT_S + 5)
            except Exception as e:  # noqa: BLE001 — crashed or hung browser, or a page left in an error state
                with self._lock:
                    if self._kaleido is k:
                        self._close()
                if attempt == 2 or isinstance(e, (JavascriptError, KaleidoError)):   # the figure is at fault
                    raise ExportError(f"图片导出失败：{e}") from e
        raise AssertionError("unreachable")


_BROWSER = _Browser()
atexit.register(_BROWSER.close)


def warm_up() -> None:
    """Start the browser now and render a blank figure (the first export otherwise pays ~3 s)."""
    render_job((go.Figure(), "svg", Size("warm", "", 100, 100)))


def warm_up_in_background() -> None:
    """Start the browser in a background thread, unless it runs already (e.g. while a pack's queries run).

    Failures are left for the first real export to report.
    """
    if _BROWSER.running:
        return

    def quietly() -> None:
        try:
            warm_up()
        except ExportError:
            pass

    threading.Thread(target=quietly, name="briefing-warm-up", daemon=True).start()


# --------------------------------------------------------------------------- figures at fixed sizes


def text_width(text: str, font_px: float) -> float:
    """Rough width of a line in pixels: CJK and full-width characters are square, the rest about half."""
    return sum(font_px if ord(ch) > 0x2E7F else 0.55 * font_px for ch in text)


def wrap(text: str, max_px: float, font_px: float) -> list[str]:
    """Split ``text`` into lines no wider than ``max_px``, preferring breaks after Chinese punctuation."""
    lines: list[str] = []
    rest = text.strip()
    while rest and text_width(rest, font_px) > max_px:
        cut, width = 0, 0.0
        for i, ch in enumerate(rest):
            width += text_width(ch, font_px)
            if width > max_px:
                break
            cut = i + 1
        soft = max((rest.rfind(p, 0, cut) for p in "，；、："), default=-1)
        if soft >= cut // 2:
            cut = soft + 1
        lines.append(rest[:cut])
        rest = rest[cut:].strip()
    return lines + ([rest] if rest else [])


TITLE_LEFT_PX = 24   # titles start this far from the figure's left edge, whatever the axes need
LEGEND_BAND_PX = 50  # room above the plot for the horizontal legend and the labels under it


def _legend_shown(fig: go.Figure) -> bool:
    """Whether Plotly will draw a legend: asked for, or more than one trace (or a pie) that would show in it."""
    if fig.layout.showlegend is not None:
        return bool(fig.layout.showlegend)
    listed = [t for t in fig.data if t.showlegend is not False]
    return len(listed) > 1 or any(t.type == "pie" for t in listed)


def for_export(fig: go.Figure, size: Size, *, show_title: bool = True, title: str | None = None,
               subtitle: str | None = None, footer: str | None = None, page_label: str | None = None,
               font_family: str | None = None) -> go.Figure:
    """A copy of a styled chart laid out for ``size``: fonts, margins, title and footnote placed in pixels.

    ``show_title=False`` drops the title (a slide carries it as its own title); ``title``
    replaces it (e.g. with the alliance's name added); ``subtitle`` adds the takeaway under
    the title, wrapped to the width (PDF pages); ``footer`` adds a small line under the
    source footnote (filters and link on PDF pages). All three are plain text, escaped here
    (names may hold HTML). ``page_label`` (「— 3 —」) goes in the bottom right corner, below the
    rest, where a bureau's documents put odd page numbers; ``font_family`` replaces the theme's.
    """
    # A copy built from its dict without re-validating it: ~20× cheaper than go.Figure(fig).
    out = go.Figure(fig.to_dict(), _validate=False)
    line = size.font_size + 6
    top = size.title_size + 40 if show_title else 24
    sub_lines = wrap(subtitle, size.width - 2 * TITLE_LEFT_PX, size.font_size + 1) if show_title and subtitle else []
    top += len(sub_lines) * (line + 2) + (10 if sub_lines else 0)
    legend = _legend_shown(out)
    if legend:
        top += LEGEND_BAND_PX
    below = (line if footer else 0) + (line if page_label else 0)   # lines under the source footnote
    bottom = 96 + below
    out.update_layout(width=size.width, height=size.height, font_size=size.font_size,
                      margin=dict(l=72, r=56, t=top, b=bottom))
    if font_family:
        out.update_layout(font_family=font_family)
    if legend:
        # Lift the horizontal legend clear of the band just above the plot, where charts put
        # their own labels (e.g. the 统计截止日 line's).
        out.update_layout(legend_y=1 + 22 / max(size.height - top - bottom, 1))
    if show_title:
        if title:
            out.update_layout(title_text=html.escape(title, quote=False))
        out.update_layout(title=dict(x=TITLE_LEFT_PX / size.width, xref="container", xanchor="left",
                                     y=1 - 18 / size.height, yref="container", yanchor="top",
                                     font_size=size.title_size))
        if sub_lines:
            out.update_layout(title_subtitle=dict(text="<br>".join(html.escape(t, quote=False) for t in sub_lines),
                                                  font=dict(size=size.font_size + 1, color=THEME["accent"])))
    else:
        out.update_layout(title_text=None)
    # The footnote goes in pixels above the bottom edge: the page's paper-relative position
    # (a fraction of the plot height) falls off the figure at export heights.
    for note in out.layout.annotations:
        if (note.text or "").startswith(FOOTNOTE_PREFIX):
            note.update(y=0, yref="paper", yanchor="bottom", yshift=-(bottom - 8 - below),
                        font_size=size.font_size - 2)
    # Right-aligned: the right margin is fixed, while long axis labels can push the plot's left edge inwards.
    if footer:
        out.add_annotation(text=html.escape(footer, quote=False), xref="paper", yref="paper", x=1, xanchor="right",
                           y=0, yanchor="bottom", yshift=-(bottom - 6 - (line if page_label else 0)), showarrow=False,
                           font=dict(size=size.font_size - 3, color=THEME["muted"]))
    if page_label:
        out.add_annotation(text=page_label, xref="paper", yref="paper", x=1, xanchor="right", y=0, yanchor="bottom",
                           yshift=-(bottom - 4), showarrow=False, font=dict(size=size.font_size))
    return out


Job = tuple[go.Figure, str, Size]   # figure (already laid out), format, size


def render_job(job: Job) -> bytes:
    """One (figure, format, size) rendered to bytes."""
    fig, fmt, size = job
    if fmt not in MIME:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(MIME)}")
    opts = {"format": fmt, "width": size.width, "height": size.height, "scale": PNG_SCALE if fmt == "png" else 1}
    return _BROWSER.render(fig.to_dict(), opts)


def render_ahead(jobs: Sequence[Job]) -> Iterator[bytes]:
    """Each job's bytes in order, rendered in a background thread while the caller handles earlier ones.

    The caller's own work (merging PDF pages, writing slides) overlaps with the browser's; the
    caller stays in its thread, so it can update Streamlit's progress bar between images.
    """
    ready: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            for job in jobs:
                if stop.is_set():
                    return
                ready.put(render_job(job))
        except BaseException as e:  # noqa: BLE001 — handed to the caller below
            ready.put(e)

    threading.Thread(target=work, name="briefing-render", daemon=True).start()
    try:
        for _ in jobs:
            result = ready.get()
            if isinstance(result, BaseException):
                raise result
            yield result
    finally:
        stop.set()   # the caller stopped early: render no more


def to_bytes(fig: go.Figure, fmt: str, size: Size | str = "slide") -> bytes:
    """One styled chart as PNG (2×), SVG or PDF at a fixed size, title and footnote included."""
    size = SIZES[size] if isinstance(size, str) else size
    family = pdf_font_family() if fmt == "pdf" else None   # embedded, copyable Chinese (see PDF_FONTS)
    return render_job((for_export(fig, size, font_family=family), fmt, size))


def file_stem(title: str, scope: Scope) -> str:
    """A file name for a chart: its Chinese title and the as-of date, without characters file systems refuse."""
    return f"{tables.file_stem(title)}_{scope.as_of.isoformat()}"


@dataclass(frozen=True)
class Export:
    """A rendered chart ready to download."""

    data: bytes
    filename: str
    mime: str


def export_chart(chart_id: str, fetch: Fetch, scope: Scope, fmt: str, size: Size | str = "slide") -> Export | None:
    """A registered chart under ``scope`` as a file; None when it has nothing to draw."""
    fig, _ = figures.render(chart_id, fetch, scope)
    if fig is None:
        return None
    title = figures.all_charts()[chart_id].title_for(scope.profile)
    return Export(to_bytes(fig, fmt, size), f"{file_stem(title, scope)}.{fmt}", MIME[fmt])
