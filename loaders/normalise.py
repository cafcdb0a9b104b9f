"""Cell normalisers: one per value kind, each turning a raw cell into a clean value.

Every parser takes one raw cell (str, int, float, date, datetime or None, as Excel and
CSV readers give them) and returns the clean value, ``None`` for an empty cell, or raises
``BadValue`` with a Chinese reason. The column functions at the end apply them to whole
columns fast: once per distinct cell, or with pyarrow's vectorised string kernels.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .schema import INT_MAX, MONEY_MAX

# Cells that bureau sheets use to mean "nothing here".
BLANKS = frozenset({"", "-", "--", "—", "——", "/", "无", "null", "NULL", "None", "nan", "NaN"})

# Whitespace as exports contain it (ASCII, no-break, ideographic, BOM). Written out rather than \s
# so that Python's re and pyarrow's RE2 read the same class.
SPACE = "[ \t\n\r\f\v\u00a0\u2000-\u200b\u3000\ufeff]+"
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel serial 1 = 1900-01-01 (with the 1900 leap-year quirk)
EARLIEST_DATE = dt.date(2000, 1, 1)
# Characters no real cell holds: C0/C1 controls other than whitespace (NUL, BEL, ESC …) and the
# replacement character a failed decoding leaves behind. Escapes, so Python's re and RE2 agree.
CONTROL = r"[\x00-\x08\x0e-\x1f\x7f-\x9f\x{fffd}]"
_CONTROL_PY = re.compile(CONTROL.replace(r"\x{fffd}", "\ufffd"))
CONTROL_REASON = "含有控制字符或乱码替代符（如 NUL、�），原文已损坏或混入了不可见字符：请在原表中改正后重新导出"


class BadValue(ValueError):
    """A cell that cannot be read as its column's kind; the message is the Chinese reason."""


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() in BLANKS


def cell_text(value: Any) -> str:
    """A cell as the user sees it in Excel: text trimmed, numbers to 15 significant digits.

    Excel shows a formula's 0.30000000000000004 as 0.3 and 50.0 as 50; so do we, in
    messages and before parsing, so that a value in an error can be found with Ctrl+F.
    """
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return value.strip() if isinstance(value, str) else str(value)


def visible(text: str) -> str:
    """Text with its control characters written out (\\x00), so a message can show where they are."""
    return _CONTROL_PY.sub(lambda m: m[0] if m[0] == "\ufffd" else f"\\x{ord(m[0]):02x}", text)


def parse_text(value: Any) -> str | None:
    """Trimmed text; runs of any whitespace (full-width too) become one space."""
    if is_blank(value):
        return None
    text = re.sub(SPACE, " ", cell_text(value) if not isinstance(value, str) else value).strip()
    return None if text in BLANKS else text


def name_key(value: str) -> str:
    """The comparison key of a name: （）and () alike, no whitespace, case-insensitive.

    NFKC folds full-width forms (（）、，Ａ１) into their half-width ones, so two spellings
    of one alliance name that differ only in width or spaces share a key.
    """
    return re.sub(SPACE, "", unicodedata.normalize("NFKC", value)).lower()


_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_MONTH_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{5}(?:\.0+)?")


def parse_date(value: Any, latest: dt.date | None = None) -> dt.date | None:
    """A date in any form bureau exports use.

    Accepts 2019-03-05, 2019/3/5, 2019.3.5, 2019年3月5日, 20190305, month-only 2019.03 /
    2019-03 / 2019年3月 (read as the 1st of the month), Excel date cells and Excel serial
    numbers (43529). Dates before 2000 or after ``latest`` (default: a year from today) are
    refused, since the registry's programme started after 2000 and a later date is a typo.
    """
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        day = _date_from_number(value)
    else:
        day = _date_from_text(unicodedata.normalize("NFKC", str(value)).strip())
    latest = latest or dt.date.today() + dt.timedelta(days=365)
    if day < EARLIEST_DATE:
        raise BadValue(f"日期 {day.isoformat()} 早于 2000 年")
    if day > latest:
        raise BadValue(f"日期 {day.isoformat()} 晚于 {latest.isoformat()}，超出合理范围")
    return day


def _date_from_number(value: float) -> dt.date:
    if 20000 <= value < 80000 and float(value).is_integer():  # Excel serial, 1954–2119
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    if 19000101 <= value <= 21001231 and float(value).is_integer():
        return _date_from_text(str(int(value)))
    if 1900 < value < 2200 and not float(value).is_integer():  # 2019.03 typed into a number cell
        return _date_from_text(f"{value:.2f}")
    raise BadValue(f"无法识别为日期：{cell_text(value)}")


def _date_from_text(text: str) -> dt.date:
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # 2019-03-05, the commonest form: C-fast
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    for pattern, has_day in ((_FULL_DATE, True), (_COMPACT_DATE, True), (_MONTH_DATE, False)):
        m = pattern.fullmatch(text)
        if m:
            year, month = int(m[1]), int(m[2])
            try:
                return dt.date(year, month, int(m[3]) if has_day else 1)
            except ValueError:
                raise BadValue(f"不存在的日期：{text}") from None
    if _SERIAL.fullmatch(text):
        return _date_from_number(float(text))
    raise BadValue(f"无法识别为日期：{text}（可用 2019-03-05、2019/3/5、2019年3月5日 等格式）")


_MONEY = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(万元|万|元)?")
UNIT_FACTORS = {"万元": Decimal(10000), "万": Decimal(10000), "元": Decimal(1)}


def parse_money(value: Any, header_unit: str | None = None) -> Decimal | None:
    """An amount in 元, exact.

    The unit comes from the cell ("50万元", "500,000元") or else from the header
    (金额（万元）/ 金额（元））; a bare number under a bare header is 万元, as bureau sheets
    mostly count subsidies in 万元. A cell unit that contradicts the header's is refused.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise BadValue(f"无法识别为金额：{value}")
    text = cell_text(value) if isinstance(value, (int, float)) else unicodedata.normalize("NFKC", str(value))
    m = _MONEY.fullmatch(re.sub(r"\s+", "", text).replace("人民币", ""))
    if not m:
        raise BadValue(f"无法识别为金额：{text}（应为数字，可带单位“万元”或“元”）")
    sign, whole, frac, cell_unit = m.groups()
    if cell_unit and header_unit and UNIT_FACTORS[cell_unit] != UNIT_FACTORS[header_unit]:
        raise BadValue(f"单元格单位“{cell_unit}”与表头单位“{header_unit}”不一致：{text}")
    unit = cell_unit or header_unit or "万元"
    try:
        amount = Decimal(sign + whole.replace(",", "") + (frac or "")) * UNIT_FACTORS[unit]
    except InvalidOperation:
        raise BadValue(f"无法识别为金额：{text}") from None
    if amount < 0:
        raise BadValue(f"金额不能为负数：{text}")
    if amount > MONEY_MAX:
        raise BadValue(f"金额超出可保存的范围（最多 {MONEY_MAX:,} 元）：{text}")
    if amount != amount.quantize(Decimal("0.01")):
        raise BadValue(f"金额精确到分以下：{text}")
    return amount.quantize(Decimal("0.01"))


def parse_int(value: Any) -> int | None:
    """A non-negative whole number ("12", 12.0, "12个")."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise BadValue(f"应为整数：{value}")
    if isinstance(value, float):
        if not value.is_integer():
            raise BadValue(f"应为整数：{value}")
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        m = re.fullmatch(r"(\d+)(?:\.0+)?\s*(?:个|人|次|项|家|件|名)?", unicodedata.normalize("NFKC", str(value)).strip())
        if not m:
            raise BadValue(f"应为整数：{str(value).strip()}")
        number = int(m[1])
    if number < 0:
        raise BadValue(f"不能为负数：{number}")
    if number > INT_MAX:
        raise BadValue(f"数值过大，超出可保存的范围（最大 {INT_MAX}）：{number}")
    return number


def parse_year(value: Any, latest: int | None = None) -> int | None:
    """A year between 2000 and next year: 2019, "2019", "2019年", "2019年度"."""
    if is_blank(value):
        return None
    text = cell_text(value) if not isinstance(value, str) else unicodedata.normalize("NFKC", value).strip()
    m = re.fullmatch(r"(\d{4})\s*(?:年度?)?", text)
    if not m:
        raise BadValue(f"应为年份：{text}")
    year, latest = int(m[1]), latest or dt.date.today().year + 1
    if not 2000 <= year <= latest:
        raise BadValue(f"年份 {year} 不在 2000–{latest} 之间")
    return year


def parse_score(value: Any) -> Decimal | None:
    """A review score between 0 and 100, up to two decimals."""
    if is_blank(value):
        return None
    text = cell_text(value) if not isinstance(value, str) else unicodedata.normalize("NFKC", value).strip()
    text = re.sub(r"\s*分$", "", text)
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise BadValue(f"应为 0–100 的分数：{text}") from None
    if not score.is_finite() or not (0 <= score <= 100) or score != score.quantize(Decimal("0.01")):
        raise BadValue(f"应为 0–100 的分数（最多两位小数）：{text}")
    return score


_TRUE = frozenset({"是", "Y", "YES", "TRUE", "1", "√", "✓", "核心", "核心成员"})
_FALSE = frozenset({"否", "N", "NO", "FALSE", "0", "×", "✗", "非核心"})


def parse_bool(value: Any) -> bool | None:
    """是/否, Y/N, 1/0, √/×."""
    if is_blank(value):
        return None
    text = unicodedata.normalize("NFKC", cell_text(value)).upper()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue(f"应为“是”或“否”：{cell_text(value)}")


def make_enum_parser(values: tuple[str, ...], aliases: dict[str, str]) -> Callable[[Any], str | None]:
    """A parser accepting the allowed values and their listed spellings, nothing else."""
    lookup = {name_key(v): v for v in values} | {name_key(k): v for k, v in aliases.items()}

    def parse_enum(value: Any) -> str | None:
        if is_blank(value):
            return None
        text = cell_text(value)
        try:
            return lookup[name_key(text)]
        except KeyError:
            raise BadValue(f"“{text}”不是允许的取值（{'/'.join(values)}）") from None

    return parse_enum


CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_SHAPE = re.compile(f"[{CREDIT_CODE_CHARS}]{{2}}[0-9]{{6}}[{CREDIT_CODE_CHARS}]{{10}}")


def credit_code_check_char(first17: str) -> str:
    """GB 32100-2015 check character of the first 17 characters of a credit code."""
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def clean_credit_code(value: Any) -> str | None:
    """A credit code as written, without spaces, upper case; None when blank."""
    if is_blank(value):
        return None
    return re.sub(SPACE, "", unicodedata.normalize("NFKC", cell_text(value))).upper()


def parse_credit_code(value: Any) -> str | None:
    """An 18-character 统一社会信用代码 whose check character is right."""
    code = clean_credit_code(value)
    if code is None:
        return None
    if len(code) != 18:
        raise BadValue(f"统一社会信用代码应为18位，实为{len(code)}位：{code}")
    if not _CREDIT_CODE_SHAPE.fullmatch(code):
        raise BadValue(f"统一社会信用代码含不允许的字符（不用 I、O、Z、S、V，第3–8位为行政区划码）：{code}")
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise BadValue(f"统一社会信用代码校验位错误（按 GB 32100-2015 应为 {expected}）：{code}")
    return code


# ---- whole columns ----------------------------------------------------------------------------
# A column is factorised once into codes and distinct cells; every step then works on the
# distinct cells (dates, enums and alliance names repeat a lot) and spreads the result back
# with one ``take``. Text is cleaned with pyarrow's vectorised string kernels, other kinds
# with the scalar parsers above; tests hold the two equal.

_BLANK_SET = pa.array(sorted(BLANKS))
_SAMPLE = 10_000


def mostly_distinct(array: pa.Array | pa.ChunkedArray) -> bool:
    """True when most cells of a sample differ from each other: codes would cost more than they save."""
    sample = array.slice(0, _SAMPLE)
    return len(sample) >= 1000 and pc.count_distinct(sample).as_py() > 0.5 * len(sample)


RawColumn: TypeAlias = "pa.Array | pa.ChunkedArray | list[Any] | Cells"  # cells as read, or already factorised


@dataclass
class Cells:
    """A column of raw cells as codes (-1 = missing) into its distinct cells."""

    codes: np.ndarray               # int32: a sheet has at most 1,048,576 rows, a CSV fewer than 2**31
    distinct: pa.Array | list        # a pyarrow string array for text columns, else Python values
    one_per_row: bool = False        # not factorised: ``distinct`` is the column itself (nulls included)
    missing: bool = True             # some cell is missing (code -1)

    @classmethod
    def of(cls, raw: RawColumn) -> Cells:
        """Cells as a reader gives them: an Arrow column (text, or typed from parquet) or a list of Python values."""
        if isinstance(raw, Cells):
            return raw
        if isinstance(raw, list):  # Python values (str, int, float, date, datetime): factorised as they are
            distinct: dict[Any, int] = {}
            codes = np.fromiter((-1 if v is None or v != v else distinct.setdefault(v, len(distinct))  # NaN: missing
                                 for v in raw), dtype=np.int32, count=len(raw))
            return cls(codes, list(distinct))
        if pa.types.is_dictionary(raw.type):  # a CSV's text: codes into each block's distinct cells, made one
            unified = (raw if isinstance(raw, pa.ChunkedArray) else pa.chunked_array([raw])).unify_dictionaries()
            codes = [c.indices.fill_null(-1).to_numpy(zero_copy_only=False) for c in unified.chunks]
            return cls(np.concatenate(codes).astype(np.int32, copy=False) if codes else np.zeros(0, np.int32),
                       unified.chunk(0).dictionary if codes else pa.array([], pa.string()))
        array = raw
        if isinstance(array, pa.ChunkedArray):  # one chunk (a slice of a sheet) is taken as is, not copied
            array = array.chunk(0) if array.num_chunks == 1 else array.combine_chunks()
        if not pa.types.is_string(array.type):  # a parquet file's numbers and dates: the parsers take Python values
            return cls.of(array.to_pylist())
        if mostly_distinct(array):  # unit names, credit codes: hashing them would find nothing to share
            codes = np.arange(len(array), dtype=np.int32)
            if array.null_count:
                codes[~np.asarray(array.is_valid())] = -1
            return cls(codes, array, one_per_row=True, missing=array.null_count > 0)
        encoded = pc.dictionary_encode(array)
        return cls(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32, copy=False),
                   encoded.dictionary)

    def spread(self, per_distinct: pa.Array) -> pa.Array:
        """Values computed per distinct cell, back in row order (null where the cell was missing).

        Text that repeats stays a dictionary (the codes into its distinct values): a 1.7M-row member list
        holds its unit types, roles and places in 21 MB instead of 84.
        """
        if self.one_per_row and not self.missing:
            return per_distinct
        if self.one_per_row or not pa.types.is_string(per_distinct.type):
            return per_distinct.take(pa.array(self.codes, mask=self.codes < 0))
        return dictionary(self.codes, per_distinct)

    def text(self) -> pa.Array:
        """The distinct cells as text (numbers and dates as Excel shows them)."""
        if isinstance(self.distinct, pa.Array):
            return self.distinct
        return pa.array([v if isinstance(v, str) else cell_text(v) for v in self.distinct], type=pa.string())

    def values(self) -> list:
        return self.distinct.to_pylist() if isinstance(self.distinct, pa.Array) else self.distinct

    def rows_where(self, distinct_mask: np.ndarray) -> np.ndarray:
        """Positions of rows whose distinct cell is flagged."""
        return np.flatnonzero((self.codes >= 0) & distinct_mask[np.maximum(self.codes, 0)])


def dictionary(codes: np.ndarray, values: pa.Array) -> pa.Array:
    """``values`` taken at ``codes`` as a dictionary array: null where the code is -1 or the value null."""
    valid = np.append(np.asarray(values.is_valid()), False)  # code -1 reads the appended False
    # The nulls are in the codes only: Arrow cannot combine dictionaries that hold a null (sheets of one table)
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32, copy=False), mask=~valid[codes]),
                                          values.fill_null(""))


@dataclass
class ParsedColumn:
    """A parsed column: typed values (null where blank or bad) and the bad cells' positions and reasons."""

    values: pa.Array
    bad: np.ndarray                  # positions of cells that could not be read
    reasons: list[str]               # one Chinese reason per bad position


def parse_column(raw: RawColumn, parser: Callable[[Any], Any], type: pa.DataType) -> ParsedColumn:
    """Apply a scalar parser to each distinct cell of a column."""
    cells = Cells.of(raw)
    return _parse_distinct(cells, parser, type, [None] * len(cells.values()), range(len(cells.values())))


def _parse_distinct(cells: Cells, parser: Callable[[Any], Any], type: pa.DataType, results: list[Any],
                    todo: Iterable[int]) -> ParsedColumn:
    """Run ``parser`` on the distinct cells ``todo`` (the others' ``results`` are already known)."""
    distinct = cells.values()
    reasons: dict[int, str] = {}
    for i in todo:
        try:
            results[i] = parser(distinct[i])
        except BadValue as e:
            results[i] = None
            reasons[i] = str(e)
    values = cells.spread(pa.array(results, type=type))
    if not reasons:
        return ParsedColumn(values, np.array([], dtype=np.int64), [])
    flagged = np.zeros(len(distinct), dtype=bool)
    flagged[list(reasons)] = True
    bad = cells.rows_where(flagged)
    return ParsedColumn(values, bad, [reasons[cells.codes[p]] for p in bad])


def date_column(raw: RawColumn, latest: dt.date) -> ParsedColumn:
    """``parse_date`` over a whole column: ISO dates in range, the commonest cells, converted by pyarrow.

    Only a cell that reads back as exactly the same ISO text is taken (pyarrow would read
    2019-02-30 as 2019-03-02); every other distinct cell goes to ``parse_date``.
    """
    cells = Cells.of(raw)

    def parser(value: Any) -> dt.date | None:
        return parse_date(value, latest)

    if not isinstance(cells.distinct, pa.Array):  # typed cells (parquet): the scalar parser
        return parse_column(cells, parser, pa.date32())
    text = pc.utf8_trim_whitespace(cells.distinct)
    days = pc.strptime(text, "%Y-%m-%d", "s", error_is_null=True)
    fast = pc.and_(pc.equal(pc.strftime(days, "%Y-%m-%d"), text),
                   pc.and_(pc.greater_equal(days.cast(pa.date32()), pa.scalar(EARLIEST_DATE, pa.date32())),
                           pc.less_equal(days.cast(pa.date32()), pa.scalar(latest, pa.date32()))))
    fast = np.asarray(pc.fill_null(fast, False), dtype=bool)
    results = pc.if_else(pa.array(fast), days.cast(pa.date32()), pa.scalar(None, pa.date32())).to_pylist()
    return _parse_distinct(cells, parser, pa.date32(), results, np.flatnonzero(~fast).tolist())


def _clean_text(text: pa.Array) -> pa.Array:
    """``parse_text`` on an array of strings: trim, collapse inner whitespace, blanks to null.

    Most cells hold no inner whitespace, so the collapsing regex runs only on those that do.
    """
    text = pc.utf8_trim_whitespace(text)
    spaced = pc.fill_null(pc.match_substring_regex(text, SPACE), False)
    if pc.any(spaced).as_py():
        collapsed = pc.utf8_trim_whitespace(pc.replace_substring_regex(text.filter(spaced), SPACE, " "))
        text = pc.replace_with_mask(text, spaced, collapsed)
    return pc.if_else(pc.is_in(text, value_set=_BLANK_SET), pa.scalar(None, pa.string()), text)


def text_column(raw: RawColumn) -> pa.Array:
    """``parse_text`` over a whole column."""
    cells = Cells.of(raw)
    return cells.spread(_clean_text(cells.text()))


def checked_text_column(raw: RawColumn) -> ParsedColumn:
    """``text_column`` with every cell holding a control character flagged as bad."""
    cells = Cells.of(raw)
    text = cells.text()
    values = cells.spread(_clean_text(text))
    flagged = np.asarray(pc.fill_null(pc.match_substring_regex(text, CONTROL), False), dtype=bool)
    bad = cells.rows_where(flagged) if flagged.any() else np.array([], dtype=np.int64)
    return ParsedColumn(values, bad, [CONTROL_REASON] * len(bad))


# A name made only of CJK ideographs (U+3400–U+4DBF, U+4E00–U+9FFF: no compatibility forms, no case) and
# ASCII other than spaces and capitals is its own key: NFKC, dropping spaces and lower-casing leave it as it is.
_OWN_KEY = r"^[\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}!-@\[-~]*$"


def name_key_column(names: pa.Array) -> pa.Array:
    """``name_key`` over a column of names already cleaned by ``text_column``.

    Cleaned text has single ASCII spaces only, so after NFKC a literal replace drops them;
    keys are computed once per distinct name (member lists repeat their alliance's name).
    """
    names = names.combine_chunks() if isinstance(names, pa.ChunkedArray) else names

    def key(text: pa.Array) -> pa.Array:
        # NFKC was two thirds of the time (0.45 s of 1.7M unit names): it runs only on the names it can change
        changed = np.asarray(pc.invert(pc.fill_null(pc.match_substring_regex(text, _OWN_KEY), True)), dtype=bool)
        if not changed.any():
            return text
        keys = pc.utf8_lower(pc.replace_substring(pc.utf8_normalize(text.filter(changed), "NFKC"), " ", ""))
        return pc.replace_with_mask(text, pa.array(changed), keys)

    if pa.types.is_dictionary(names.type):
        return pa.DictionaryArray.from_arrays(names.indices, key(names.dictionary))
    if mostly_distinct(names):
        return key(names)
    encoded = pc.dictionary_encode(names)
    return key(encoded.dictionary).take(encoded.indices)


def stored_key_column(names: pa.Array) -> pa.Array:
    """``name_key_column`` as the registry stores it: null where the key is the name itself.

    Most names are their own key; a 1.7M-row member list would otherwise hold every unit name twice
    (66 MB). Readers take ``coalesce(key, name)``.
    """
    keys = name_key_column(names)
    if pa.types.is_dictionary(keys.type):  # names that repeat: decided once per distinct name, codes kept
        names = names.combine_chunks() if isinstance(names, pa.ChunkedArray) else names
        return dictionary(keys.indices.fill_null(-1).to_numpy(zero_copy_only=False),
                          _differing(keys.dictionary, names.dictionary))
    return _differing(keys, names)


def _differing(keys: pa.Array, names: pa.Array) -> pa.Array:
    """``keys`` with null where a key equals its name; a take, which holds the others' text only (if_else
    would keep every key's text behind the nulls)."""
    own = np.asarray(pc.fill_null(pc.equal(keys, names), False), dtype=bool)
    return keys.take(pa.array(np.arange(len(keys), dtype=np.int32), mask=own))


def credit_code_column(raw: RawColumn) -> ParsedColumn:
    """``parse_credit_code`` over a whole column: the check character computed with numpy."""
    cells = Cells.of(raw)
    codes = pc.utf8_upper(pc.replace_substring(pc.utf8_normalize(_clean_text(cells.text()), "NFKC"), " ", ""))
    shaped = np.asarray(pc.fill_null(pc.match_substring_regex(codes, "^" + _CREDIT_CODE_SHAPE.pattern + "$"), False))
    ok = np.zeros(len(codes), dtype=bool)
    if shaped.any():
        lookup = np.zeros(128, dtype=np.int16)
        for i, c in enumerate(CREDIT_CODE_CHARS):
            lookup[ord(c)] = i
        good = codes.filter(pa.array(shaped))  # 18 ASCII characters each: its text buffer is the codes end to end
        offsets = np.frombuffer(good.buffers()[1], dtype=np.int32)[good.offset:good.offset + len(good) + 1]
        chars = np.frombuffer(good.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]].reshape(-1, 18)
        # Position by position: a 17-wide integer matrix product has no fast path (0.5 s and 240 MB at 1.7M codes)
        total = np.zeros(len(chars), dtype=np.int32)
        for position, weight in enumerate(CREDIT_CODE_WEIGHTS):
            total += lookup[chars[:, position]] * np.int16(weight)
        ok[np.flatnonzero(shaped)] = (31 - total % 31) % 31 == lookup[chars[:, 17]]
    wrong = np.asarray(codes.is_valid()) & ~ok
    bad = cells.rows_where(wrong)
    reasons = [_reason(parse_credit_code, codes[int(cells.codes[p])].as_py()) for p in bad]
    return ParsedColumn(cells.spread(pc.if_else(pa.array(ok), codes, pa.scalar(None, pa.string()))), bad, reasons)


def blank_mask(raw: RawColumn) -> np.ndarray:
    """True where a cell is blank (``is_blank``)."""
    cells = Cells.of(raw)
    if isinstance(cells.distinct, pa.Array):
        text = pc.utf8_trim_whitespace(cells.distinct)
        blank = pc.or_(pc.is_null(text), pc.is_in(text, value_set=_BLANK_SET)).to_numpy(zero_copy_only=False)
    else:
        blank = np.array([is_blank(v) for v in cells.distinct], dtype=bool)
    return np.append(blank, True)[np.where(cells.codes < 0, len(blank), cells.codes)]


def _reason(parser: Callable[[Any], Any], value: Any) -> str:
    try:
        parser(value)
    except BadValue as e:
        return str(e)
    return "无法识别"
