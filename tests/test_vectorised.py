"""Column parsers that run over Arrow give exactly what the scalar parsers give, cell by cell."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa

from loaders.normalise import BadValue, date_column, parse_date

LATEST = dt.date(2027, 11, 30)
DATES = ["2019-03-05", " 2019-03-05 ", "2019-02-30", "2019-2-28", "2019/3/5", "2019.03", "2019年3月5日", "20190305",
         "43529", "1999-12-31", "2000-01-01", "2027-11-30", "2027-12-01", "9999-12-31", "", "-", "无", None, "明天",
         "2019-03-05 00:00:00", "2019-03-05x", "２０１９-０３-０５", "2019-03-05"]


def scalar(value: object) -> tuple[object, str | None]:
    try:
        return parse_date(value, LATEST), None
    except BadValue as e:
        return None, str(e)


def test_date_column_equals_parse_date_cell_by_cell() -> None:
    raw = pa.array(DATES, pa.string())
    parsed = date_column(raw, LATEST)
    reasons = dict(zip(parsed.bad.tolist(), parsed.reasons))
    got = [(v, reasons.get(i)) for i, v in enumerate(parsed.values.to_pylist())]
    assert got == [scalar(v) for v in DATES]
    assert got[2][1] == "不存在的日期：2019-02-30"  # pyarrow alone would read it as 2019-03-02
    assert got[0] == (dt.date(2019, 3, 5), None) and got[11] == (LATEST, None)


def test_date_column_on_typed_cells() -> None:
    cells = [dt.date(2019, 3, 5), dt.datetime(2019, 3, 5, 13, 45), 43529.0, 2019.03, None, "2019-03-05", 1999.0]
    parsed = date_column(cells, LATEST)
    reasons = dict(zip(parsed.bad.tolist(), parsed.reasons))
    assert [(v, reasons.get(i)) for i, v in enumerate(parsed.values.to_pylist())] == [scalar(v) for v in cells]
