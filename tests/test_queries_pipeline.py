"""pipeline_funnel: the stages from application to filing.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.
"""
from __future__ import annotations

from registries import table


# ----------------------------------------------------------------------------- pipeline_funnel


def test_pipeline_funnel(con):
    # 2024 applications: A6 (申请 03-01 → 形式 03-20 → 技术 04-10 不通过), A7 (01-10 → 02-01 → 03-01 → 04-01 →
    # 公示 05-01; 备案 07-01 is after AS_OF), A4 (applied_date 01-05 → 专家评审 05-10 → 备案 06-30).
    got = table(con, "pipeline_funnel", "stage entered passed median_days_in_stage")
    assert got == [
        ("申请", 3, 3, 22.0),        # 19 (A6), 22 (A7), 126 (A4 to 05-10)
        ("形式审查", 3, 3, 25.0),    # 21 (A6), 29 (A7; 2024 is a leap year)
        ("技术审查", 3, 2, 31.0),    # A6 failed; 31 (A7)
        ("专家评审", 2, 2, 40.5),    # 30 (A7), 51 (A4)
        ("公示", 2, 1, None),        # A7 not filed by AS_OF
        ("备案", 1, 1, None),
    ]


def test_pipeline_funnel_other_year_is_empty(con):
    got = table(con, "pipeline_funnel", "stage entered passed median_days_in_stage", year=2019)
    assert got == [(s, 0, 0, None) for s in ("申请", "形式审查", "技术审查", "专家评审", "公示", "备案")]
