"""Columns whose cells are mostly distinct (unit names, credit codes) skip factorising and give
exactly what the scalar parsers give, cell by cell — blanks, nulls, control characters and bad codes included."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa

from loaders import normalise as n

ROWS = 3000


def _column(values: list[str | None]) -> pa.Array:
    return pa.array(values, pa.string())


def _code(i: int) -> str:
    first17 = f"91{110000 + i % 900000:06d}{i:09d}"
    return first17 + n.credit_code_check_char(first17)


def _names() -> list[str | None]:
    names: list[str | None] = [f"  第{i}号 科技  有限公司 " if i % 7 else f"ＡＢＣ第{i}号公司" for i in range(ROWS)]
    names[5], names[17], names[99], names[1200] = None, "", "无", "坏\x07名称"
    names[300] = names[301] = "同名单位"  # mostly distinct, not entirely
    return names


def _scalar(parser, value):
    try:
        return parser(value), None
    except n.BadValue as e:
        return None, str(e)


def _got(parsed: n.ParsedColumn) -> list:
    reasons = dict(zip(parsed.bad.tolist(), parsed.reasons))
    return [(v, reasons.get(i)) for i, v in enumerate(parsed.values.to_pylist())]


def test_mostly_distinct_column_is_not_factorised_and_reads_like_the_scalar_parser() -> None:
    names = _names()
    cells = n.Cells.of(_column(names))
    assert cells.one_per_row and cells.missing
    assert n.Cells.of(_column(["企业", "高校"] * (ROWS // 2))).one_per_row is False  # repeats: factorised

    got = _got(n.checked_text_column(cells))
    expected = [(n.parse_text(v), None) for v in names]
    expected[1200] = (n.parse_text(names[1200]), n.CONTROL_REASON)
    assert got == expected
    assert got[5] == (None, None) and got[17] == (None, None) and got[99] == (None, None)
    assert n.name_key_column(n.text_column(_column(names))).to_pylist() == \
        [None if n.parse_text(v) is None else n.name_key(n.parse_text(v)) for v in names]
    blank = n.blank_mask(_column(names))
    assert blank.tolist() == [n.is_blank(v) for v in names]


def test_mostly_distinct_credit_codes_read_like_parse_credit_code() -> None:
    codes: list[str | None] = [_code(i) for i in range(ROWS)]
    codes[3] = codes[3][:17] + ("0" if codes[3][17] != "0" else "1")  # wrong check character
    codes[8], codes[40], codes[41] = None, " " + codes[40].lower() + " ", "91ABC"
    codes[60] = codes[60][:5] + "I" + codes[60][6:]
    parsed = n.credit_code_column(_column(codes))
    assert n.Cells.of(_column(codes)).one_per_row
    assert _got(parsed) == [_scalar(n.parse_credit_code, v) for v in codes]
    assert parsed.bad.tolist() == [3, 41, 60]


def test_mostly_distinct_dates_and_numbers_read_like_the_scalar_parsers() -> None:
    latest = dt.date(2027, 11, 30)
    days = [(dt.date(2001, 1, 1) + dt.timedelta(days=i)).isoformat() for i in range(ROWS)]
    days[10], days[11], days[12] = "2019-02-30", None, "2019年3月5日"
    assert _got(n.date_column(_column(days), latest)) == [_scalar(lambda v: n.parse_date(v, latest), v) for v in days]
    amounts = [f"{i}.5" if i % 11 else f"{i}万元" for i in range(ROWS)]
    amounts[7], amounts[9] = "abc", None
    parsed = n.parse_column(_column(amounts), lambda v: n.parse_money(v, None), pa.decimal128(18, 2))
    assert _got(parsed) == [_scalar(n.parse_money, v) for v in amounts]


def test_repeating_text_is_kept_as_codes_and_reads_like_the_scalar_parser() -> None:
    """A member list's types, roles and places: codes into the distinct cleaned values (7 MB, not 84, at 1.7M rows)."""
    cells = [" 企业", "企业", "高校 ", "无", None, "", "科研\x07院所", "金融  机构"] * (ROWS // 8)
    parsed = n.checked_text_column(_column(cells))
    assert pa.types.is_dictionary(parsed.values.type)
    assert _got(parsed) == [(n.parse_text(c), n.CONTROL_REASON if c and "\x07" in c else None) for c in cells]
    # a cell cleaned to nothing is missing, not a code to an empty value: required checks and counts rely on it
    assert parsed.values.is_valid().to_pylist() == [n.parse_text(c) is not None for c in cells]


def test_csv_blocks_of_codes_read_like_the_same_cells_as_plain_text() -> None:
    """pyarrow reads a CSV block by block, each block's column as codes into its own distinct cells."""
    plain = [f"单位类型{i % 7}" if i % 11 else " 无 " for i in range(ROWS)]
    blocks = pa.chunked_array([pa.array(plain[:1000]).dictionary_encode(), pa.array(plain[1000:]).dictionary_encode()])
    assert blocks.chunk(0).dictionary != blocks.chunk(1).dictionary
    coded, text = n.text_column(blocks), n.text_column(_column(plain))
    assert coded.to_pylist() == text.to_pylist() == [n.parse_text(c) for c in plain]
    assert n.name_key_column(coded).to_pylist() == [None if c is None else n.name_key(c) for c in text.to_pylist()]


def test_typed_cells_are_factorised_as_python_values() -> None:
    """A parquet file's number column: NaN and null are both missing; equal values share a code."""
    cells = n.Cells.of(pa.array([1.5, None, float("nan"), 1.5, 2.0]))
    assert cells.codes.tolist() == [0, -1, -1, 0, 1] and cells.distinct == [1.5, 2.0]
    assert n.Cells.of([dt.date(2019, 3, 5), "2019-03-05", dt.date(2019, 3, 5)]).codes.tolist() == [0, 1, 0]


def test_a_key_is_kept_only_where_it_differs_from_the_name() -> None:
    """Most names are their own key: the batch holds a key only for the others (the registry stores the same)."""
    names = [f"第{i}号科技有限公司" if i % 5 else f"ＡＢＣ第{i}号公司" for i in range(ROWS)] + ["天津 大学", None]
    expected = [None if name is None or n.name_key(name) == name else n.name_key(name) for name in names]
    assert expected[5] == "abc第5号公司" and expected[1] is None and expected[-2] == "天津大学"
    plain = n.text_column(_column(names))
    repeated = n.text_column(_column(names * 2))            # factorised: codes into the distinct names
    assert pa.types.is_string(plain.type) and pa.types.is_dictionary(repeated.type)
    assert n.stored_key_column(plain).to_pylist() == expected
    assert n.stored_key_column(repeated).to_pylist() == expected * 2
    assert n.stored_key_column(repeated).null_count == expected.count(None) * 2  # null: not a code to a null
