"""data/generate_sample.py: deterministic, messy the way real exports are, and valid per loaders/schema.py.

The checks read the written files (not the generator's internals), as a loader would.
"""
from __future__ import annotations

import codecs
import csv
import importlib.util
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import openpyxl
import pytest

from loaders.schema import ALLIANCES, ANNUAL_REPORTS, ENUM, EVENTS, MEMBERS, SUBSIDIES, Table

ROOT = Path(__file__).resolve().parent.parent
REGISTRY, MEMBERS_CSV, SUBSIDIES_XLSX, REPORTS_CSV = (
    "天津市产业技术创新战略联盟备案名单.xlsx", "成员单位名单.csv", "资金补贴拨付明细.xlsx", "年度报告.csv")
SCALE_FILES = ("联盟名录.csv", "成员单位.csv", "资金补贴.csv", "评审记录.csv", "年度报告.csv")
FIRST_DAY, TODAY = date(2010, 1, 1), date(2026, 11, 21)
EXCEL_EPOCH = date(1899, 12, 30)

# Keyword families per Tianjin cluster, kept apart from the generator's own topic table.
CLUSTER_WORDS = {
    "高端装备": ("装备", "机器人", "智能制造", "机床", "工业母机", "增材", "仪器", "液压", "轴承", "激光", "机械", "船舶",
             "轨道交通", "自动化"),
    "新一代信息技术": ("集成电路", "芯片", "大数据", "人工智能", "信息", "软件", "云计算", "物联网", "互联网", "区块链", "5G",
                "信创", "计算", "显示", "光电子", "虚拟现实", "操作系统", "数据库", "自主可控", "网络安全", "电子元器件", "算力"),
    "航空航天": ("航空", "航天", "直升机"),
    "汽车与新能源汽车": ("汽车", "充换电", "自动驾驶", "电驱动", "整车"),
    "生物医药与健康": ("医药", "药", "医疗", "生物", "诊断", "疫苗", "细胞", "抗体", "健康"),
    "新能源": ("光伏", "风力", "风电", "氢能", "储能", "电池", "地热", "电网", "核电", "太阳能", "电力系统", "综合能源"),
    "新材料": ("材料", "石墨烯", "碳纤维", "陶瓷", "合金", "超导"),
    "节能环保": ("节能", "环保", "水处理", "污染", "固体废物", "海水淡化", "土壤", "再制造", "环境", "余热", "循环"),
    "现代石化": ("石化", "精细化工"),
    "现代冶金": ("冶金", "钢铁", "有色金属"),
}

CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def valid_code(code: str) -> bool:
    """GB 32100-2015, written out again here so the test does not trust the generator's copy."""
    if len(code) != 18 or any(c not in CODE_CHARS for c in code) or not code[2:8].isdigit():
        return False
    total = sum(CODE_CHARS.index(c) * w for c, w in zip(code, CODE_WEIGHTS))
    return code[17] == CODE_CHARS[(31 - total % 31) % 31]


def as_date(value: Any) -> date | None:
    """The date forms the sample promises: cells, serials, 2019/3/5, 2019年3月5日, 2019-03-05, 2019.03."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, int):
        return EXCEL_EPOCH + timedelta(days=value)
    m = re.fullmatch(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?", value)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{4})\.(\d{2})", value)
    assert m, f"unexpected date form {value!r}"
    return date(int(m[1]), int(m[2]), 1)


def name_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_sample", ROOT / "data" / "generate_sample.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module       # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return load_generator()


@pytest.fixture(scope="module")
def sample(gen: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    gen.main(["--out", str(out), "--seed", "42"])
    return out


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


def csv_rows(path: Path, encoding: str) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f))


def parsed(folder: Path) -> dict[str, Any]:
    """Every file's content: workbook cell values and merged ranges, CSV text."""
    out: dict[str, Any] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".xlsx":
            wb = openpyxl.load_workbook(path)
            out[path.name] = {ws.title: (list(ws.iter_rows(values_only=True)), sorted(map(str, ws.merged_cells.ranges)))
                              for ws in wb}
        else:
            out[path.name] = path.read_bytes().decode("gbk" if path.name == MEMBERS_CSV else "utf-8-sig")
    return out


def registry(sample: Path) -> list[tuple]:
    rows = sheet_rows(sample / REGISTRY, "联盟名录")[3:]
    return [r for r in rows if r[1]]


def members(sample: Path) -> list[dict[str, str]]:
    header, *rows = csv_rows(sample / MEMBERS_CSV, "gbk")
    return [dict(zip(header, r)) for r in rows]


# --- determinism and encodings ---------------------------------------------------------------


def test_same_seed_gives_the_same_files(gen: ModuleType, sample: Path, tmp_path: Path) -> None:
    gen.main(["--out", str(tmp_path), "--seed", "42"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([REGISTRY, MEMBERS_CSV, SUBSIDIES_XLSX, REPORTS_CSV])
    assert parsed(tmp_path) == parsed(sample)
    for path in tmp_path.iterdir():   # fixed workbook properties and zip times: byte-identical
        assert path.read_bytes() == (sample / path.name).read_bytes(), path.name


def test_another_seed_gives_another_registry(gen: ModuleType, sample: Path, tmp_path: Path) -> None:
    gen.main(["--out", str(tmp_path), "--seed", "7"])
    assert (tmp_path / MEMBERS_CSV).read_bytes() != (sample / MEMBERS_CSV).read_bytes()


def test_member_csv_is_gbk_not_utf8(sample: Path) -> None:
    data = (sample / MEMBERS_CSV).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data.decode("gbk").splitlines()[0] == "序号,联盟名称,成员单位名称,统一社会信用代码,单位性质,联盟职务,注册地,是否核心成员,加入日期,退出日期"


def test_report_csv_is_utf8_with_bom(sample: Path) -> None:
    data = (sample / REPORTS_CSV).read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    header = data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header == [ANNUAL_REPORTS.column("alliance_name").header] + [c.header for c in ANNUAL_REPORTS.columns[2:]]
    years = [r[1] for r in csv_rows(sample / REPORTS_CSV, "utf-8-sig")[1:]]
    assert any(y.endswith("年") for y in years) and any(y.isdigit() for y in years)


# --- layout and messiness --------------------------------------------------------------------


def test_registry_sheet_has_title_blank_row_and_alias_headers(sample: Path) -> None:
    ws = openpyxl.load_workbook(sample / REGISTRY)["联盟名录"]
    assert ws["A1"].value == "天津市产业技术创新战略联盟备案名单（2010—2026年）"
    assert "A1:R1" in map(str, ws.merged_cells.ranges)
    assert all(c.value is None for c in ws[2])
    headers = [c.value for c in ws[3]]
    assert headers[:5] == ["序号", "联盟全称", "牵头单位", "所属区", "技术领域"] and "联盟编号" not in headers
    assert "认定日期" in headers and "联系电话" in headers


def test_registry_dates_and_names_are_mixed(sample: Path) -> None:
    rows = registry(sample)
    cells = [v for r in rows for v in r[7:13] if v is not None]
    forms = Counter(
        "cell" if isinstance(v, datetime) else "serial" if isinstance(v, int) else
        "month" if re.fullmatch(r"\d{4}\.\d{2}", v) else "slash" if "/" in v else "cn" if "年" in v else "iso"
        for v in cells)
    assert set(forms) == {"cell", "serial", "month", "slash", "cn", "iso"}, forms
    names = [r[1] for r in rows]
    assert sum(n != n.strip() for n in names) >= 2                 # stray spaces
    assert any("(" in n for n in names) and any("（" in n for n in names)


def test_review_sheet_merges_names_and_mixes_brackets(sample: Path) -> None:
    ws = openpyxl.load_workbook(sample / REGISTRY)["评审记录"]
    assert [c.value for c in ws[1]] == ["联盟名称", "事项", "日期", "结果", "得分", "备注"]
    merged = [r for r in ws.merged_cells.ranges if r.min_col == r.max_col == 1]
    assert len(merged) > 100
    for r in merged:   # only the top cell holds the name
        assert ws.cell(r.min_row, 1).value and all(ws.cell(i, 1).value is None for i in range(r.min_row + 1, r.max_row + 1))
    registry_names = {n.strip() for n in (r[1] for r in registry(sample))}
    review_names = {c.value for c in ws["A"][1:] if c.value}
    assert review_names - registry_names, "some names spelled with the other bracket width"
    assert {name_key(n) for n in review_names} <= {name_key(n) for n in registry_names}


def test_subsidy_amounts_are_mixed(sample: Path) -> None:
    rows = sheet_rows(sample / SUBSIDIES_XLSX, "补贴")
    assert rows[0][0].startswith("天津市") and rows[1] == ("序号", "联盟名称", "年度", "补贴类型", "金额", "拨付日期", "文号", "状态")
    amounts = [r[4] for r in rows[2:]]
    assert any(isinstance(a, (int, float)) for a in amounts)
    assert any(isinstance(a, str) and a.endswith("万元") for a in amounts)
    assert any(isinstance(a, str) and re.fullmatch(r"\d{1,3}(,\d{3})+元", a) for a in amounts)
    assert all(re.fullmatch(r"津科资〔20\d\d〕\d+号", r[6]) for r in rows[2:])
    assert sum(r[7] == "已收回" for r in rows[2:]) == 1


# --- what the registry contains --------------------------------------------------------------


def wan(amount: Any) -> float:
    if isinstance(amount, (int, float)):
        return float(amount)
    if amount.endswith("万元"):
        return float(amount[:-2])
    return int(amount[:-1].replace(",", "")) / 10000


def test_counts_are_in_range(sample: Path) -> None:
    rows = registry(sample)
    assert 110 <= len(rows) <= 130
    statuses = Counter(r[6] for r in rows)
    assert 3 <= statuses["已撤销"] <= 8
    assert 5 <= sum(statuses[s] for s in ("申请中", "评审中", "公示中", "组建中")) <= 12
    assert 3 <= sum(r[5] == "国家级" for r in rows) <= 9
    filed_years = Counter(as_date(r[10]).year for r in rows if r[10])
    assert min(filed_years) == 2010 and max(filed_years) == 2026
    assert sum(filed_years[y] for y in range(2016, 2021)) > sum(filed_years[y] for y in range(2010, 2015))   # 十三五
    people = members(sample)
    assert 2300 <= len(people) <= 2700
    per_alliance = Counter(name_key(m["联盟名称"]) for m in people)
    assert set(per_alliance) == {name_key(r[1]) for r in rows}
    assert 5 <= sum(n < 10 for n in per_alliance.values()) <= 15
    assert max(per_alliance.values()) <= 40 and min(per_alliance.values()) >= 8
    outside = sum(m["注册地"].startswith(("北京", "河北")) for m in people)
    assert 0.04 <= outside / len(people) <= 0.13
    assert set(Counter(m["单位性质"] for m in people)) >= {"企业", "高校", "科研院所", "金融机构", "中介机构", "其他"}
    subsidies = sheet_rows(sample / SUBSIDIES_XLSX, "补贴")[2:]
    caps = {"备案补贴": 50, "备案资助": 50, "评估补贴": 30, "评估资助": 30, "国家试点补贴": 50}
    assert 1 <= sum(wan(r[4]) > caps.get(r[3], 1e9) for r in subsidies) <= 3


def test_every_cluster_but_metallurgy_has_alliances(sample: Path) -> None:
    fields = [r[4] for r in registry(sample)]
    hits = {cluster: [f for f in fields if any(w in f for w in words)] for cluster, words in CLUSTER_WORDS.items()}
    assert not hits.pop("现代冶金")
    assert all(hits.values()), {c: len(f) for c, f in hits.items()}
    assert 1 <= len(hits["航空航天"]) <= 3 and 1 <= len(hits["现代石化"]) <= 3
    assert len(hits["高端装备"]) >= 15 and len(hits["新一代信息技术"]) >= 15
    unmapped = [f for f in fields if not any(w in f for words in CLUSTER_WORDS.values() for w in words)]
    assert 5 <= len(unmapped) <= 8, unmapped


def test_members_are_well_formed(sample: Path) -> None:
    people = members(sample)
    codes = [m["统一社会信用代码"] for m in people if m["统一社会信用代码"]]
    assert all(valid_code(c) for c in codes)
    assert 0.78 <= len(codes) / len(people) <= 0.92
    by_alliance: dict[str, list[dict[str, str]]] = defaultdict(list)
    for m in people:
        by_alliance[m["联盟名称"]].append(m)
    founded = {name_key(r[1]): as_date(r[7]) for r in registry(sample)}
    leads = {name_key(r[1]): r[2] for r in registry(sample)}
    for name, group in by_alliance.items():
        units = [m["成员单位名称"] for m in group]
        own_codes = [m["统一社会信用代码"] for m in group if m["统一社会信用代码"]]
        assert len(set(units)) == len(units) and len(set(own_codes)) == len(own_codes), name
        chairs = [m for m in group if m["联盟职务"] in ("理事长单位", "理事长")]
        assert len(chairs) == 1 and chairs[0]["成员单位名称"] == leads[name_key(name)], name
        assert chairs[0]["注册地"].startswith("天津市"), name   # Tianjin: lead registered in Tianjin
        for m in group:
            joined, left = as_date(m["加入日期"]), as_date(m["退出日期"])
            assert founded[name_key(name)] <= joined <= TODAY and (left is None or joined < left <= TODAY), m


def test_all_dates_are_in_range(sample: Path) -> None:
    values: list[Any] = [v for r in registry(sample) for v in r[7:13]]
    values += [r[2] for r in sheet_rows(sample / REGISTRY, "评审记录")[1:]]
    values += [r[5] for r in sheet_rows(sample / SUBSIDIES_XLSX, "补贴")[2:]]
    values += [m[k] for m in members(sample) for k in ("加入日期", "退出日期")]
    values += [r[2] for r in csv_rows(sample / REPORTS_CSV, "utf-8-sig")[1:]]
    days = [d for d in map(as_date, values) if d]
    assert days and all(FIRST_DAY <= d <= TODAY for d in days)


def schema_check(table: Table, header: list[str], rows: list[list[Any]]) -> None:
    """Every header is the column's own or a listed alias; every enum cell an allowed value or spelling."""
    by_header = {h: c for c in table.columns for h in (c.header, *c.aliases)}
    for i, h in enumerate(header):
        if h == "序号":
            continue
        assert h in by_header, f"{table.title}: unknown header {h}"
        column = by_header[h]
        if column.kind == ENUM:
            allowed = set(column.values) | set(column.value_aliases)
            bad = {r[i] for r in rows if r[i] not in (None, "") and r[i] not in allowed}
            assert not bad, f"{table.title}.{h}: {bad}"


def test_values_follow_the_schema(sample: Path) -> None:
    sheet = sheet_rows(sample / REGISTRY, "联盟名录")
    schema_check(ALLIANCES, list(sheet[2]), [list(r) for r in sheet[3:]])
    events = sheet_rows(sample / REGISTRY, "评审记录")
    schema_check(EVENTS, list(events[0]), [list(r) for r in events[1:]])
    header, *rows = csv_rows(sample / MEMBERS_CSV, "gbk")
    schema_check(MEMBERS, header, rows)
    subsidies = sheet_rows(sample / SUBSIDIES_XLSX, "补贴")
    schema_check(SUBSIDIES, list(subsidies[1]), [list(r) for r in subsidies[2:]])
    header, *rows = csv_rows(sample / REPORTS_CSV, "utf-8-sig")
    schema_check(ANNUAL_REPORTS, header, rows)
    for r in sheet[3:]:
        assert r[5] in ("市级", "国家级") and (r[12] is None) == (r[6] != "已撤销")


# --- the national-scale path -----------------------------------------------------------------


def test_small_scale_run_writes_plain_csv(gen: ModuleType, tmp_path: Path) -> None:
    stats = gen.main(["--scale", "--scale-alliances", "200", "--out", str(tmp_path)])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(SCALE_FILES)
    con = duckdb.connect()
    tables = {"联盟名录.csv": ALLIANCES, "成员单位.csv": MEMBERS, "资金补贴.csv": SUBSIDIES, "评审记录.csv": EVENTS,
              "年度报告.csv": ANNUAL_REPORTS}
    for name, table in tables.items():
        data = (tmp_path / name).read_bytes()
        assert not data.startswith(codecs.BOM_UTF8)
        header, *rows = csv_rows(tmp_path / name, "utf-8")
        schema_check(table, header, rows)
        count = con.execute("select count(*) from read_csv(?, header = true)", [str(tmp_path / name)]).fetchone()[0]
        assert count == len(rows) > 0, name
    alliances = csv_rows(tmp_path / "联盟名录.csv", "utf-8")[1:]
    assert len(alliances) == 200 == len({a[0] for a in alliances}) == stats["alliances"]
    people = csv_rows(tmp_path / "成员单位.csv", "utf-8")[1:]
    assert len(people) >= 200 * 15 and all(valid_code(p[2]) for p in people if p[2])


def test_scale_default_is_national_size(gen: ModuleType) -> None:
    args = gen.parse_args(["--scale"])
    assert args.scale_alliances >= 20_000 and gen.SCALE_DIR == ROOT / "data" / "scale"
