"""Cell normalisers (loaders/normalise.py), one kind at a time, with hand-written expectations."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from loaders import normalise as n
from loaders.normalise import (
    BadValue,
    clean_credit_code,
    credit_code_check_char,
    make_enum_parser,
    name_key,
    parse_bool,
    parse_credit_code,
    parse_date,
    parse_int,
    parse_money,
    parse_score,
    parse_text,
    parse_year,
)

D = dt.date
BLANK_CELLS = [None, "", "   ", "\u3000", " 无 ", "-", "--", "—", "/", "无", "nan", float("nan")]


# ---- blanks and text -------------------------------------------------------------------------

@pytest.mark.parametrize("cell", BLANK_CELLS)
def test_blank_cells_are_none_for_every_kind(cell):
    for parser in (parse_text, parse_date, parse_money, parse_int, parse_year, parse_score, parse_bool,
                   parse_credit_code, make_enum_parser(("企业",), {})):
        assert parser(cell) is None, parser


@pytest.mark.parametrize("cell, expected", [
    ("  天津大学  ", "天津大学"),
    ("天津\u3000大学", "天津 大学"),
    ("天津  \n 大学", "天津 大学"),
    (12.0, "12"),
    (12, "12"),
    ("TJLM-2019-001", "TJLM-2019-001"),
])
def test_parse_text_trims_and_collapses_spaces(cell, expected):
    assert parse_text(cell) == expected


# ---- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", [
    "2019-03-05", "2019/3/5", "2019/03/05", "2019.3.5", "2019年3月5日", "2019 年 3 月 5 日", "２０１９年３月５日",
    "20190305", 20190305, "2019-03-05 00:00:00", "2019-03-05T00:00:00", "2019/3/5 14:30",
    43529, 43529.0, "43529", dt.datetime(2019, 3, 5), dt.datetime(2019, 3, 5, 17, 45), D(2019, 3, 5),
    pd.Timestamp("2019-03-05"),
])
def test_parse_date_accepts_every_export_form(cell):
    assert parse_date(cell) == D(2019, 3, 5)


@pytest.mark.parametrize("cell, expected", [
    (2019.03, D(2019, 3, 1)),      # typed into a number cell
    ("2019.03", D(2019, 3, 1)),
    ("2019.3", D(2019, 3, 1)),
    ("2019-03", D(2019, 3, 1)),
    ("2019/3", D(2019, 3, 1)),
    ("2019年3月", D(2019, 3, 1)),
    (2019.12, D(2019, 12, 1)),
    ("2019.12", D(2019, 12, 1)),
    (2019.10, D(2019, 10, 1)),     # the number 2019.1: Excel shows 2019.1 for a typed 2019.10
])
def test_parse_date_month_only_is_first_of_month(cell, expected):
    assert parse_date(cell) == expected


def test_excel_serials():
    assert parse_date(36526) == D(2000, 1, 1)
    assert parse_date(43529) == D(2019, 3, 5)
    assert parse_date(44927) == D(2023, 1, 1)


@pytest.mark.parametrize("cell, reason", [
    ("2019-02-30", "不存在的日期"),
    ("2019-13-01", "不存在的日期"),
    ("2019年2月29日", "不存在的日期"),   # 2019 is not a leap year
    ("2019-00", "不存在的日期"),
    ("20191332", "不存在的日期"),
    ("明年三月", "无法识别为日期"),
    ("2019", "无法识别为日期"),            # a year is not a date
    (2019, "无法识别为日期"),
    (12345, "无法识别为日期"),            # too small to be a serial of this century
    (43529.5, "无法识别为日期"),          # a serial with a time part
    ("2019-03-05x", "无法识别为日期"),
    (float("inf"), "无法识别为日期"),
])
def test_parse_date_rejects_impossible_dates(cell, reason):
    with pytest.raises(BadValue, match=reason):
        parse_date(cell)


def test_leap_day_is_a_date():
    assert parse_date("2020年2月29日") == D(2020, 2, 29)


@pytest.mark.parametrize("cell", ["1999-12-31", "1999年12月", 36525, dt.datetime(1998, 5, 1)])
def test_parse_date_refuses_dates_before_2000(cell):
    with pytest.raises(BadValue, match="早于 2000 年"):
        parse_date(cell)


def test_parse_date_first_day_of_2000_is_allowed():
    assert parse_date("2000-01-01") == D(2000, 1, 1)


def test_parse_date_refuses_more_than_a_year_ahead():
    today = dt.date.today()
    in_a_year = today + dt.timedelta(days=365)
    assert parse_date(in_a_year.isoformat()) == in_a_year
    too_late = today + dt.timedelta(days=366)
    with pytest.raises(BadValue, match="超出合理范围"):
        parse_date(too_late.isoformat())
    with pytest.raises(BadValue, match="超出合理范围"):
        parse_date(f"{today.year + 3}年1月1日")


def test_parse_date_latest_can_be_given():
    assert parse_date("2019-03-05", latest=D(2019, 3, 5)) == D(2019, 3, 5)
    with pytest.raises(BadValue, match="晚于 2019-03-04"):
        parse_date("2019-03-05", latest=D(2019, 3, 4))


# ---- money -----------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, header_unit, expected", [
    ("50万元", None, "500000.00"),
    ("50 万元", None, "500000.00"),
    ("５０万元", None, "500000.00"),
    ("50万", None, "500000.00"),
    ("人民币50万元", None, "500000.00"),
    ("500,000元", None, "500000.00"),
    ("1,234,567.89元", None, "1234567.89"),
    ("500000元", None, "500000.00"),
    (30, None, "300000.00"),            # bare number under a bare 金额: 万元
    ("30", None, "300000.00"),
    (30.5, None, "305000.00"),
    ("12.3456", None, "123456.00"),
    (0, None, "0.00"),
    (30, "万元", "300000.00"),
    ("30", "元", "30.00"),
    (30, "元", "30.00"),
    ("0.3", "元", "0.30"),
    ("500,000", "元", "500000.00"),
    ("50万元", "万元", "500000.00"),     # the cell repeats the header's unit
    ("50万", "万元", "500000.00"),       # 万 and 万元 are the same unit
    ("500000元", "元", "500000.00"),
    ("0.0001万元", None, "1.00"),
    ("0.000001万元", None, "0.01"),
    ("0.01", "元", "0.01"),
    ("+5", None, "50000.00"),
])
def test_parse_money_in_yuan_exactly(cell, header_unit, expected):
    amount = parse_money(cell, header_unit)
    assert isinstance(amount, Decimal)
    assert amount == Decimal(expected)
    assert str(amount) == expected  # two decimals, never a float's binary fraction


def test_parse_money_is_exact_for_many_small_amounts():
    total = sum(parse_money("0.0001万元") for _ in range(10_000))
    assert total == Decimal("10000.00")
    assert parse_money(0.0001) == Decimal("1.00")


@pytest.mark.parametrize("cell, header_unit, reason", [
    ("50万元", "元", "不一致"),
    ("500,000元", "万元", "不一致"),
    ("-5", None, "不能为负数"),
    (-5, None, "不能为负数"),
    ("-50万元", None, "不能为负数"),
    (-0.5, "元", "不能为负数"),
    ("0.001", "元", "精确到分以下"),
    ("0.0000001", None, "精确到分以下"),     # bare 万元: 0.001 元
    ("0.0000001万元", None, "精确到分以下"),
    ("1.234", "元", "精确到分以下"),
    ("五十万", None, "无法识别为金额"),
    ("50美元", None, "无法识别为金额"),
    ("1,23元", None, "无法识别为金额"),
    ("50万元整", None, "无法识别为金额"),
    (True, None, "无法识别为金额"),
    (float("inf"), None, "无法识别为金额"),
])
def test_parse_money_rejects(cell, header_unit, reason):
    with pytest.raises(BadValue, match=reason):
        parse_money(cell, header_unit)


# ---- integers, years, scores, booleans ----------------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    ("12", 12), (12, 12), (12.0, 12), ("12.0", 12), ("12个", 12), (" 3人 ", 3), ("5项", 5), ("１２", 12), (0, 0),
])
def test_parse_int(cell, expected):
    assert parse_int(cell) == expected


@pytest.mark.parametrize("cell, reason", [
    (-1, "不能为负数"), ("-1", "应为整数"), (1.5, "应为整数"), ("1.5", "应为整数"), ("十二", "应为整数"),
    (True, "应为整数"), ("12元", "应为整数"),
])
def test_parse_int_rejects(cell, reason):
    with pytest.raises(BadValue, match=reason):
        parse_int(cell)


@pytest.mark.parametrize("cell", [2021, 2021.0, "2021", " 2021 ", "2021年", "2021年度", "２０２１年"])
def test_parse_year(cell):
    assert parse_year(cell) == 2021


def test_parse_year_range():
    next_year = dt.date.today().year + 1
    assert parse_year(2000) == 2000
    assert parse_year(next_year) == next_year
    for cell in (1999, "1999年", next_year + 1, "2100"):
        with pytest.raises(BadValue, match="不在 2000–"):
            parse_year(cell)
    assert parse_year("2030", latest=2030) == 2030
    with pytest.raises(BadValue, match="不在 2000–2020"):
        parse_year("2021", latest=2020)


@pytest.mark.parametrize("cell", ["21", "2021.5", 2021.5, "二〇二一", "2021-2022"])
def test_parse_year_rejects(cell):
    with pytest.raises(BadValue, match="应为年份"):
        parse_year(cell)


@pytest.mark.parametrize("cell, expected", [
    (86.5, "86.5"), ("86.5", "86.5"), ("86.5分", "86.5"), ("86.55", "86.55"), (100, "100"), (0, "0"), ("８６", "86"),
    (92.0, "92"),
])
def test_parse_score(cell, expected):
    assert parse_score(cell) == Decimal(expected)


@pytest.mark.parametrize("cell", ["100.01", "-1", -0.5, "86.555", "abc", "优秀", float("inf"), "NAN", "sNaN",
                                  "Infinity"])
def test_parse_score_rejects(cell):
    with pytest.raises(BadValue, match="应为 0–100 的分数"):
        parse_score(cell)


@pytest.mark.parametrize("cell, expected", [
    ("是", True), ("否", False), ("Y", True), ("y", True), ("N", False), ("yes", True), ("No", False),
    ("1", True), ("0", False), (1, True), (0, False), (1.0, True), ("√", True), ("×", False),
    ("核心", True), ("核心成员", True), ("非核心", False), (" 是 ", True), (True, True), (False, False),
])
def test_parse_bool(cell, expected):
    assert parse_bool(cell) is expected


@pytest.mark.parametrize("cell", ["可能", "2", "是的吧", "true-ish"])
def test_parse_bool_rejects(cell):
    with pytest.raises(BadValue, match="应为“是”或“否”"):
        parse_bool(cell)


# ---- enums -----------------------------------------------------------------------------------

UNIT_TYPES = make_enum_parser(("企业", "高校", "科研院所"), {"公司": "企业", "大学": "高校", "研究院所": "科研院所"})


@pytest.mark.parametrize("cell, expected", [
    ("企业", "企业"), (" 企业 ", "企业"), ("企 业", "企业"), ("公司", "企业"), ("大学", "高校"), ("高校", "高校"),
    ("研究院所", "科研院所"),
])
def test_enum_accepts_values_and_aliases(cell, expected):
    assert UNIT_TYPES(cell) == expected


@pytest.mark.parametrize("cell", ["医院", "企业单位", "高", "1"])
def test_enum_rejects_other_values_naming_the_allowed_ones(cell):
    with pytest.raises(BadValue) as e:
        UNIT_TYPES(cell)
    assert f"“{cell}”不是允许的取值" in str(e.value)
    assert "企业/高校/科研院所" in str(e.value)


def test_schema_enums_and_aliases():
    from loaders.schema import ALLIANCES, MEMBERS, SUBSIDIES

    def parser(table, column):
        c = table.column(column)
        return make_enum_parser(c.values, c.value_aliases)

    assert parser(ALLIANCES, "level")("市") == "市级"
    assert parser(ALLIANCES, "status")("正常") == "已备案"
    assert parser(ALLIANCES, "status")("已注销") == "已撤销"
    assert parser(MEMBERS, "unit_type")("高等院校") == "高校"
    assert parser(MEMBERS, "role")("理事长") == "理事长单位"
    assert parser(SUBSIDIES, "kind")("其它") == "其他"
    with pytest.raises(BadValue):
        parser(ALLIANCES, "level")("县级")


# ---- 统一社会信用代码 --------------------------------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    ("91350100M000100Y43", "91350100M000100Y43"),
    ("12100000401359321Q", "12100000401359321Q"),
    ("91350100m000100y43", "91350100M000100Y43"),          # lower case accepted
    (" 9135 0100 M000 100Y43 ", "91350100M000100Y43"),     # spaces accepted
    ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),  # full-width
])
def test_parse_credit_code_valid(cell, expected):
    assert parse_credit_code(cell) == expected


def test_credit_code_check_char():
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert credit_code_check_char("12100000401359321") == "Q"


@pytest.mark.parametrize("cell, reason", [
    ("91350100M000100Y44", "校验位错误（按 GB 32100-2015 应为 3）"),
    ("12100000401359321R", "校验位错误（按 GB 32100-2015 应为 Q）"),
    ("91350100M000100Y4", "应为18位，实为17位"),
    ("91350100M000100Y433", "应为18位，实为19位"),
    ("", None),
    ("91350100M000I00Y43", "不允许的字符"),    # I
    ("91350100M000O00Y43", "不允许的字符"),    # O
    ("91350100M000Z00Y43", "不允许的字符"),    # Z
    ("91350100M000S00Y43", "不允许的字符"),    # S
    ("91350100M000V00Y43", "不允许的字符"),    # V
    ("913501A0M000100Y43", "不允许的字符"),    # letter inside the region code
    ("913501٠0M000100Y43", "不允许的字符"),    # an Arabic-Indic digit is not a digit of the code
])
def test_parse_credit_code_rejects(cell, reason):
    if reason is None:
        assert parse_credit_code(cell) is None
        return
    with pytest.raises(BadValue, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_credit_code(cell)


def _random_codes(count: int, seed: int = 20150601) -> list:
    rng = random.Random(seed)
    chars = n.CREDIT_CODE_CHARS
    codes: list = []
    for i in range(count):
        first17 = (rng.choice(chars) + rng.choice(chars) + "".join(rng.choice("0123456789") for _ in range(6))
                   + "".join(rng.choice(chars) for _ in range(9)))
        good = first17 + credit_code_check_char(first17)
        kind = i % 8
        if kind in (0, 1, 2):
            codes.append(good)
        elif kind == 3:
            codes.append(first17 + rng.choice(chars.replace(good[-1], "")))   # wrong check char
        elif kind == 4:
            codes.append(good.lower() if i % 16 < 8 else f" {good[:9]} {good[9:]} ")
        elif kind == 5:
            pos = rng.randrange(18)
            codes.append(good[:pos] + rng.choice("IOZSV") + good[pos + 1:])
        elif kind == 6:
            codes.append(good[: rng.choice((15, 17))] if i % 16 < 8 else good + "1")
        else:
            codes.append(rng.choice([None, "", "无", float("nan")]))
    return codes


def _column(cells: list, arrow: bool) -> pa.Array | list:
    """A column as the readers give it: an Arrow string column (Excel, CSV, parquet text) or Python values
    (a parquet file's typed column)."""
    if arrow:
        return pa.array([None if n.is_blank(c) and not isinstance(c, str) else c for c in cells], pa.string())
    return list(cells)


def _scalar(parser, cell):
    try:
        return parser(cell), None
    except BadValue as e:
        return None, str(e)


@pytest.mark.parametrize("arrow", [False, True], ids=["python", "arrow"])
def test_vectorised_credit_codes_agree_with_parse_credit_code(arrow):
    codes = _random_codes(400)
    if arrow:
        codes = [c if isinstance(c, str) else None for c in codes]
    parsed = n.credit_code_column(_column(codes, arrow))
    values = parsed.values.to_pylist()
    assert len(values) == len(codes)
    reasons = dict(zip(parsed.bad.tolist(), parsed.reasons))
    valid = 0
    for i, cell in enumerate(codes):
        expected, reason = _scalar(parse_credit_code, cell)
        assert values[i] == expected, (i, cell)
        assert reasons.get(i) == reason, (i, cell)
        valid += expected is not None
    assert 100 < valid < 300 and len(reasons) > 100     # the sample holds valid and invalid codes alike


def test_vectorised_credit_codes_on_all_blank_and_all_valid():
    assert n.credit_code_column(_column([None, "", "无"], False)).values.to_pylist() == [None] * 3
    parsed = n.credit_code_column(_column(["91350100M000100Y43", "12100000401359321q", "91350100M000100Y43"], False))
    assert parsed.values.to_pylist() == ["91350100M000100Y43", "12100000401359321Q", "91350100M000100Y43"]
    assert len(parsed.bad) == 0 and parsed.reasons == []
    assert len(n.credit_code_column([]).values) == 0


TEXT_CELLS = ["  天津大学 ", "天津\u3000大学", "天津 \t 大学", "天津\u00a0大学", "无", "-", "", "   ", None, 12.0, 12, 3.5,
              "ＡＢＣ（甲）", "天津大学", "天津大学", "\ufeff天津大学", dt.datetime(2019, 3, 5), "a\nb"]


@pytest.mark.parametrize("arrow", [False, True], ids=["python", "arrow"])
def test_vectorised_text_agrees_with_parse_text(arrow):
    cells = [c for c in TEXT_CELLS if isinstance(c, str) or c is None] if arrow else TEXT_CELLS
    values = n.text_column(_column(cells, arrow)).to_pylist()
    assert values == [parse_text(c) for c in cells]


@pytest.mark.parametrize("arrow", [False, True], ids=["python", "arrow"])
def test_vectorised_blank_mask_agrees_with_is_blank(arrow):
    cells = [c for c in TEXT_CELLS + BLANK_CELLS if isinstance(c, str) or c is None] if arrow else TEXT_CELLS + BLANK_CELLS
    assert n.blank_mask(_column(cells, arrow)).tolist() == [n.is_blank(c) for c in cells]


def test_vectorised_name_keys_agree_with_name_key():
    names = ["天津市稀土新材料（永磁）产业技术创新战略联盟", "天津市稀土新材料 (永磁) 产业技术创新战略联盟", "ＡＢＣ 联盟",
             None, "天津大学", "天津大学"]
    cleaned = n.text_column(_column(names, False))
    keys = n.name_key_column(cleaned).to_pylist()
    assert keys == [None if c is None else name_key(c) for c in cleaned.to_pylist()]
    assert keys[0] == keys[1] == "天津市稀土新材料(永磁)产业技术创新战略联盟"
    assert keys[2] == "abc联盟"


# Names the key leaves as they are by the fast path's rule (CJK ideographs, ASCII without spaces or capitals); names
# it changes: full-width forms, ideographic space, capitals, a compatibility ideograph, a Kangxi radical, a combining
# mark, a ligature, circled and Roman numerals, a superscript, half-width kana; and names outside the rule's
# characters that the key happens to leave alone (、·— and CJK extension B), which take the full path all the same.
OWN_KEYS = ["天津大学", "滨海新区-智能制造(2025)联盟", "abc_123.联盟#1", "㐀䶵一龥", ""]
CHANGED_KEYS = ["天津大学（滨海）", "ＡＢＣ１２３联盟", "天津\u3000大学", "Tianjin 大学", "\uf900联盟", "\u2f00号联盟",
                "cafe\u0301联盟", "ﬁ联盟", "①号联盟", "Ⅱ期联盟", "x²联盟", "ｶﾀｶﾅ联盟", "天津 ＡＢ 大学"]
OTHER_KEYS = ["联盟、协会", "联盟·中心", "联盟—中心", "\U00020000联盟"]


@pytest.mark.parametrize("repeated", [False, True], ids=["distinct", "repeated"])
def test_name_keys_skip_unicode_normalisation_only_where_it_changes_nothing(repeated):
    assert all(name_key(c) == c for c in OWN_KEYS + OTHER_KEYS)
    assert all(name_key(parse_text(c)) != parse_text(c) for c in CHANGED_KEYS)
    names = OWN_KEYS + CHANGED_KEYS + OTHER_KEYS + [None]
    names = names * 40 if repeated else names   # repeated: keyed once per distinct name (a dictionary)
    cleaned = n.text_column(_column(names, False))
    expected = [None if c is None else name_key(c) for c in cleaned.to_pylist()]
    assert n.name_key_column(cleaned).to_pylist() == expected
    assert n.stored_key_column(cleaned).to_pylist() == [None if k == c else k
                                                       for k, c in zip(expected, cleaned.to_pylist())]


@pytest.mark.parametrize("arrow", [False, True], ids=["python", "arrow"])
def test_parse_column_applies_the_scalar_parser_once_per_distinct_cell(arrow):
    cells = ["2019/3/5", "2019/3/5", None, "2019-02-30", "2019年3月5日", "", "2019-02-30", "2019.03"]
    calls: list = []

    def parser(value):
        calls.append(value)
        return parse_date(value)

    parsed = n.parse_column(_column(cells, arrow), parser, pa.date32())
    assert parsed.values.to_pylist() == [D(2019, 3, 5), D(2019, 3, 5), None, None, D(2019, 3, 5), None, None,
                                         D(2019, 3, 1)]
    assert parsed.bad.tolist() == [3, 6]
    assert all(r.startswith("不存在的日期") for r in parsed.reasons) and len(parsed.reasons) == 2
    assert len(calls) == len(set(map(str, calls)))        # never the same cell twice


@pytest.mark.parametrize("parser, arrow_type, cells", [
    (parse_money, pa.decimal128(18, 2), ["50万元", "500,000元", 30, "30", "-5", "五十万", None, "0.0001万元", 12.3456]),
    (parse_int, pa.int64(), ["12", 12, 12.0, "12个", "-1", 1.5, None, "无"]),
    (parse_year, pa.int64(), [2021, "2021年", "2021年度", "1999", "21", None]),
    (parse_score, pa.decimal128(5, 2), [86.5, "86.5分", "100.01", "abc", None, 0]),
    (parse_bool, pa.bool_(), ["是", "否", "Y", 1, 0, "可能", None]),
    (UNIT_TYPES, pa.string(), ["公司", "企业", "医院", None, " 大学 "]),
])
def test_parse_column_agrees_with_the_scalar_parsers(parser, arrow_type, cells):
    parsed = n.parse_column(_column(cells, False), parser, arrow_type)
    expected = [_scalar(parser, c) for c in cells]
    assert parsed.values.to_pylist() == [v for v, _ in expected]
    assert dict(zip(parsed.bad.tolist(), parsed.reasons)) == {i: r for i, (_, r) in enumerate(expected) if r}


def test_clean_credit_code():
    assert clean_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert clean_credit_code("无") is None


# ---- name keys and whole columns --------------------------------------------------------------

def test_name_key_folds_brackets_width_spaces_and_case():
    full = name_key("天津市稀土新材料（永磁）产业技术创新战略联盟")
    assert full == name_key("天津市稀土新材料(永磁)产业技术创新战略联盟")
    assert full == name_key(" 天津市稀土新材料 （永磁） 产业技术创新战略联盟 ")
    assert full == name_key("天津市稀土新材料\u3000(永磁)产业技术创新战略联盟")
    assert name_key("ＡＢＣ联盟") == name_key("abc联盟")
    assert name_key("甲联盟") != name_key("乙联盟")
    assert name_key("天津市（滨海）联盟") == "天津市(滨海)联盟"


def test_numbers_are_checked_against_the_stored_types():
    from loaders.schema import INT_MAX, MONEY_MAX

    assert parse_int(str(INT_MAX)) == INT_MAX and parse_int(float(INT_MAX)) == INT_MAX
    for too_big in (str(INT_MAX + 1), INT_MAX + 1, 1e20, "99999999999999999999"):
        with pytest.raises(BadValue, match="超出可保存的范围"):
            parse_int(too_big)
    assert parse_money(f"{MONEY_MAX}元") == MONEY_MAX
    for too_big in ("10000000000000000元", "1000000000000", "99999999999999999999万元"):
        with pytest.raises(BadValue, match="超出可保存的范围"):
            parse_money(too_big)


def test_control_characters_are_flagged_and_shown_written_out():
    cells = ["正常", "甲\x00乙", "\x1b[31m红", "换\n行\t制表", "乱码\ufffd", None]
    parsed = n.checked_text_column(cells)
    assert parsed.bad.tolist() == [1, 2, 4]
    assert parsed.values.to_pylist()[3] == "换 行 制表"                 # whitespace controls are just spaces
    assert n.visible("甲\x00乙\x1b") == "甲\\x00乙\\x1b"
