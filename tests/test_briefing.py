"""简报导出: static chart files, PPTX / PDF / zip packs, the CLI (without network) and the page.

Rendering needs Chromium and a CJK font (.ci/run installs both); without them the
rendering tests are skipped with the reason shown. Packs hold the two overview charts so
the file stays fast; every registered chart is still built (not rendered) on the sample,
empty and single-alliance registries.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import plotly.graph_objects as go
import pypdfium2 as pdfium
import pytest
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

import figures
import navigation
from briefing import pack, source, static
from briefing.__main__ import main as cli
from figures import Scope
from loaders.registry import connect_read_only
from queries.fetch import RegistryFetch
from queries.policy import load_profile
from app_pages import open_page

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2024, 12, 31)
CHARTS = ["overview_coverage", "overview_composition"]
BUREAU = "天津市科学技术局"                 # data/profiles/tianjin-2018.toml issuer
TITLES = {"overview_coverage": "各产业集群在册联盟数", "overview_composition": "成员单位构成（产·学·研·金·介）"}

try:
    static.check_environment()
    CANNOT_RENDER = ""
except static.ExportError as e:
    CANNOT_RENDER = str(e)
renders = pytest.mark.skipif(bool(CANNOT_RENDER), reason=CANNOT_RENDER or "-")


def _scope(**filters) -> Scope:
    return Scope(load_profile("tianjin-2018"), AS_OF, 2010, 2024, **filters)


@pytest.fixture(scope="module")
def sample_fetch(sample_db: Path):
    with RegistryFetch(sample_db, _scope()) as fetch:
        yield fetch


@pytest.fixture(scope="module")
def pptx_built(sample_fetch) -> pack.Pack:
    steps: list[float] = []
    built = pack.build("pptx", CHARTS, sample_fetch, _scope(), base_url="https://kanban.example.gov.cn/",
                       progress=lambda fraction, text: steps.append(fraction))
    assert steps == sorted(steps) and steps[-1] == 1.0   # the page's progress bar only moves forward
    return built


@pytest.fixture(scope="module")
def pdf_built(sample_fetch) -> pack.Pack:
    return pack.build("pdf", CHARTS, sample_fetch, _scope())


def _cjk(text: str) -> str:
    """Text as compared with PDF text: Chromium's PDFs map some glyphs to Kangxi radicals (⼯ for 工),
    which NFKC folds back (it also folds full-width brackets, so both sides go through it)."""
    return unicodedata.normalize("NFKC", text)


# ---- the catalogue and the data, without rendering ---------------------------------------------

def test_catalogue_and_links() -> None:
    ids = [c.id for c in source.catalogue()]
    assert ids[:2] == CHARTS                             # 总览 first, as in the navigation
    assert not any(i.startswith("alliance_") for i in ids)   # per-alliance charts need an alliance id
    paths = {page.title: page.path for page in navigation.PAGES}
    assert paths["总览"] == "" and paths["目标进度"] == "targets" and paths["简报导出"] == "briefing"
    link = source.live_url("目标进度", _scope(regions=("滨海新区", "西青区"), levels=("市级",)), "https://x.cn/")
    assert link == ("https://x.cn/targets?profile=tianjin-2018&as_of=2024-12-31&from=2010&to=2024"
                    "&region=%E6%BB%A8%E6%B5%B7%E6%96%B0%E5%8C%BA,%E8%A5%BF%E9%9D%92%E5%8C%BA&level=%E5%B8%82%E7%BA%A7")


@pytest.mark.parametrize("registry", ["sample_db", "empty_db", "single_db"])
def test_every_chart_builds(registry: str, request: pytest.FixtureRequest) -> None:
    with RegistryFetch(request.getfixturevalue(registry), _scope()) as fetch:
        items = pack.collect([c.id for c in source.catalogue()], fetch, _scope())
    assert [i.error for i in items if i.error] == []
    assert all(i.takeaway for i in items)


def test_single_alliance_takeaways(single_db: Path) -> None:
    # By hand from conftest.single_db: one alliance (工业机器人 → 高端装备), members 企业, 高校, 科研院所.
    with RegistryFetch(single_db, _scope()) as fetch:
        coverage, composition = pack.collect(CHARTS, fetch, _scope())
    assert coverage.takeaway.startswith("10 个产业集群中 1 个已有在册联盟")
    assert "3 家次" in composition.takeaway and "33%" in composition.takeaway


def test_per_alliance_charts_need_an_alliance(sample_fetch) -> None:
    with pytest.raises(KeyError, match="需要指定联盟编号"):
        pack.collect(["alliance_members"], sample_fetch, _scope())
    alliance = sample_fetch("alliance_directory").iloc[0]
    (item,) = pack.collect(["alliance_members"], sample_fetch, _scope(), alliance=alliance["alliance_id"])
    assert item.title.endswith(alliance["alliance"]) and f"alliance={alliance['alliance_id']}" in item.link
    assert item.figure is not None and item.takeaway.startswith("现有成员单位")


def test_empty_registry_pack_says_so(empty_db: Path) -> None:
    with RegistryFetch(empty_db, _scope()) as fetch:
        built = pack.build("pptx", CHARTS, fetch, _scope())   # nothing to draw: no browser needed
    deck = Presentation(io.BytesIO(built.data))
    assert len(deck.slides) == 3
    assert all(pack.EMPTY in "".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
               for slide in list(deck.slides)[1:])


# ---- static exports ----------------------------------------------------------------------------

@renders
def test_static_svg_png_pdf(sample_fetch) -> None:
    svg = static.export_chart("overview_coverage", sample_fetch, _scope(), "svg")
    assert svg.filename == "各产业集群在册联盟数_2024-12-31.svg" and svg.mime == "image/svg+xml"
    text = svg.data.decode("utf-8")
    assert TITLES["overview_coverage"] in text and "数据来源：联盟登记库；截至2024年12月31日" in text
    assert 'width="1280" height="720"' in text
    second = static.export_chart("overview_composition", sample_fetch, _scope(), "svg").data.decode("utf-8")
    # The export page is reused between images: nothing of the first may show in the next.
    assert TITLES["overview_composition"] in second and TITLES["overview_coverage"] not in second
    png = static.export_chart("overview_composition", sample_fetch, _scope(), "png")
    width, height = (int.from_bytes(png.data[16:20], "big"), int.from_bytes(png.data[20:24], "big"))
    assert (width, height) == (2 * 1280, 2 * 720)        # 16:9 slide at 2×
    pdf = static.export_chart("overview_coverage", sample_fetch, _scope(), "pdf", "a4")
    box = PdfReader(io.BytesIO(pdf.data)).pages[0].mediabox
    assert abs(float(box.width) - 841.9) < 2 and abs(float(box.height) - 595.3) < 2   # A4 landscape, in pt


def test_export_layout_escapes_names_and_wraps() -> None:
    fig = figures.styled(go.Figure(), "标题", _scope())
    takeaway = "逾期最久的是<b>某某</b>联盟，" * 8
    out = static.for_export(fig, static.SIZES["a4"], title="成员构成——<i>某联盟</i>", subtitle=takeaway,
                            footer="在线查看：http://x/?a=1&b=2")
    assert out.layout.title.text == "成员构成——&lt;i&gt;某联盟&lt;/i&gt;"
    lines = out.layout.title.subtitle.text.split("<br>")
    assert len(lines) > 1 and "&lt;b&gt;某某&lt;/b&gt;" in lines[0]
    assert out.layout.annotations[-1].text == "在线查看：http://x/?a=1&amp;b=2"
    assert (out.layout.width, out.layout.height) == (1123, 794)


def test_file_stem_is_safe() -> None:
    assert static.file_stem('累计/备案:目标 "2020"', _scope()) == "累计_备案_目标_2020_2024-12-31"


# ---- packs -------------------------------------------------------------------------------------

def test_pptx_pack(pptx_built: pack.Pack, sample_fetch) -> None:   # native charts: no browser needed
    deck = Presentation(io.BytesIO(pptx_built.data))
    slides = list(deck.slides)
    assert len(slides) == 1 + len(CHARTS)
    first = "\n".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert pack.PACK_TITLE in first and BUREAU in first and "数据截至2024年12月31日" in first
    for slide, chart_id in zip(slides[1:], CHARTS):
        assert slide.shapes.title.text == TITLES[chart_id]
        takeaway = next(s for s in slide.shapes if s.name == "takeaway").text_frame.text
        assert takeaway == figures.render(chart_id, sample_fetch, _scope())[1]
        assert any(s.has_chart for s in slide.shapes)                  # a native chart, not a picture
        source_line = next(s for s in slide.shapes if s.name == "source").text_frame.text
        assert source_line.startswith("数据来源：联盟登记库；截至2024年12月31日")
        notes = slide.notes_slide.notes_text_frame.text
        assert "筛选条件：政策配置：天津市（2018）；截至 2024-12-31；年份：2010–2024" in notes
        assert "在线查看：https://kanban.example.gov.cn/?profile=tianjin-2018&as_of=2024-12-31&from=2010&to=2024" in notes
    assert pptx_built.filename == "联盟简报_2024-12-31.pptx"


# ---- native charts: the figures in the slides' charts and data sheets, worked out from the raw tables ----

NATIVE = ["targets_filings", "subsidies_by_year", "overview_composition", "coverage_members"]


def _raw(db: Path, sql: str) -> list[tuple]:
    con = connect_read_only(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def native_deck(sample_fetch) -> Presentation:
    built = pack.build("pptx", NATIVE, sample_fetch, _scope())
    return Presentation(io.BytesIO(built.data))


def _chart(slide):
    (frame,) = [s for s in slide.shapes if s.has_chart]
    return frame.chart


def _sheet(chart) -> list[tuple]:
    """The rows of a chart's embedded workbook (what 编辑数据 opens)."""
    book = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


def test_native_chart_values_match_the_raw_tables(native_deck: Presentation, sample_db: Path) -> None:
    slides = list(native_deck.slides)[1:]
    # 历年备案联盟数: alliances by the year of 备案日期 (≤ as_of, revoked ones included), 2010–2024.
    filed = Counter(y for (y,) in _raw(sample_db, "select year(filed_date) from alliances "
                                                  "where filed_date <= date '2024-12-31'"))
    chart = _chart(slides[0])
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    plot = chart.plots[0]
    years = [int(float(c)) for c in plot.categories]
    assert years == list(range(2010, 2025))
    assert list(plot.series[0].values) == [filed[y] for y in years]
    assert plot.series[0].data_labels.number_format == "0"          # labels are the counts, as on the page
    assert _sheet(chart)[0] == ("年份", "当年备案（个）")              # Chinese headers in 编辑数据
    assert [r[1] for r in _sheet(chart)[1:]] == [filed[y] for y in years]

    # 历年补贴金额 (万元): subsidies by 年度, not 已收回, 2010–2024, yuan / 10 000.
    paid = dict(_raw(sample_db, "select year, sum(amount_yuan) / 10000 from subsidies "
                                "where status is distinct from '已收回' and year between 2010 and 2024 group by year"))
    chart = _chart(slides[1])
    plot = chart.plots[0]
    assert [int(float(c)) for c in plot.categories] == sorted(paid)
    assert [round(v, 2) for v in plot.series[0].values] == [round(float(paid[y]), 2) for y in sorted(paid)]
    assert plot.series[0].data_labels.number_format == "#,##0.00"    # 万元 with two decimals
    assert _sheet(chart)[0] == ("补贴所属年度", "补贴金额（万元）")

    # 成员单位构成: a doughnut of current members by unit type in alliances on the register.
    members = dict(_raw(sample_db, """
        select m.unit_type, count(*) from members m join alliances a using (alliance_id)
        where a.filed_date <= date '2024-12-31' and (a.revoked_date is null or a.revoked_date > date '2024-12-31')
          and (m.joined_date is null or m.joined_date <= date '2024-12-31')
          and (m.left_date is null or m.left_date > date '2024-12-31')
        group by 1"""))
    chart = _chart(slides[2])
    assert chart.chart_type == XL_CHART_TYPE.DOUGHNUT
    plot = chart.plots[0]
    by_type = {c.split("（")[0]: v for c, v in zip(plot.categories, plot.series[0].values)}
    assert {t: v for t, v in by_type.items() if v} == {t: n for t, n in members.items() if n}

    # 各产业集群成员单位构成: stacked bars, one series per unit type, clusters top to bottom as on the page.
    chart = _chart(slides[3])
    assert chart.chart_type == XL_CHART_TYPE.BAR_STACKED
    assert [s.name for s in chart.plots[0].series] == ["企业", "高校", "科研院所", "其他（金融、中介等）"]
    assert chart.category_axis.reverse_order
    total = sum(sum(v for v in s.values if v) for s in chart.plots[0].series)
    assert total == sum(members.values())


def test_native_chart_looks_like_the_page(native_deck: Presentation) -> None:
    chart = _chart(list(native_deck.slides)[1])
    xml = chart._chartSpace.xml
    assert 'typeface="Microsoft YaHei"' in xml and "<a:ea " in xml        # Chinese font set for East Asian text
    assert chart.plots[0].series[0].points[0].format.fill.fore_color.rgb == RGBColor.from_string(figures.THEME["primary"][1:])
    assert chart.value_axis.axis_title.text_frame.text == "当年备案（个）"
    assert not chart.has_title                                             # the slide's title is the chart's


@renders
def test_pictures_on_request_and_where_no_chart_fits(sample_fetch) -> None:
    built = pack.build("pptx", ["overview_coverage", "coverage_heatmap"], sample_fetch, _scope(), charts="picture")
    slides = list(Presentation(io.BytesIO(built.data)).slides)[1:]
    assert all(any(s.shape_type == 13 for s in slide.shapes) and not any(s.has_chart for s in slide.shapes)
               for slide in slides)
    native = pack.build("pptx", ["coverage_heatmap"], sample_fetch, _scope())   # the heat map stays a picture
    (slide,) = list(Presentation(io.BytesIO(native.data)).slides)[1:]
    assert any(s.shape_type == 13 for s in slide.shapes)


@renders
def test_a_chart_the_converter_cannot_take_becomes_its_picture(sample_fetch, monkeypatch: pytest.MonkeyPatch) -> None:
    def half_made(shapes, fig, box, **kw):
        shapes.add_textbox(*box)            # something already on the slide when it fails
        raise ValueError("unexpected data")

    monkeypatch.setattr(pack.native, "add_chart", half_made)
    built = pack.build("pptx", ["targets_filings"], sample_fetch, _scope())
    (slide,) = list(Presentation(io.BytesIO(built.data)).slides)[1:]
    assert [s.shape_type for s in slide.shapes].count(13) == 1           # the picture, once
    assert len(slide.shapes) == 4                                        # title, takeaway, picture, page corner


def test_missing_values_leave_gaps_not_errors() -> None:
    from pptx.util import Inches

    fig = figures.styled(go.Figure(go.Scatter(x=[2020, 2021, 2022], y=[1, None, 3], mode="lines+markers", name="甲")),
                         "折线", _scope())
    bars = figures.styled(go.Figure(go.Bar(x=["甲", "乙"], y=[2, float("nan")], text=["2", ""])), "柱", _scope())
    deck = Presentation()
    for figure in (fig, bars):
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        placed = pack.native.add_chart(slide.shapes, figure, (0, 0, Inches(6), Inches(4)), face="Microsoft YaHei",
                                       footnote_prefix=static.FOOTNOTE_PREFIX)
        values = list(placed.chart.plots[0].series[0].values)
        assert values in ([1.0, None, 3.0], [2.0, None])


LIBREOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(not LIBREOFFICE, reason="没有 LibreOffice（apt-get install libreoffice-impress），无法把 PPTX 转成图片")
def test_libreoffice_draws_the_native_charts(native_deck: Presentation, tmp_path: Path) -> None:
    """LibreOffice (as WPS would) opens the deck and draws each chart from its own data: labels and axes as text."""
    deck = tmp_path / "简报.pptx"
    native_deck.save(str(deck))
    done = subprocess.run([LIBREOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                           "pdf", "--outdir", str(tmp_path), str(deck)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    pdf = pdfium.PdfDocument(str(tmp_path / "简报.pdf"))
    assert len(pdf) == 1 + len(NATIVE)
    text = PdfReader(str(tmp_path / "简报.pdf")).pages[2].extract_text()
    assert "补贴所属年度" in text and "2019" in text                      # axis title and year labels drawn
    for n in range(1, len(pdf)):
        image = pdf[n].render(scale=1).to_pil().convert("L")
        image.save(tmp_path / f"slide{n}.png")                              # kept for a person to look at
        w, h = image.size
        chart_area = image.crop((int(w * 0.05), int(h * 0.25), int(w * 0.95), int(h * 0.9)))
        dark = sum(chart_area.histogram()[:200])
        assert dark > 0.02 * chart_area.width * chart_area.height, f"slide {n}: chart area blank"


def test_readme_example_is_what_the_sample_shows(sample_db: Path) -> None:
    """The README's example takeaway is the one the sample gives, and its figures are the raw tables'."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"要点（如「(.+?)」）", readme).group(1)
    as_of = dt.date.fromisoformat(re.search(r"python -m briefing --profile tianjin-2018 --as-of (\S+)", readme).group(1))
    scope = Scope(load_profile("tianjin-2018"), as_of, 2010, as_of.year)
    with RegistryFetch(sample_db, scope) as fetch:
        assert example == figures.render("targets_progress", fetch, scope)[1]
    (filed,) = _raw(sample_db, "select count(*) from alliances where filed_date between date '2016-01-01' "
                               "and date '2020-12-31'")[0]
    assert f"实际 {filed} 个" in example and f"比下限少 {80 - filed} 个" in example and f"{filed / 80:.0%}" in example


@renders
def test_pdf_pack(pdf_built: pack.Pack) -> None:
    reader = PdfReader(io.BytesIO(pdf_built.data))
    assert len(reader.pages) == 2 + len(CHARTS)                   # title, contents, one page per chart
    first = _cjk(reader.pages[0].extract_text())
    assert all(_cjk(t) in first for t in (BUREAU, pack.PACK_TITLE, "数据截至2024年12月31日"))
    contents = reader.pages[1].extract_text()
    assert "目" in contents and all(f"{n}．{TITLES[c]}" in contents for n, c in enumerate(CHARTS, 1))
    assert "— 2 —" in contents
    # the contents lines link to their pages
    page_ids = [p.indirect_reference.idnum for p in reader.pages]
    targets = [page_ids.index(a.get_object()["/Dest"][0].idnum) for a in reader.pages[1]["/Annots"]]
    assert targets == [2, 3]
    image = pdfium.PdfDocument(pdf_built.data)[0].render(scale=1).to_pil().convert("L")
    inked = sum(image.histogram()[:200])
    assert inked > 0.005 * image.width * image.height             # not blank
    for n, (page, chart_id) in enumerate(zip(reader.pages[2:], CHARTS), 3):
        text = page.extract_text()
        assert TITLES[chart_id] in text and f"— {n} —" in text
        assert "数据来源：联盟登记库；截至2024年12月31日" in text         # each chart's source and as-of line
        (link,) = [a.get_object() for a in page["/Annots"]]
        assert link["/A"]["/URI"].startswith("http://localhost:8501/?profile=tianjin-2018&as_of=2024-12-31")
    assert [o["/Title"] for o in reader.outline] == [TITLES[c] for c in CHARTS]
    (home,) = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert home["/A"]["/URI"] == "http://localhost:8501/?profile=tianjin-2018&as_of=2024-12-31&from=2010&to=2024"


@renders
def test_pdf_fonts_are_embedded_and_text_copies_right(pdf_built: pack.Pack) -> None:
    """CJK fonts embedded as fonts (not Type 3 drawings), and no Kangxi radicals (⼯ for 工) in the text."""
    if "WenQuanYi Micro Hei" not in static.cjk_fonts():
        pytest.skip("没有 TrueType 中文字体（apt-get install fonts-wqy-microhei），PDF 中文只能画成 Type 3 字形")
    reader = PdfReader(io.BytesIO(pdf_built.data))
    for page in reader.pages:
        fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
        assert {str(f["/Subtype"]) for f in fonts} == {"/Type0"}
        for font in fonts:
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor and "WenQuanYi" in str(descriptor["/FontName"])
        text = page.extract_text()
        assert not [c for c in text if 0x2E80 <= ord(c) <= 0x2FDF], text   # CJK radicals / Kangxi radicals blocks
    assert "各产业集群在册联盟数" in reader.pages[2].extract_text()     # exactly, without NFKC folding


@renders
def test_pdf_at_slide_size(sample_fetch) -> None:
    built = pack.build("pdf", CHARTS[:1], sample_fetch, _scope(), page="slide")
    box = PdfReader(io.BytesIO(built.data)).pages[2].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (960, 540)   # 1280 × 720 px at 0.75 pt


@renders
def test_zip_pack(sample_fetch) -> None:
    built = pack.build("zip", CHARTS[:1], sample_fetch, _scope())
    archive = zipfile.ZipFile(io.BytesIO(built.data))
    assert sorted(archive.namelist()) == ["01_各产业集群在册联盟数_2024-12-31.png", "01_各产业集群在册联盟数_2024-12-31.svg",
                                          "简报说明.txt"]
    readme = archive.read("简报说明.txt").decode("utf-8-sig")
    assert BUREAU in readme and "在线查看：http://localhost:8501/?profile=tianjin-2018" in readme


@renders
def test_cli_without_network(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "简报.pptx"
    command = [sys.executable, "-m", "briefing", "briefing", "--profile", "tianjin-2018", "--as-of", "2024-12-31",
               "--db", str(sample_db), "--charts", "overview_coverage", "--out", str(out)]
    # No network namespace where unshare is allowed: nothing may be fetched while rendering.
    if shutil.which("unshare") and subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0:
        command = ["unshare", "-rn", *command]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    deck = Presentation(str(out))
    assert [s.shapes.title.text for s in deck.slides] == [pack.PACK_TITLE, TITLES["overview_coverage"]]
    docx = tmp_path / "工作重点.docx"
    done = subprocess.run([sys.executable, "-m", "briefing", "--as-of", "2026-11-21", "--db", str(sample_db),
                           "--format", "docx", "--out", str(docx)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    from docx import Document

    assert Document(str(docx)).paragraphs[0].text == "天津市科学技术局2027年产业技术创新战略联盟工作重点（草稿）"


def test_cli_errors(sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    args = ["--db", str(sample_db), "--as-of", "2024-12-31", "--out", str(tmp_path / "x.pptx")]
    assert cli([*args, "--charts", "alliance_members"]) == 1
    assert "需要指定联盟编号" in capsys.readouterr().err
    assert cli([*args, "--charts", "no_such_chart"]) == 1
    assert "没有这些图表" in capsys.readouterr().err
    assert cli(["list"]) == 0
    assert "overview_coverage\t总览\t各产业集群在册联盟数" in capsys.readouterr().out


# ---- the page ----------------------------------------------------------------------------------

def _open(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(db, monkeypatch, "briefing", as_of=None)


@renders
def test_page_builds_a_pack(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(sample_db, monkeypatch)
    assert at.title[0].value == "简报导出"
    boxes = {b.key: b for b in at.checkbox}
    # the charts that apply to the profile, each once: 总览's copy of the cluster chart is not offered
    scope = Scope(load_profile("tianjin-2018"), dt.date.today())
    with RegistryFetch(sample_db, scope) as fetch:
        expected = {f"brief_{c.id}" for c in source.catalogue(fetch=fetch, scope=scope)}
        # each box's hover text: its chart's takeaway under the page's filters (shared across sessions, ui.takeaway)
        lines = {f"brief_{c.id}": c.takeaway(fetch, scope) for c in source.catalogue(fetch=fetch, scope=scope)}
    assert expected <= set(boxes)
    assert {k: boxes[k].help for k in lines} == {k: line or "" for k, line in lines.items()}
    assert "brief_overview_coverage" not in boxes and "brief_reviews_agreements" not in boxes
    for key, box in boxes.items():
        if key != "brief_coverage_alliances":
            box.uncheck()
    at.radio(key="brief_format").set_value("zip").run()
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已生成" in s.value for s in at.success)
    assert [b.label for b in at.get("download_button")][0] == "下载 图片压缩包（PNG + SVG）"


def test_page_offers_editable_charts_and_pdf_pages(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(sample_db, monkeypatch)
    assert at.radio(key="brief_charts").value == "native"               # PPTX default: editable charts
    for key, box in {b.key: b for b in at.checkbox}.items():
        if key != "brief_targets_filings":
            box.uncheck()
    at.run()
    if not CANNOT_RENDER:
        at.button[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
        data = at.session_state["brief_pack"][1].data
        (slide,) = list(Presentation(io.BytesIO(data)).slides)[1:]
        assert any(s.has_chart for s in slide.shapes)
    at.radio(key="brief_format").set_value("pdf").run()
    assert [o for o in at.radio(key="brief_page").options] == [s.label for s in static.SIZES.values()]


def test_page_on_empty_registry(empty_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(empty_db, monkeypatch)
    assert at.title[0].value == "简报导出"
    if CANNOT_RENDER:
        assert at.error[0].value == CANNOT_RENDER
        return
    at.button[0].click().run()                            # every chart empty: a pack of 说明 pages, no rendering
    assert not at.exception, [e.value for e in at.exception]
    assert any("已生成" in s.value for s in at.success)
    assert "当前筛选条件下没有数据的图" in at.caption[-1].value or any("没有数据" in c.value for c in at.caption)
