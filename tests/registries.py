"""Small registries built in code for the query and page tests; every figure in them is countable by hand.

No tests live here.

``build(path, tables)`` creates the real schema (``loaders.schema.ddl``) and inserts the rows
given as dicts; columns left out are NULL, and the name keys are filled the way the loader
fills them; ``alliance_row`` and ``member_row`` write one row with the usual defaults. ``REGISTRY`` is
the main fixture (conftest's ``hand_registry``); its story is told next to the rows. ``csv_bytes`` and
ROBOT, MAGNET, PHARMA are import files written by hand for the import and audit pages. ``rows`` and
``table`` read a named query on such a registry as Python values (money as exact Decimal).
"""
from __future__ import annotations

import csv
import dataclasses
import io
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from loaders.normalise import name_key
from loaders.schema import TABLES_BY_NAME, ddl
from queries import catalogue, runner
from queries.policy import Profile, Target, load_profile
from queries.scope import Scope

D = date.fromisoformat
AS_OF = D("2024-06-30")
W = Decimal  # 万元, exact


def build(path: Path, tables: dict[str, list[dict]]) -> Path:
    """A registry database at ``path`` holding exactly ``tables``."""
    con = duckdb.connect(str(path))
    try:
        con.execute(ddl())
        for table, rows in tables.items():
            columns = [name for name, _, _ in TABLES_BY_NAME[table].stored_columns]
            for row in rows:
                row = dict(row)
                if table == "alliances":
                    row.setdefault("name_key", name_key(row["name"]))
                if table == "members":
                    row.setdefault("unit_name_key", name_key(row["unit_name"]))
                unknown = set(row) - set(columns)
                assert not unknown, f"{table}: unknown columns {unknown}"
                con.execute(f"insert into {table} ({', '.join(row)}) values ({', '.join('?' * len(row))})",
                            list(row.values()))
    finally:
        con.close()
    return path


def alliance_row(alliance_id: str, name: str, field: str, **kw) -> dict:
    """An ``alliances`` row: 已备案, its lead unit named after it, unless ``kw`` says otherwise."""
    return {"alliance_id": alliance_id, "name": name, "field": field, "lead_unit": kw.pop("lead_unit", name + "牵头单位"),
            "status": kw.pop("status", "已备案"), **kw}


def member_row(alliance_id: str, unit: str, unit_type: str, registered_in: str | None, core: bool = False,
               role: str = "成员单位", **kw) -> dict:
    """A ``members`` row."""
    return {"alliance_id": alliance_id, "unit_name": unit, "unit_type": unit_type, "registered_in": registered_in,
            "is_core": core, "role": role, **kw}


# As of 2024-06-30 (AS_OF), under tianjin-2018 (cycle 3 years, reports due 12-31, ≥10 members):
#   A1 机器人联盟   高端装备   filed 2019-06-28, 10 current members (+1 left, +1 joining later), eligible
#   A2 芯片联盟     新一代信息技术 filed 2021-03-01, 5 members, never evaluated → overdue
#   A3 新材料联盟   新材料     filed 2016-05-10, revoked 2022-12-31 (not in the registry on AS_OF)
#   A4 生物医药联盟 生物医药与健康 filed on AS_OF itself, 2 members
#   A5 空联盟       未归类     filed 2023-01-15 (first annual report owed for 2024), no members, no subsidies
#   A6 申请中联盟   新能源     applied 2024-03-01, never filed
#   A7 未来联盟     航空航天   filed 2024-07-01, after AS_OF
# For the filters (所属区域 as region_distribution shows it · 级别):
#   A1 滨海新区 · 国家级    A2 南开区 (天津市南开区) · 市级    A3 天津经济技术开发区 (unlisted) · 市级
#   A4 未填 · 市级          A5 东丽区 (东丽) · 省级            A6 天津经开区 (unlisted) · no level
#   A7 武清区 · 国家级
REGISTRY: dict[str, list[dict]] = {
    "alliances": [
        alliance_row("A1", "机器人联盟", "高端装备制造（机器人）", region="滨海新区", level="国家级",
                  filed_date=D("2019-06-28"), agreement_date=D("2019-03-05"), lead_unit="天津甲公司"),
        alliance_row("A2", "芯片联盟", "集成电路", region="天津市南开区", level="市级", filed_date=D("2021-03-01"),
                  lead_unit="天津芯公司（集团）"),
        alliance_row("A3", "新材料联盟", "稀土永磁材料", region="天津经济技术开发区", level="市级",
                  filed_date=D("2016-05-10"), revoked_date=D("2022-12-31"), status="已撤销"),
        alliance_row("A4", "生物医药联盟", "生物医药", region=None, level="市级", filed_date=AS_OF,
                  applied_date=D("2024-01-05"), lead_unit="天津某药企"),
        alliance_row("A5", "空联盟", "奇怪领域", region="东丽", level="省级", filed_date=D("2023-01-15")),
        alliance_row("A6", "申请中联盟", "新能源", region="天津经开区", applied_date=D("2024-03-01"), status="申请中"),
        alliance_row("A7", "未来联盟", "航空航天", region="武清区", level="国家级", filed_date=D("2024-07-01")),
    ],
    "members": [
        member_row("A1", "天津甲公司", "企业", "天津市滨海新区", True, "理事长单位"),
        member_row("A1", "天津乙公司", "企业", "天津市西青区", True),
        member_row("A1", "天津大学", "高校", "天津市南开区", True, credit_code="12100000401359321Q"),
        member_row("A1", "北京丙研究院", "科研院所", "北京市海淀区", True),
        member_row("A1", "河北丁公司", "企业", "河北省廊坊市"),
        member_row("A1", "天津戊公司", "企业", "天津市东丽区"),
        member_row("A1", "上海己公司", "企业", "上海市"),
        member_row("A1", "天津庚银行", "金融机构", "天津市和平区"),
        member_row("A1", "天津辛中介", "中介机构", "天津市河西区"),
        member_row("A1", "南开大学", "高校", "天津市南开区"),
        member_row("A1", "天津壬公司", "企业", "天津市", joined_date=D("2019-03-05"), left_date=D("2023-12-31")),
        member_row("A1", "天津癸公司", "企业", "天津市", joined_date=D("2024-07-15")),
        member_row("A2", "天津芯公司", "企业", "天津市河北区", True, "理事长单位"),  # local, though it contains 河北
        member_row("A2", "北京芯研究所", "科研院所", "北京市", True),
        member_row("A2", "北京芯公司", "企业", "北京市", True),
        member_row("A2", "深圳芯公司", "企业", "广东省深圳市"),
        member_row("A2", "无名公司", "企业", None),
        member_row("A3", "天津新材公司", "企业", "天津市", True, "理事长单位"),
        member_row("A3", "天津理工大学", "高校", "天津市", True),
        member_row("A4", "天津某药企", "企业", "天津", True, "理事长单位"),
        member_row("A4", "天津大学", "高校", "天津市南开区", True, credit_code="12100000401359321Q"),
    ],
    "subsidies": [
        {"alliance_id": "A1", "year": 2019, "kind": "备案补贴", "amount_yuan": "500000", "status": "已拨付"},
        {"alliance_id": "A1", "year": 2022, "kind": "评估补贴", "amount_yuan": "300000", "status": "已拨付"},
        {"alliance_id": "A1", "year": 2024, "kind": "项目经费", "amount_yuan": "1234567.89", "status": "已拨付"},
        {"alliance_id": "A2", "year": 2021, "kind": "备案补贴", "amount_yuan": "400000", "status": "已拨付"},
        {"alliance_id": "A2", "year": 2021, "kind": "备案补贴", "amount_yuan": "200000", "status": "已拨付"},
        {"alliance_id": "A2", "year": 2022, "kind": "备案补贴", "amount_yuan": "100000", "status": "已收回"},
        {"alliance_id": "A3", "year": 2016, "kind": "备案补贴", "amount_yuan": "500000", "status": "已拨付"},
        {"alliance_id": "A7", "year": 2025, "kind": "备案补贴", "amount_yuan": "500000", "status": "已拨付"},
    ],
    "events": [
        {"alliance_id": "A1", "event_type": "复审", "event_date": D("2021-09-01"), "result": "通过"},
        {"alliance_id": "A1", "event_type": "三年评估", "event_date": D("2024-07-05"), "result": "良好"},
        {"alliance_id": "A6", "event_type": "申请", "event_date": D("2024-03-01")},
        {"alliance_id": "A6", "event_type": "形式审查", "event_date": D("2024-03-20"), "result": "通过"},
        {"alliance_id": "A6", "event_type": "技术审查", "event_date": D("2024-04-10"), "result": "不通过"},
        {"alliance_id": "A7", "event_type": "申请", "event_date": D("2024-01-10")},
        {"alliance_id": "A7", "event_type": "形式审查", "event_date": D("2024-02-01"), "result": "通过"},
        {"alliance_id": "A7", "event_type": "技术审查", "event_date": D("2024-03-01"), "result": "通过"},
        {"alliance_id": "A7", "event_type": "专家评审", "event_date": D("2024-04-01"), "result": "通过"},
        {"alliance_id": "A7", "event_type": "公示", "event_date": D("2024-05-01")},
        {"alliance_id": "A4", "event_type": "专家评审", "event_date": D("2024-05-10"), "result": "通过"},
    ],
    "annual_reports": [
        {"alliance_id": "A1", "year": 2022, "submitted_date": D("2022-12-20")},
        {"alliance_id": "A1", "year": 2023, "submitted_date": D("2024-01-10")},
        {"alliance_id": "A1", "year": 2024, "submitted_date": D("2024-12-20")},
        {"alliance_id": "A2", "year": 2022, "submitted_date": D("2022-12-25")},
    ],
}


# ---- import files written by hand (three Tianjin alliances, as a bureau's export would have them) ----

ALLIANCE_HEADER = ["联盟编号", "联盟名称", "对外责任主体单位", "所属区域", "产业领域", "级别", "备案日期"]
ROBOT = ["TJ-1", "天津市机器人联盟", "甲公司", "滨海新区", "机器人", "市级", "2019-06-28"]
MAGNET = ["TJ-2", "天津市永磁材料联盟", "乙大学", "南开区", "新材料", "市级", "2019-07-01"]
PHARMA = ["TJ-3", "天津市生物医药联盟", "丙研究院", "西青区", "生物医药", "市级", "2020-03-05"]
SUBSIDY_HEADER = ["联盟名称", "年度", "补贴类型", "金额（万元）", "拨付日期"]


def csv_bytes(rows: list[list[str]]) -> bytes:
    """``rows`` as a CSV file the way Excel saves one: UTF-8 with a byte-order mark, CRLF line ends."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


# ---- reading the named queries on these registries ---------------------------------------------

F = dict   # a Scope's filters: regions=, levels=, clusters=
NOTHING = F(levels=("国家级",), clusters=("新材料",))   # on REGISTRY each matches alone (A1 A7 / A3), never together
# values for parameters a query declares without a default (per-alliance queries)
REQUIRED_SAMPLES = {"alliance_id": "A1"}


def rows(con, name: str, profile: str | Profile = "tianjin-2018", as_of: date = AS_OF,
         filters: dict | None = None, taxonomy: str | None = None, **params) -> list[dict]:
    """The named query's rows as dicts, under ``profile`` (counted in ``taxonomy``, default its own) on
    ``as_of`` within ``filters``."""
    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    columns, data = runner.fetch(con, name, Scope(profile, as_of, taxonomy=taxonomy, **(filters or {})), **params)
    return [dict(zip(columns, row)) for row in data]


def table(con, name: str, columns: str, **kw) -> list[tuple]:
    """The named columns of every row, as tuples (compact expected tables)."""
    names = columns.split()
    return [tuple(r[c] for c in names) for r in rows(con, name, **kw)]


def with_targets(*targets: Target, base: str = "tianjin-2018") -> Profile:
    """The ``base`` profile with these targets instead of its own."""
    return dataclasses.replace(load_profile(base), targets=targets)


def every_query() -> list[tuple[str, dict]]:
    """(name, required parameters) of every query whose required parameters have a sample value."""
    out = []
    for doc in catalogue.list_queries():
        required = {p.name for p in doc.user_params if p.default is None}
        if required <= set(REQUIRED_SAMPLES):
            out.append((doc.name, {n: REQUIRED_SAMPLES[n] for n in required}))
    return out


def national_scale(folder: Path, alliances: int) -> Path:
    """A registry of ``alliances`` alliances written by the national-scale generator and loaded by the CLI."""
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, str(root / "data" / "generate_sample.py"), "--scale", "--scale-alliances",
                    str(alliances), "--out", str(folder / "files")], check=True, cwd=root, capture_output=True)
    db = folder / "registry.duckdb"
    subprocess.run([sys.executable, "-m", "loaders", "load", "--db", str(db), *map(str, (folder / "files").iterdir())],
                   check=True, cwd=root, capture_output=True)
    return db
