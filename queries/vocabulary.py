"""The status words the figures show, defined once for the SQL and the pages.

The SQL reads them through the context (``status_word('overdue')``, from the ``status_words``
table queries.context builds out of ``WORDS``); pages and figures compare with the constants
here. Changing a word here changes it everywhere.
"""
from __future__ import annotations

UNCLASSIFIED = "未归类"      # an alliance no taxonomy entry claims (and the taxonomy-less profile's only entry)
UNFILLED = "未填"            # a blank 所属区域 or 推荐单位
OVERDUE = "逾期"             # review_schedule.status: the next evaluation is before as_of
DUE_SOON = "即将到期"        # … within 180 days of as_of
ON_TIME = "正常"             # … later, or the profile sets no cycle
OVERDUE_ITEM = "已逾期"      # work_priorities: the item listing evaluations already overdue

EVALUATION_STATUSES = (OVERDUE, DUE_SOON, ON_TIME)   # in the order tables and charts list them

# key (as the SQL names it) -> word
WORDS: dict[str, str] = {
    "unclassified": UNCLASSIFIED,
    "unfilled": UNFILLED,
    "overdue": OVERDUE,
    "due_soon": DUE_SOON,
    "on_time": ON_TIME,
    "overdue_item": OVERDUE_ITEM,
}
