"""合规检查: the alliances in the registry checked against the profile's filing conditions (eligibility_check)."""
import streamlit as st

import ui
from figures.compliance import rules_in_words
from queries.vocabulary import UNFILLED

version = ui.require_registry()
scope = ui.sidebar(version)
fetch = ui.fetcher(version, scope)

st.title("合规检查")
with st.container(border=True):
    st.markdown(f"**按{scope.profile.name}核对的条件**（{scope.profile.title}）")
    for rule in rules_in_words(scope.profile):
        st.markdown(f"- {rule}")
    st.caption(f"按统计截止日 {scope.as_of.isoformat()} 在册联盟的现有成员核对：加入日期为空或不晚于该日、"
               "退出日期为空或晚于该日。", help=ui.analyst_note(["eligibility_check"]))

checked = fetch("eligibility_check")
if checked.empty:
    st.info("截至所选日期，当前筛选范围内没有在册联盟可核对。可调整左侧的统计截止日期或筛选条件；"
            "若尚未导入数据，请到“数据”页下载导入模板。")
    st.stop()

ok = checked["ok"].fillna(False).astype(bool)
cols = st.columns(3)
cols[0].metric("核对的在册联盟", f"{len(checked):,} 个")
cols[1].metric("符合全部条件", f"{int(ok.sum()):,} 个")
cols[2].metric("不符合至少一项", f"{int((~ok).sum()):,} 个", help="一个联盟可能有多项问题")

ui.chart_tabs({"按问题类型": "compliance_problems", "按成员数量": "compliance_member_sizes"}, fetch, scope,
              "compliance_charts")

st.subheader("逐个联盟")
problems = fetch("eligibility_problems")
types = problems["problem_type"].dropna().unique().tolist()   # in the query's order (a column op: 156k rows at 1.7M)
show_all = st.query_params.get("show") == "all"
choice = st.radio("显示", ["只看不符合的", "全部联盟"], index=1 if show_all else 0, horizontal=True, key="c_show")
if "c_problem" not in st.session_state:   # from the URL: a link, or a click on the chart (ui drops the key)
    # set as the widget's state, not as its default: a default would not reach a browser that drew the widget before
    st.session_state["c_problem"] = [t for t in st.query_params.get("problem", "").split(",") if t in types]
chosen = st.multiselect("问题类型", types, placeholder="全部问题类型", key="c_problem", select_all=False,
                        disabled=not types, help="选一项或几项：列出有其中任一问题的联盟")
# Kept in the URL, like the sidebar filters, so a link reopens the same list.
ui.set_url(show="all" if choice == "全部联盟" else None, problem=",".join(chosen))

shown = checked if choice == "全部联盟" else checked[~ok]
if chosen:
    ids = set(problems.loc[problems["problem_type"].isin(chosen), "alliance_id"])
    shown = shown[shown["alliance_id"].isin(ids)]
columns = ["alliance", "problems", "member_count", "core_member_count", "has_enterprise", "has_univ_or_institute"]
if scope.profile.members.lead_registered_locally:
    columns.append("lead_registered_locally")
if scope.profile.members.core_local_share_min:
    columns.append("local_core_share")
columns += ["ok", "alliance_id"]
if shown.empty and choice != "全部联盟" and not chosen:
    st.success("当前筛选范围内的在册联盟都符合全部条件。")
else:
    ui.show_table(shown, "eligibility_check", scope, f"{scope.profile.terms.conditions}核对结果", key="compliance_list",
                  columns=columns, folded=not chosen)   # a chosen problem (or a click on its bar) opens the list

quota = scope.profile.recommendation
if quota.max_per_recommender:
    # Zhejiang 四（七）: each city, department or association recommends 1–2 at most.
    st.subheader("推荐限额")
    rows = fetch("recommender_quota")
    recorded = rows[rows["recommender"] != UNFILLED]
    over = recorded[recorded["over_quota"].astype(bool)]
    unrecorded = int(rows.loc[rows["recommender"] == UNFILLED, "recommended"].sum())
    st.caption(f"{quota.clause}——按每个推荐单位每年最多 {quota.max_per_recommender} 个核对（查询 recommender_quota）。")
    if recorded.empty:
        st.info("登记库没有记录“推荐单位”，无法核对推荐限额。导入时在联盟名录中加上“推荐单位”一列即可。")
    elif over.empty:
        st.success(f"{recorded['recommender'].nunique()} 个推荐单位每年推荐的联盟都不超过 {quota.max_per_recommender} 个。")
    else:
        st.error(f"{over['recommender'].nunique()} 个推荐单位在 {len(over):,} 个年度超出限额，共多推荐 "
                 f"{int(over['excess'].sum()):,} 个：")
        ui.show_table(over, "recommender_quota", scope, "超出推荐限额的推荐单位", key="quota_over",
                      columns=["recommender", "year", "recommended", "quota", "excess", "alliances"])
    if unrecorded:
        st.caption(f"另有 {unrecorded} 个联盟未填推荐单位，未核对。")
