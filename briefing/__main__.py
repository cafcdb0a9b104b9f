"""Command line for briefing packs (scheduled packs, e.g. from cron) and single chart exports.

    python -m briefing --profile tianjin-2018 --as-of 2024-12-31 --out 简报.pptx    (editable charts)
    python -m briefing --as-of … --out 简报.pptx --charts picture            (charts as pictures)
    python -m briefing briefing --profile … --as-of … --out pack.pdf --page slide   (A4 landscape or 16:9)
    python -m briefing --as-of … --format docx --out 工作重点.docx            (年度工作重点 in 公文 format)
    python -m briefing list                                                (the charts a pack can hold)
    python -m briefing chart overview_coverage --as-of … --out 图.svg      (one chart: png | svg | pdf)

Exit status: 0 written; 1 an error (message on stderr), or the pack was written but some
charts failed (listed on stderr); 2 bad arguments.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import figures
from figures import Scope, work_plan
from loaders import default_db
from queries import bureau
from queries.fetch import RegistryFetch
from queries.scope import add_arguments, from_arguments, split_values
from queries.policy import DEFAULT_PROFILE, list_profiles

from . import pack, source, static

COMMANDS = ("briefing", "list", "chart")
DOCX = "docx"   # the 年度工作重点 draft (figures.work_plan), not a pack of charts


def _scope_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None, help="登记库（默认 $REGISTRY_DB 或 data/registry.duckdb）")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, choices=list_profiles(), help="政策配置")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(), help="统计截止日期 YYYY-MM-DD")
    add_arguments(parser)   # --from --to --region --level --cluster, as in the URL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m briefing", description="简报导出：图表打包为 PPTX / PDF / 图片压缩包")
    commands = parser.add_subparsers(dest="command", required=True)
    brief = commands.add_parser("briefing", help="生成简报包")
    _scope_args(brief)
    brief.add_argument("--out", type=Path, required=True, help="输出文件（.pptx / .pdf / .zip / .docx）")
    brief.add_argument("--format", choices=(*pack.FORMATS, DOCX), help="默认按 --out 的扩展名，否则 pptx；"
                       "docx 为年度工作重点草稿（公文格式）")
    brief.add_argument("--charts", default="",
                       help="图表编号，逗号分隔，按此顺序（默认全部，见 list）；"
                            "加 picture 则 PPTX 中的图为图片（默认 native：可编辑图表）")
    brief.add_argument("--page", choices=tuple(static.SIZES), default="a4", help="PDF 页面：a4（横向）或 slide（16:9）")
    brief.add_argument("--year", type=int, default=None, help="docx：计划年度（默认截止日期的下一年）")
    brief.add_argument("--alliance", default=None,
                       help="联盟编号：加上该联盟的档案图（alliance_*）；--charts 中的 alliance_* 图也用它")
    brief.add_argument("--base-url", default=None, help=f"看板地址，用于回链（默认 ${source.URL_ENV} 或 {source.DEFAULT_URL}）")
    commands.add_parser("list", help="列出可放进简报的图表")
    one = commands.add_parser("chart", help="导出一张图")
    one.add_argument("chart_id")
    _scope_args(one)
    one.add_argument("--out", type=Path, required=True, help="输出文件（.png / .svg / .pdf）")
    one.add_argument("--alliance", default=None, help="联盟编号（alliance_* 图需要）")
    one.add_argument("--size", choices=tuple(static.SIZES), default="slide", help="尺寸：slide（16:9）或 a4（横向）")
    return parser


def _scope(args: argparse.Namespace) -> Scope:
    return from_arguments(args, bureau.profile(args.profile, args.db), args.as_of)


def _list(args: argparse.Namespace) -> int:
    profile = bureau.profile(getattr(args, "profile", DEFAULT_PROFILE), getattr(args, "db", None))  # its words
    for chart in source.catalogue(per_alliance=True):
        needs = "\t（需 --alliance 联盟编号）" if source.is_per_alliance(chart.id) else ""
        print(f"{chart.id}\t{chart.page}\t{chart.title_for(profile)}{needs}")
    return 0


def _briefing(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower().lstrip(".")
    fmt = args.format or (suffix if suffix in (*pack.FORMATS, DOCX) else "pptx")
    words = split_values(args.charts)
    modes = [w for w in words if w in pack.CHART_MODES]
    scope = _scope(args)
    if fmt == DOCX:
        return _work_plan(args, scope)

    def progress(fraction: float, text: str) -> None:
        # One updating line on a terminal; one line per step in a scheduled job's log.
        print(f"\r[{fraction:4.0%}] {text}", end="" if sys.stderr.isatty() else "\n", file=sys.stderr, flush=True)

    with RegistryFetch(args.db or default_db(), scope) as fetch:
        # By default every chart that applies to the profile (source.catalogue).
        chart_ids = [w for w in words if w not in pack.CHART_MODES] or [
            c.id for c in source.catalogue(per_alliance=bool(args.alliance), fetch=fetch, scope=scope)]
        built = pack.build(fmt, chart_ids, fetch, scope, alliance=args.alliance, base_url=args.base_url,
                           progress=progress, charts=modes[-1] if modes else "native", page=args.page)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(built.data)
    print(f"已生成 {args.out}（{len(built.items)} 张图，{len(built.data) / 1024:,.0f} KB）")
    for item in built.failures:
        print(f"图表 {item.chart.id}（{item.title}）生成失败：{item.error}", file=sys.stderr)
    return 1 if built.failures else 0


def _work_plan(args: argparse.Namespace, scope: Scope) -> int:
    """The 年度工作重点 draft for ``--year`` under the filters, as the 年度工作重点 page's Word download."""
    year = args.year or scope.as_of.year + 1
    with RegistryFetch(args.db or default_db(), scope) as fetch:
        data = work_plan.to_docx(work_plan.build_plan(fetch, scope, year))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"已生成 {args.out}（{year}年工作重点草稿，{len(data) / 1024:,.0f} KB）")
    return 0


def _chart(args: argparse.Namespace) -> int:
    fmt = args.out.suffix.lstrip(".").lower()
    if fmt not in static.MIME:
        print(f"--out 的扩展名应为 {' / '.join('.' + f for f in static.MIME)}", file=sys.stderr)
        return 2
    if args.chart_id not in figures.all_charts():
        print(f"没有图表「{args.chart_id}」。可用：{'、'.join(c.id for c in source.catalogue(per_alliance=True))}",
              file=sys.stderr)
        return 1
    scope = _scope(args)
    if source.is_per_alliance(args.chart_id) and not args.alliance:
        print(f"图表 {args.chart_id} 是单个联盟的档案图，需要 --alliance 联盟编号。", file=sys.stderr)
        return 2
    with RegistryFetch(args.db or default_db(), scope) as fetch:
        one = source.for_alliance(fetch, args.alliance)[0] if source.is_per_alliance(args.chart_id) else fetch
        export = static.export_chart(args.chart_id, one, scope, fmt, args.size)
    if export is None:
        print("当前筛选条件下没有数据，未生成文件。", file=sys.stderr)
        return 1
    args.out.write_bytes(export.data)
    print(f"已生成 {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a first argument that is an option means the ``briefing`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        argv.insert(0, "briefing")
    args = _parser().parse_args(argv)
    try:
        return {"briefing": _briefing, "chart": _chart, "list": _list}[args.command](args)
    except (static.ExportError, FileNotFoundError, KeyError, ValueError) as e:
        print(f"\n错误：{e.args[0] if e.args else e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
