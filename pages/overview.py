"""总览: where the programme stands — headline figures with change on last year, target, coverage, what needs attention."""
import pandas as pd
import streamlit as st

import ui
from figures.targets import band, headline_target, target_name, target_result, target_sentence
from queries import vocabulary
from queries.scope import year_before

version = ui.require_registry()
scope = ui.sidebar(version)
fetch = ui.fetcher(version, scope)

st.title("总览")
kpis = fetch("overview_kpis")
k = kpis.iloc[0]
if int(k.active_alliances) == 0:
    st.info("截至所选日期，登记库中还没有在册联盟。可调整左侧的统计截止日期或筛选条件；若尚未导入数据，请到“数据”页下载导入模板。")
    st.stop()
prev = fetch("overview_kpis", as_of=year_before(scope.as_of)).iloc[0]


def delta(now, before, unit: str = "个") -> str | None:
    """Change on last year; None when there is none (no arrow for +0)."""
    change = float(now) - float(before)
    if not change:
        return None
    return f"{change:+,.0f} {unit}（较上年同期）" if unit != "万元" else f"{change:+,.2f} 万元（较上年同期）"


profile = scope.profile
terms, clauses, review = profile.terms, profile.clauses, profile.review
cols = st.columns(4)
cols[0].metric("在册联盟", f"{int(k.active_alliances):,} 个", delta(k.active_alliances, prev.active_alliances),
               help=f"{terms.act}日期不晚于统计日，且未在统计日或之前撤销、解散（查询 overview_kpis）")
cols[1].metric(f"{scope.as_of.year}年新{terms.act}", f"{int(k.filed_this_year):,} 个",
               delta(k.filed_this_year, prev.filed_this_year))
cols[2].metric("成员单位", f"{int(k.members):,} 家次", delta(k.members, prev.members, "家次"),
               help="在册联盟的现有成员；同一单位加入两个联盟计两次")
cols[3].metric(f"{scope.as_of.year}年补贴", ui.wan(k.subsidy_this_year_wan),
               delta(k.subsidy_this_year_wan, prev.subsidy_this_year_wan, "万元"),
               help=f"按补贴所属年度统计，不含已收回；累计 {ui.wan(k.subsidy_total_wan)}")

# The profile's rules: a figure where the text sets the rule, 未规定 (with the silent clause) where it does not.
silent = []
cols = st.columns(4)
if review.cycle_years:
    cols[0].metric(f"{terms.review}逾期", f"{int(k.evaluations_overdue):,} 个",
                   delta(k.evaluations_overdue, prev.evaluations_overdue), delta_color="inverse", help=clauses.cycle)
else:
    cols[0].metric(f"{terms.review}逾期", "未规定", help=clauses.cycle)
    silent.append(f"{terms.review}周期（{clauses.cycle}）")
if review.report_due:
    report = f"{int(k.report_year)}年度报告未交" if pd.notna(k.report_year) else "年度报告未交"
    cols[1].metric(report, f"{int(k.reports_missing):,} 个", help=clauses.report)
else:
    cols[1].metric("年度报告", "未规定", help=clauses.report)
    silent.append(f"年度报告（{clauses.report}）")
if review.agreement_term_years:
    cols[2].metric("协议已到期", f"{int(k.agreements_expired):,} 个", delta(k.agreements_expired, prev.agreements_expired),
                   delta_color="inverse", help=f"协议签署日期 + {review.agreement_term_years} 年 ≤ 统计截止日，须重新签署。"
                                               f"{clauses.agreement}")
else:
    cols[2].metric("协议到期", "未规定", help=clauses.agreement)
    silent.append(f"协议期限（{clauses.agreement}）")
outlook = fetch("target_outlook")
headline = headline_target(outlook)
if headline is None:
    cols[3].metric("数量目标", "未规定", help=clauses.target)
    silent.append(f"数量目标（{clauses.target}）")
else:
    cols[3].metric(f"“{headline.target_label}”目标 {band(int(headline.target_low), int(headline.target_high))} 个",
                   f"已完成 {int(headline.achieved):,} 个",
                   target_result(headline),
                   delta_color="inverse" if headline.period_over and headline.achieved < headline.target_low else "off",
                   delta_arrow="off", help=f"{target_name(headline, terms.act)}。{clauses.target}")
    others = [target_sentence(row, terms.act) for row in outlook.itertuples()
              if row.target_label != headline.target_label]
    if others:
        st.caption("".join(others))
if review.overdue_action and int(k.evaluations_overdue):
    # Weinan 15: 对未复审的联盟将撤销其资质
    st.warning(f"{int(k.evaluations_overdue):,} 个联盟逾期未{terms.review}，{review.overdue_action}——{clauses.cycle}。")
if silent:
    st.caption(f"{profile.name}未规定：" + "；".join(silent) + "。")

ui.chart_tabs({f"按{terms.cluster}": "overview_coverage", "成员构成": "overview_composition"}, fetch, scope,
              "overview_charts")

st.subheader("需关注")
reviews = fetch("review_schedule")
failing = fetch("eligibility_check")
failing = failing[~failing["ok"].fillna(False).astype(bool)]
# One tab per rule the profile has: (tab label, rows, query, table title, key, columns)
attention = []
if review.cycle_years:
    overdue = reviews[reviews["status"] == vocabulary.OVERDUE]
    attention.append((f"{terms.review}逾期{'·' + review.overdue_action if review.overdue_action else ''}（{len(overdue):,}）",
                      overdue, "review_schedule", f"{terms.review}逾期的联盟", "overdue",
                      ["alliance", "filed_date", "last_evaluation_date", "next_evaluation_due", "days_to_due"]
                      + (["action"] if review.overdue_action else [])))
if review.report_due:
    missing = reviews[reviews["report_missing"].fillna(False).astype(bool)]
    attention.append((f"年度报告未交（{len(missing):,}）", missing, "review_schedule", "年度报告未交的联盟", "missing",
                      ["alliance", "filed_date", "report_year", "last_report_year"]))
if review.agreement_term_years:
    expired = reviews[reviews["agreement_expiry"] <= pd.Timestamp(scope.as_of)].sort_values("agreement_expiry")
    attention.append((f"协议已到期（{len(expired):,}）", expired, "review_schedule", "协议已到期的联盟", "expired",
                      ["alliance", "agreement_expiry", "filed_date"]))
attention.append((f"不符合{terms.conditions}（{len(failing):,}）", failing, "eligibility_check", f"不符合{terms.conditions}的联盟",
                  "failing",
                  ["alliance", "member_count", "core_member_count", "problems"]))
ATTENTION_PAGES = {"review_schedule": ("pages/reviews.py", "评估与报告"),
                   "eligibility_check": ("pages/compliance.py", "合规检查")}
for tab, (_, rows, query, title, key, columns) in zip(ui.tabs([a[0] for a in attention], "attention"), attention):
    with tab:
        if not tab.open:
            continue
        page, page_title = ATTENTION_PAGES[query]
        st.page_link(page, label=f"到“{page_title}”页查看", icon=":material/arrow_forward:",
                     query_params=ui.page_links_keep_filters())
        ui.show_table(rows, query, scope, title, key=key, columns=columns)
