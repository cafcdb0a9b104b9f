"""Command line: python -m loaders {load,check,history,rollback,upgrade,init,template,docs}."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import ROOT, SAMPLES_DIR, default_db, history, service
from .pipeline import Batch
from .read import SUFFIXES
from .schema import TABLES, markdown
from .store import (HistoryError, ImportRefused, NothingToImport, RegistryChanged, history_usage, retention, rollback,
                    upgrade)
from .template import write_template

SCHEMA_DOC = ROOT / "docs" / "schema.md"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (HistoryError, RegistryChanged, ValueError) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    except Exception as e:  # never a traceback: imports are atomic, so the registry is as it was
        print(f"错误：意外故障（{type(e).__name__}: {e}）。登记库没有改动；请把这一行告诉维护人员。", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loaders", description="联盟登记库导入工具")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, run, help: str, db: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if db:
            p.add_argument("--db", type=Path, default=None, help="数据库文件（默认 $REGISTRY_DB 或 data/registry.duckdb）")
        p.set_defaults(run=run)
        return p

    for name, run, help in (("load", _load, "校验并导入文件；有任何错误则整批拒绝，数据库不变"),
                            ("check", _check, "只校验，不写入")):
        p = command(name, run, help)
        p.add_argument("files", nargs="+", type=Path, metavar="FILE",
                       help=f"导出文件或目录（{'、'.join(SUFFIXES)}）")
        p.add_argument("--header-map", type=Path, default=None,
                       help="本单位的表头映射 CSV（表,标准表头,别名；默认 data/header_map.csv）")
    command("history", _history, "列出每次导入（含被拒绝、回滚）")
    p = command("rollback", _rollback, "恢复到某次导入后的数据（默认：上一次）；回滚本身也可再回滚")
    p.add_argument("import_id", nargs="?", type=int, metavar="IMPORT_ID")
    command("upgrade", _upgrade, "把较旧数据结构版本的登记库升级到当前版本（作为一个可回滚的批次；导入前也会自动升级）")
    p = command("template", _template, "生成标准导入模板（xlsx）", db=False)
    p.add_argument("out", type=Path, metavar="OUT.xlsx")
    p = command("docs", _docs, f"由 schema 生成 {SCHEMA_DOC.relative_to(ROOT)}", db=False)
    p.add_argument("--check", action="store_true", help="只检查文档是否最新")
    p = command("init", _init, "数据库不存在时由示例数据 data/sample/<名称>/ 建立（make run 使用）")
    p.add_argument("--sample", default="tianjin", help="示例名称（默认 tianjin；另有 zhejiang、weinan、heilongjiang、most）")
    return parser


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a directory stands for the export files in it, in name order."""
    out: list[Path] = []
    for p in paths:
        out += sorted(f for f in p.iterdir() if f.suffix.lower() in SUFFIXES) if p.is_dir() else [p]
    return out


def _report(batch: Batch) -> None:
    for p in batch.warnings:
        print(p)
    if batch.errors:
        for p in batch.errors:
            print(p, file=sys.stderr)
        print(f"共 {len(batch.errors)} 个错误、{len(batch.warnings)} 个警告。", file=sys.stderr)


def _summary_lines(batch: Batch) -> list[str]:
    lines = []
    for f in batch.files:
        for part in f.parts:
            sheet = f"［{part['sheet']}］" if part["sheet"] else ""
            title = next(t.title for t in TABLES if t.name == part["table"])
            lines.append(f"  {f.name}{sheet} → {title}：{part['rows']} 行")
    return lines


def _load(args: argparse.Namespace) -> int:
    db = args.db or default_db()
    try:
        checked, outcome = service.load(db, expand(args.files), header_map=args.header_map)
    except (ImportRefused, NothingToImport) as e:
        _report(e.batch)
        print(f"{e}（{db}）", file=sys.stderr)
        return 1
    _report(checked.batch)
    print(f"已导入批次 {outcome.import_id} → {db}")
    print("\n".join(_summary_lines(checked.batch)))
    print("登记库现有：" + "，".join(f"{t.title} {outcome.row_counts[t.name]} 行" for t in TABLES))
    return 0


def _check(args: argparse.Namespace) -> int:
    db = args.db or default_db()
    batch = service.check(db, expand(args.files), header_map=args.header_map, action="check", preview=False).batch
    _report(batch)
    print("\n".join(_summary_lines(batch)))
    if batch.ok and not batch.tables:
        print("文件中没有数据行：导入不会有任何改动。", file=sys.stderr)
        return 1
    print("校验通过，可以导入。" if batch.ok else "校验未通过，导入会被拒绝。")
    return 0 if batch.ok else 1


def _history(args: argparse.Namespace) -> int:
    db = args.db or default_db()
    entries = history.entries(db)
    if not entries:
        print(f"{db} 还没有导入记录。")
        return 0
    print("批次  时间                 操作      结果  操作人      内容")
    for e in reversed(entries):  # oldest first, as a log reads
        detail = f"{e.errors} 个错误：" + "、".join(e.files) if e.refused else e.note
        files = "；".join(f"{f['name']} sha256={(f.get('sha256') or '')[:12]}…" for f in e.record.get("files") or [])
        print(f"{'*' if e.current else ' '}{e.import_id or '—'!s:<4} {e.at:<20} {e.action:<6} {e.outcome:<4} "
              f"{e.user:<10} {detail}" + (f"\n       文件：{files}" if files else ""))
    snapshots, used = history_usage(db)
    keep_last, keep_days = retention()
    print(f"历史快照 {snapshots} 个，历史目录共占用 {used / 1048576:.1f} MB（{db.name}.history）；"
          f"保留最近 {keep_last} 个及 {keep_days} 天内的全部快照，当前状态的快照始终保留"
          f"（环境变量 LIANMENG_KEEP_SNAPSHOTS、LIANMENG_KEEP_DAYS）。")
    print("* 当前数据状态")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    db = args.db or default_db()
    outcome = rollback(db, args.import_id)
    print(f"已{outcome.summary}（新批次 {outcome.import_id}）")
    print("登记库现有：" + "，".join(f"{t.title} {outcome.row_counts[t.name]} 行" for t in TABLES))
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    db = args.db or default_db()
    outcome = upgrade(db)
    print(f"{outcome.summary}（新批次 {outcome.import_id}）" if outcome else f"数据结构已是当前版本：{db}")
    return 0


def _template(args: argparse.Namespace) -> int:
    write_template(args.out)
    print(f"已生成标准导入模板：{args.out}")
    return 0


def _docs(args: argparse.Namespace) -> int:
    text = markdown()
    if args.check:
        ok = SCHEMA_DOC.exists() and SCHEMA_DOC.read_text(encoding="utf-8") == text
        print("文档已是最新。" if ok else f"{SCHEMA_DOC} 已过期：请运行 python -m loaders docs", file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1
    SCHEMA_DOC.parent.mkdir(exist_ok=True)
    SCHEMA_DOC.write_text(text, encoding="utf-8")
    print(f"已写入 {SCHEMA_DOC}")
    return 0


def _init(args: argparse.Namespace) -> int:
    db = args.db or default_db()
    if db.exists():
        print(f"数据库已存在：{db}")
        return _upgrade(args)
    sample = SAMPLES_DIR / args.sample
    if not args.sample.isidentifier() or not sample.is_dir():
        known = "、".join(sorted(p.name for p in SAMPLES_DIR.iterdir() if p.is_dir()))
        raise ValueError(f"没有示例“{args.sample}”（{sample} 不存在）。现有：{known}")
    db.parent.mkdir(parents=True, exist_ok=True)
    args.files, args.header_map = [sample], None
    return _load(args)


if __name__ == "__main__":
    sys.exit(main())
