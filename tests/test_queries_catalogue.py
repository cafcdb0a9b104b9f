"""The query catalogue: every query file's header, its documented columns, the columns pages rely on.

Expected figures: worked out by hand from the story told beside tests/registries.py's rows, never by the SQL.
"""
from __future__ import annotations

import pytest

from queries import catalogue, runner
from queries.policy import load_profile
from queries.scope import Scope
from registries import AS_OF, REQUIRED_SAMPLES


# ----------------------------------------------------------------------------- documentation


def test_every_query_file_has_its_header():
    docs = catalogue.list_queries()
    assert {d.name for d in docs} == {p.stem for p in catalogue.QUERIES_DIR.glob("*.sql")}
    for doc in docs:
        assert doc.title and doc.what, doc.name
        assert doc.columns and doc.caveats, doc.name
        assert all(c.label and c.doc for c in doc.columns), doc.name
        # every $name the SQL binds is documented, and nothing else is
        assert sorted(p.name for p in doc.params) == sorted(doc.bound_names), doc.name
        for p in doc.user_params:
            # only the per-alliance queries' $alliance_id has no default (the page always gives one)
            assert p.default is not None or p.name in REQUIRED_SAMPLES, f"{doc.name}: ${p.name} needs a default"


@pytest.mark.parametrize("doc", catalogue.list_queries(), ids=lambda d: d.name)
def test_every_column_is_documented(con, doc):
    documented = [c.name for c in doc.columns]
    required = {p.name: REQUIRED_SAMPLES[p.name] for p in doc.user_params if p.default is None}
    variants = [{"group_by": g} for g in ("year", "kind", "cluster", "region")] if doc.name == "subsidy_totals" \
        else [required]
    seen: set[str] = set()
    for params in variants:
        columns, _ = runner.fetch(con, doc.name, Scope(load_profile("tianjin-2018"), AS_OF), **params)
        assert set(columns) <= set(documented), f"{doc.name}: undocumented {set(columns) - set(documented)}"
        seen |= set(columns)
        assert [c for c in documented if c in columns] == columns, f"{doc.name}: header order differs"
    assert seen == set(documented), f"{doc.name}: documented but never returned {set(documented) - seen}"


# The issue fixes these names and columns (in this order); more columns may follow them.
CONTRACT = {
    "overview_kpis": "active_alliances filed_this_year members subsidy_this_year_wan subsidy_total_wan "
                     "evaluations_overdue reports_missing",
    "coverage_by_cluster": "cluster alliances_active members enterprises universities institutes subsidy_wan covered",
    "target_progress": "year filed revoked active_end_of_year cumulative_filed target_low target_high gap",
    "subsidy_cap_check": "alliance kind year amount_wan cap_wan over_cap",
    "review_schedule": "alliance filed_date last_evaluation_date next_evaluation_due status last_report_year "
                       "report_missing agreement_expiry",
    "eligibility_check": "alliance member_count core_member_count has_enterprise has_univ_or_institute "
                         "lead_registered_locally local_core_share problems ok",
    "pipeline_funnel": "stage entered passed median_days_in_stage",
    "region_distribution": "region", "member_composition": "unit_type", "cross_region": "alliance",
    "work_priorities": "category item",
}


@pytest.mark.parametrize("name", CONTRACT)
def test_required_columns_lead_in_order(con, name):
    columns, _ = runner.fetch(con, name, Scope(load_profile("tianjin-2018"), AS_OF))
    assert columns[:len(CONTRACT[name].split())] == CONTRACT[name].split()


def test_subsidy_totals_columns_follow_the_grouping(con):
    for group_by in ("year", "kind", "cluster", "region"):
        columns, _ = runner.fetch(con, "subsidy_totals", Scope(load_profile("tianjin-2018"), AS_OF),
                                  group_by=group_by)
        assert columns == [group_by, "amount_wan", "count"]


def test_required_queries_exist():
    names = {d.name for d in catalogue.list_queries()}
    for doc in catalogue.list_queries():
        assert set(doc.requires) <= names, doc.name
    assert set(runner.OVERVIEW_SET) <= names
