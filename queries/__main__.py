"""Command line: python -m queries {list,show,run,settings}.

    python -m queries list
    python -m queries show NAME
    python -m queries run NAME [--db PATH] [--profile P] [--as-of DATE] [--param k=v ...]
                               [--filter region=滨海新区,西青区 --filter level=市级 --filter cluster=新材料 ...]
                               [--format csv|json|table]
    python -m queries settings [--db PATH] [--undo N | --restore N [--before]] [--user NAME]

``--filter`` is the dashboard's sidebar: region (所属区域 as region_distribution shows it),
level (国家级/省级/市级), cluster (taxonomy entry, or 未归类); comma-separated values are ORed,
dimensions ANDed (queries.scope.parse_filters; python -m briefing takes the same option).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import unicodedata
from dataclasses import replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb

from loaders import default_db
from loaders.registry import connect_read_only

from . import bureau, catalogue, runner
from .policy import DEFAULT_PROFILE
from .scope import add_arguments, from_arguments


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except (catalogue.QueryError, ValueError, duckdb.Error) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m queries", description="联盟看板的具名查询")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    p = sub.add_parser("list", help="列出全部查询及其参数、列")
    p.set_defaults(func=_list)
    p = sub.add_parser("show", help="显示一个查询的说明和 SQL")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(func=_show)
    p = sub.add_parser("run", help="运行一个查询")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--db", type=Path, default=None, help="数据库文件（默认 $REGISTRY_DB 或 data/registry.duckdb）")
    p.add_argument("--profile", default=DEFAULT_PROFILE, help=f"政策配置（默认 {DEFAULT_PROFILE}）")
    p.add_argument("--as-of", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD", help="统计截止日期（默认今天）")
    p.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="查询参数，可重复；另可用 taxonomy=ID 指定分类体系（空为不分类）")
    add_arguments(p, years=False)   # --filter DIM=V1,V2, as python -m briefing takes it
    p.add_argument("--format", choices=("csv", "json", "table"), default="table", help="输出格式（默认 table）")
    p.set_defaults(func=_run)
    p = sub.add_parser("settings", help="本局设置的修改记录；撤销或恢复（同“设置”页）")
    p.add_argument("--db", type=Path, default=None, help="数据库文件（默认 $REGISTRY_DB 或 data/registry.duckdb）")
    act = p.add_mutually_exclusive_group()
    act.add_argument("--undo", type=int, metavar="N", help="撤销第 N 号修改（只能撤销同一设置最近的一次）")
    act.add_argument("--restore", type=int, metavar="N", help="恢复为第 N 号修改之后的版本")
    p.add_argument("--before", action="store_true", help="与 --restore 同用：恢复为第 N 号修改之前的版本")
    p.add_argument("--user", default=None, help="记入操作记录的操作人（默认当前系统用户）")
    p.set_defaults(func=_settings)
    return parser


def _list(args: argparse.Namespace) -> int:
    for doc in catalogue.list_queries():
        print(f"{doc.name}：{doc.title}")
        print(f"    {doc.what}")
        params = [f"{p.name}={p.default}" + (f"（{' | '.join(p.choices)}）" if p.choices else "")
                  for p in doc.user_params]
        print("    参数：" + ("  ".join(params) if params else "无（另可 taxonomy=ID）"))
        print("    列：" + "，".join(f"{c.name}（{c.label}）" for c in doc.columns))
        if doc.requires:
            print("    依赖：" + "，".join(doc.requires))
        print()
    print("详见 python -m queries show NAME（说明与 SQL 全文）")
    print("每个查询都可加全局筛选：--filter region=区域,… --filter level=国家级|省级|市级 --filter cluster=产业集群,…")
    return 0


def _show(args: argparse.Namespace) -> int:
    doc = catalogue.get_query(args.name)
    print(doc.path.read_text(encoding="utf-8"))
    return 0


def _settings(args: argparse.Namespace) -> int:
    db = args.db or default_db()
    if args.undo is not None or args.restore is not None:
        record = (bureau.undo(args.undo, args.user, db) if args.undo is not None
                  else bureau.restore(args.restore, args.user, db, before=args.before))
        print(f"已保存（第 {record['import_id']} 号修改）：{record['summary']}")
        return 0
    print(f"本局设置：{bureau.folder(db)}")
    records = bureau.changes(db)
    if not records:
        print("还没有修改过设置。")
    for r in records:
        print(f"{r['import_id']:<4} {str(r['at'])[:19].replace('T', ' ')}  {r['user']}  "
              f"{bureau.file_title(r['file'])}：{r['summary']}")
    return 0


def _run(args: argparse.Namespace) -> int:
    doc = catalogue.get_query(args.name)
    params: dict[str, str] = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise catalogue.QueryError(f"参数应写成 k=v，现为「{item}」")
        params[key.strip()] = value.strip()
    db = args.db or default_db()
    if not Path(db).exists():
        raise catalogue.QueryError(f"数据库文件不存在：{db}")
    # the profile with this registry's own settings
    scope = from_arguments(args, bureau.profile(args.profile, Path(db)), args.as_of or date.today())
    if "taxonomy" in params:   # --param taxonomy=ID: the scope's taxonomy ("" = none)
        scope = replace(scope, taxonomy=params.pop("taxonomy"))
    con = connect_read_only(Path(db))
    try:
        columns, rows = runner.fetch(con, args.name, scope, **params)
    finally:
        con.close()
    out = sys.stdout
    if args.format == "json":
        records = [{c: _json_value(v) for c, v in zip(columns, row)} for row in rows]
        json.dump(records, out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_csv_value(v) for v in row] for row in rows])
    else:
        labels = doc.labels
        _print_table([labels.get(c, c) for c in columns],
                     [[_table_value(c, v) for c, v in zip(columns, row)] for row in rows], out)
        if scope.filtered:
            out.write(f"（筛选：{scope.describe_filters()}）\n")
    return 0


# --------------------------------------------------------------------------- value formatting


def _plain_decimal(value: Decimal) -> str:
    """Exact decimal text without trailing zeros: 50.000000 → 50, 12.345600 → 12.3456."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        text = _plain_decimal(value)
        return int(text) if "." not in text else float(text)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _plain_decimal(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return "" if value != value else repr(value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


def _table_value(column: str, value: Any) -> str:
    """For people: 万元 to 2 decimals (四舍五入), shares as percentages, 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if column.endswith("_wan") and isinstance(value, (Decimal, float, int)):
        return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    if column.endswith(("share", "progress")) and isinstance(value, (Decimal, float)):
        return f"{float(value):.1%}"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return _csv_value(value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_number(text: str) -> bool:
    try:
        float(text.rstrip("%"))
    except ValueError:
        return False
    return True


def _print_table(header: list[str], rows: list[list[str]], out) -> None:
    """An aligned table; numeric columns right-aligned, CJK characters counted as two columns."""
    widths = [_width(h) for h in header]
    for row in rows:
        widths = [max(w, _width(v)) for w, v in zip(widths, row)]
    numeric = [bool(rows) and all(_is_number(r[i]) for r in rows if r[i]) and any(r[i] for r in rows)
               for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [" " * (w - _width(c)) + c if num else c + " " * (w - _width(c))
                  for c, w, num in zip(cells, widths, numeric)]
        return "  ".join(padded).rstrip()

    out.write(line(header) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write(line(row) + "\n")
    out.write(f"（共 {len(rows)} 行）\n")

if __name__ == "__main__":
    sys.exit(main())
