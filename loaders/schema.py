"""The registry schema: the one place that says what each table and column is.

The DuckDB DDL, the import template (标准导入模板), header recognition and
docs/schema.md are all generated from the definitions below, so they cannot drift.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Value kinds. Each kind has one normaliser in loaders/normalise.py.
TEXT, NAME, LINK_NAME, LINK_ID, DATE, MONEY, INT, YEAR, SCORE, BOOL, ENUM, CREDIT_CODE = (
    "text", "name", "link_name", "link_id", "date", "money", "int", "year", "score", "bool",
    "enum", "credit_code",
)

SQL_TYPES = {
    TEXT: "VARCHAR", NAME: "VARCHAR", LINK_NAME: "VARCHAR", LINK_ID: "VARCHAR",
    DATE: "DATE", MONEY: "DECIMAL(18,2)", INT: "INTEGER", YEAR: "SMALLINT",
    SCORE: "DECIMAL(5,2)", BOOL: "BOOLEAN", ENUM: "VARCHAR", CREDIT_CODE: "VARCHAR",
}

# The largest values those types hold: every parse is checked against them, so an import can
# never fail late with a database overflow.
INT_MAX = 2**31 - 1                                   # INTEGER
MONEY_MAX = Decimal("9999999999999999.99")  # DECIMAL(18,2)


@dataclass(frozen=True)
class Column:
    """One column of an import table and of its DuckDB table."""

    name: str                      # column name in DuckDB
    header: str                    # canonical Chinese header in the template
    kind: str
    doc: str                       # meaning, in Chinese, for the template and docs
    required: bool = False
    aliases: tuple[str, ...] = ()  # other headers accepted for this column
    values: tuple[str, ...] = ()   # allowed values of an ENUM
    value_aliases: dict[str, str] = field(default_factory=dict)  # raw spelling -> allowed value
    example: str = ""              # example cell for the template
    personal: bool = False         # personal data: shown to editors only

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]


@dataclass(frozen=True)
class Table:
    """One registry table: what the bureau exports and what DuckDB stores."""

    name: str                      # DuckDB table name
    title: str                     # Chinese name, also the template's sheet name
    doc: str
    columns: tuple[Column, ...]
    keywords: tuple[str, ...]      # sheet or file names that announce this table

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def links_to_alliance(self) -> bool:
        return any(c.kind in (LINK_NAME, LINK_ID) for c in self.columns)

    @property
    def stored_columns(self) -> list[tuple[str, str, str]]:
        """(name, SQL type, meaning) of the DuckDB table, in order."""
        cols: list[tuple[str, str, str]] = []
        if self.links_to_alliance:
            cols.append(("alliance_id", "VARCHAR NOT NULL", "所属联盟（联盟编号，由联盟编号或联盟名称关联得出）"))
        for c in self.columns:
            if c.kind in (LINK_NAME, LINK_ID):
                continue
            cols.append((c.name, c.sql_type, c.doc))
            if c.kind == NAME:
                cols.append((c.name + "_key", "VARCHAR", f"{c.header}的比对键（全角半角统一、去空白），用于去重和关联；与{c.header}相同时不另存、为空（此时{c.header}本身即比对键）"))
        cols += [
            ("source_file", "VARCHAR", "来源文件名"),
            ("source_sheet", "VARCHAR", "来源工作表（CSV 为空）"),
            ("source_row", "INTEGER", "来源行号（与 Excel 中看到的行号一致）"),
        ]
        return cols


def _link_columns() -> tuple[Column, Column]:
    return (
        Column("alliance_name", "联盟名称", LINK_NAME, "所属联盟的名称，与联盟名录中的名称对应（全角半角括号视为相同）",
               required=True, aliases=("联盟全称", "所属联盟", "联盟"), example="天津市工业机器人产业技术创新战略联盟"),
        Column("alliance_no", "联盟编号", LINK_ID, "所属联盟的编号；有编号时按编号关联，可代替联盟名称",
               aliases=("编号", "联盟代码"), example="TJLM-2019-001"),
    )


ALLIANCES = Table(
    "alliances", "联盟名录",
    "登记在册的产业技术创新战略联盟，每行一个联盟。",
    (
        Column("alliance_id", "联盟编号", TEXT, "联盟的唯一编号；为空时由联盟名称生成（L-开头的8位代码）",
               aliases=("编号", "联盟代码"), example="TJLM-2019-001"),
        Column("name", "联盟名称", NAME, "联盟全称", required=True, aliases=("联盟全称", "名称"),
               example="天津市工业机器人产业技术创新战略联盟"),
        Column("lead_unit", "对外责任主体单位", TEXT, "对外承担责任的主体单位（一般为理事长单位）", required=True,
               aliases=("牵头单位", "理事长单位", "责任主体单位"), example="天津某机器人有限公司"),
        Column("region", "所属区域", TEXT, "联盟所在的区（市、县）", aliases=("所属区", "所在地区", "地区", "所在区"),
               example="滨海新区"),
        Column("field", "产业领域", TEXT, "联盟所属产业或技术领域（原文，按分类体系映射到产业集群）", required=True,
               aliases=("技术领域", "所属领域", "行业领域", "所属产业", "产业方向"), example="高端装备制造（机器人）"),
        Column("level", "级别", ENUM, "联盟级别", values=("国家级", "省级", "市级"),
               aliases=("联盟级别",), value_aliases={"国家": "国家级", "省": "省级", "市": "市级"}, example="市级"),
        Column("status", "状态", ENUM, "当前状态；为空时按撤销日期、备案日期推定",
               values=("组建中", "申请中", "已备案", "已认定", "已撤销", "已解散"),
               aliases=("备案状态", "联盟状态"),
               value_aliases={"组建": "组建中", "申请": "申请中", "审查中": "申请中", "评审中": "申请中",
                              "公示中": "申请中", "备案": "已备案", "正常": "已备案", "有效": "已备案",
                              "认定": "已认定", "撤销": "已撤销", "已注销": "已撤销", "解散": "已解散"},
               example="已备案"),
        Column("founded_date", "成立日期", DATE, "联盟成立（组建）日期", aliases=("组建日期", "成立时间"),
               example="2019-03-05"),
        Column("agreement_date", "协议签署日期", DATE, "联盟协议由成员单位法定代表人签署的日期",
               aliases=("协议签订日期", "签约日期"), example="2019-03-05"),
        Column("applied_date", "申请日期", DATE, "申请备案（认定）的日期", aliases=("申报日期",), example="2019-04-10"),
        Column("filed_date", "备案日期", DATE, "备案或认定日期", aliases=("认定日期", "备案时间", "认定时间"),
               example="2019-06-28"),
        Column("national_pilot_date", "纳入国家试点日期", DATE, "纳入国家级试点联盟的日期",
               aliases=("国家试点日期",), example=""),
        Column("revoked_date", "撤销日期", DATE, "被撤销（或解散）的日期", aliases=("撤销时间", "解散日期"), example=""),
        Column("division", "归口处室", TEXT, "局内负责的处室", aliases=("归口部门",), example="产学研合作处"),
        Column("recommender", "推荐单位", TEXT, "推荐该联盟的单位（市、省级有关部门或行业协会；浙江按此核对每家限额推荐1-2个）",
               aliases=("推荐部门", "推荐机构", "推荐单位名称", "推荐市（部门、协会）"), example="滨海新区科技局"),
        Column("staff_count", "专职人员数", INT, "联盟常设机构的专职人员数", aliases=("专职人员", "专职人员数量"),
               example="3"),
        Column("contact_person", "联系人", TEXT, "联盟联系人（个人信息，仅编辑可见）", example="张三", personal=True),
        Column("contact_phone", "联系电话", TEXT, "联系人电话（个人信息，仅编辑可见）", aliases=("电话", "手机"),
               example="022-12345678", personal=True),
    ),
    keywords=("联盟名录", "名录", "名单", "联盟信息", "联盟基本信息", "备案联盟"),
)

MEMBERS = Table(
    "members", "成员单位",
    "联盟的成员单位，每行一个联盟中的一个单位。",
    (
        *_link_columns(),
        Column("unit_name", "单位名称", NAME, "成员单位全称", required=True, aliases=("成员单位名称", "成员单位", "单位全称"),
               example="天津大学"),
        Column("credit_code", "统一社会信用代码", CREDIT_CODE, "18位统一社会信用代码（GB 32100-2015，含校验位）",
               aliases=("信用代码", "社会信用代码"), example="12100000401359321Q"),
        Column("unit_type", "单位类型", ENUM, "产·学·研·金·介 分类", required=True,
               values=("企业", "高校", "科研院所", "金融机构", "中介机构", "其他"),
               aliases=("单位性质", "成员类型"),
               value_aliases={"企业单位": "企业", "公司": "企业", "高等院校": "高校", "高等学校": "高校", "大学": "高校",
                              "院校": "高校", "科研机构": "科研院所", "研究院所": "科研院所", "科研单位": "科研院所",
                              "研究机构": "科研院所", "金融": "金融机构", "银行": "金融机构", "投资机构": "金融机构",
                              "中介": "中介机构", "服务机构": "中介机构", "其它": "其他"},
               example="高校"),
        Column("role", "角色", ENUM, "在联盟中的角色", values=("理事长单位", "副理事长单位", "理事单位", "成员单位"),
               aliases=("联盟职务", "职务", "成员角色"),
               value_aliases={"理事长": "理事长单位", "副理事长": "副理事长单位", "理事": "理事单位",
                              "成员": "成员单位", "会员单位": "成员单位", "一般成员": "成员单位"},
               example="理事单位"),
        Column("registered_in", "注册地", TEXT, "单位注册所在地（省市或区）", aliases=("注册地址", "所在地", "注册地区"),
               example="天津市南开区"),
        Column("is_core", "是否核心成员", BOOL, "是否为核心成员单位（是/否）", aliases=("核心成员",), example="是"),
        Column("joined_date", "加入日期", DATE, "加入联盟的日期", aliases=("加入时间",), example="2019-03-05"),
        Column("left_date", "退出日期", DATE, "退出联盟的日期；为空表示仍在联盟中", aliases=("退出时间",), example=""),
    ),
    keywords=("成员单位", "成员", "会员"),
)

SUBSIDIES = Table(
    "subsidies", "资金补贴",
    "财政补贴和经费拨付，每行一笔。金额以元为单位精确保存，页面以万元显示。",
    (
        *_link_columns(),
        Column("year", "年度", YEAR, "补贴所属年度", required=True, aliases=("年份", "资助年度"), example="2019"),
        Column("kind", "补贴类型", ENUM, "补贴类型", required=True,
               values=("备案补贴", "国家试点补贴", "评估补贴", "项目经费", "其他"), aliases=("资助类型", "类型", "经费类型"),
               value_aliases={"备案": "备案补贴", "备案资助": "备案补贴", "认定资助": "备案补贴", "复审资助": "评估补贴",
                              "国家试点": "国家试点补贴",
                              "评估": "评估补贴", "评估资助": "评估补贴", "项目": "项目经费", "其它": "其他"},
               example="备案补贴"),
        Column("amount_yuan", "金额", MONEY,
               "金额，库内以元保存。表头可写“金额（万元）”或“金额（元）”，单元格可写“50万元”“500,000元”；表头和单元格都无单位时按万元",
               required=True, aliases=("补贴金额", "资助金额", "拨付金额"), example="50"),
        Column("paid_date", "拨付日期", DATE, "拨付日期", aliases=("拨款日期", "拨付时间"), example="2019-12-20"),
        Column("doc_no", "文号", TEXT, "拨付文件文号", aliases=("文件文号", "批复文号"), example="津科资〔2019〕12号"),
        Column("status", "状态", ENUM, "拨付状态；为空视为已拨付", values=("已拨付", "已收回"), aliases=("拨付状态",),
               value_aliases={"拨付": "已拨付", "已发放": "已拨付", "收回": "已收回", "已追回": "已收回"},
               example="已拨付"),
    ),
    keywords=("资金补贴", "补贴", "资助", "经费"),
)

EVENTS = Table(
    "events", "评审记录",
    "联盟生命周期中的事项：申请、各审查环节、备案、年度报告、三年评估、复审、撤销。",
    (
        *_link_columns(),
        Column("event_type", "事项", ENUM, "事项类型", required=True,
               values=("申请", "形式审查", "技术审查", "专家评审", "公示", "备案", "纳入国家试点", "年度报告",
                       "三年评估", "复审", "撤销", "解散"),
               aliases=("评审事项", "环节", "事项类型"),
               value_aliases={"认定": "备案", "评估": "三年评估", "三年期评估": "三年评估", "绩效评估": "三年评估",
                              "重新审核": "复审", "国家试点": "纳入国家试点"},
               example="三年评估"),
        Column("event_date", "日期", DATE, "事项发生（完成）日期", required=True, aliases=("评审日期", "时间", "完成日期"),
               example="2022-06-30"),
        Column("result", "结果", ENUM, "事项结果", values=("通过", "不通过", "优秀", "良好", "合格", "不合格"),
               aliases=("评审结果", "评估结果", "结论"),
               value_aliases={"同意": "通过", "不同意": "不通过", "未通过": "不通过"}, example="良好"),
        Column("score", "得分", SCORE, "评审得分（0–100）", aliases=("分数", "评分"), example="86.5"),
        Column("note", "备注", TEXT, "备注", aliases=("说明",), example=""),
    ),
    keywords=("评审记录", "评审", "评估", "审查", "事项"),
)

ANNUAL_REPORTS = Table(
    "annual_reports", "年度报告",
    "联盟每年提交的年度工作总结，每个联盟每年一行。",
    (
        *_link_columns(),
        Column("year", "年度", YEAR, "报告所属年度", required=True, aliases=("年份", "报告年度"), example="2022"),
        Column("submitted_date", "提交日期", DATE, "报告提交日期", aliases=("提交时间", "报送日期"), example="2022-11-20"),
        Column("activities", "开展活动次数", INT, "本年度开展活动次数", aliases=("活动次数",), example="6"),
        Column("joint_projects", "联合攻关项目数", INT, "本年度联合攻关项目数", aliases=("联合攻关项目", "攻关项目数"),
               example="2"),
        Column("new_members", "新增成员数", INT, "本年度新增成员单位数", aliases=("新增成员",), example="1"),
        Column("standards", "制定标准数", INT, "本年度制定标准数", aliases=("标准数",), example="1"),
        Column("patents", "专利数", INT, "本年度专利数", aliases=("专利",), example="5"),
        Column("transfers", "成果转化数", INT, "本年度科技成果转化数", aliases=("成果转化",), example="2"),
    ),
    keywords=("年度报告", "年报", "年度总结"),
)

TABLES: tuple[Table, ...] = (ALLIANCES, MEMBERS, SUBSIDIES, EVENTS, ANNUAL_REPORTS)
TABLES_BY_NAME = {t.name: t for t in TABLES}

# Import history, one row per import or rollback that produced this database's state.
IMPORTS_DDL = """
create table imports (
    import_id     integer primary key,  -- 导入批次号，逐次递增
    action        varchar not null,     -- import / rollback
    started_at    timestamp not null,
    finished_at   timestamp not null,
    user_name     varchar,              -- who ran it (OS user or dashboard account)
    files         json,                 -- [{name, sha256, table, sheet, rows}]
    row_counts    json,                 -- {table: rows} after the import
    restored_from integer,              -- rollback: the import whose state was restored
    summary       varchar               -- one Chinese line for people
)
"""

# The schema versions this file's structure includes, one row per version (loaders/migrations.py).
VERSION_TABLE = "schema_version"
VERSION_DDL = f"""
create table {VERSION_TABLE} (
    version integer primary key,  -- 数据结构版本
    why     varchar not null      -- 这一版改了什么、为什么
)
"""

IMPORTS_DOC: list[tuple[str, str, str]] = [
    ("import_id", "INTEGER", "导入批次号，逐次递增；回滚也占一个批次号"),
    ("action", "VARCHAR", "import（导入）或 rollback（回滚）"),
    ("started_at", "TIMESTAMP", "开始时间"),
    ("finished_at", "TIMESTAMP", "完成时间"),
    ("user_name", "VARCHAR", "操作人"),
    ("files", "JSON", "导入的文件：名称、SHA-256、识别为哪张表、工作表、行数"),
    ("row_counts", "JSON", "导入后各表行数"),
    ("restored_from", "INTEGER", "回滚时恢复到的批次号"),
    ("summary", "VARCHAR", "中文摘要"),
]


def ddl() -> str:
    """CREATE TABLE statements for the whole registry."""
    parts = []
    for t in TABLES:
        cols = ",\n    ".join(f"{name} {sql}" for name, sql, _ in t.stored_columns)
        parts.append(f"create table {t.name} (\n    {cols}\n);")
    parts.append(IMPORTS_DDL.strip() + ";")
    parts.append(VERSION_DDL.strip() + ";")
    return "\n".join(parts)


def markdown() -> str:
    """docs/schema.md: every table, column, Chinese header and meaning."""
    lines = [
        "# 数据结构 / Registry schema",
        "",
        "本文件由 `python -m loaders docs` 从 `loaders/schema.py` 生成，请勿手工编辑。",
        "Generated from `loaders/schema.py` by `python -m loaders docs`; do not edit by hand.",
        "",
        "导入表头：带 `*` 为必填；括号内为同样接受的别名。金额库内以元（DECIMAL）精确保存，页面以万元显示；日期为 DATE。",
        "",
    ]
    for t in TABLES:
        lines += [f"## {t.title}（`{t.name}`）", "", t.doc, "",
                  f"工作表名或文件名含以下字样时识别为此表：{'、'.join(t.keywords)}（否则按表头识别）。", "",
                  "| 导入表头 | 别名 | 库内列 | 类型 | 说明 |", "|---|---|---|---|---|"]
        for c in t.columns:
            allowed = f"；取值：{'/'.join(c.values)}" if c.values else ""
            col = "alliance_id" if c.kind in (LINK_NAME, LINK_ID) else c.name
            lines.append(f"| {c.header}{'*' if c.required else ''} | {'、'.join(c.aliases)} | `{col}` | "
                         f"{c.sql_type} | {c.doc}{allowed} |")
        extra = [(n, s, d) for n, s, d in t.stored_columns if n.endswith("_key") or n.startswith("source_")]
        lines += ["", "系统列：" + "；".join(f"`{n}` {d}" for n, _, d in extra), ""]
    lines += ["## 导入历史（`imports`）", "", "| 列 | 类型 | 说明 |", "|---|---|---|"]
    lines += [f"| `{n}` | {s} | {d} |" for n, s, d in IMPORTS_DOC]
    lines += ["", f"## 数据结构版本（`{VERSION_TABLE}`）", "",
              "库文件记录自己的数据结构版本，每个版本一行；较旧的库在下次导入前自动升级（`loaders/migrations.py`，"
              "也可运行 `python -m loaders upgrade`），升级本身也是一个可回滚的批次。", "",
              "| 列 | 类型 | 说明 |", "|---|---|---|",
              "| `version` | INTEGER | 数据结构版本号 |", "| `why` | VARCHAR | 这一版改了什么、为什么 |"]
    return "\n".join(lines) + "\n"
