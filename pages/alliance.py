"""联盟档案: find one alliance by name or id (kept in the URL as ?alliance=<id>) and see its whole record."""
import pandas as pd
import streamlit as st

import auth
import ui
from figures import tables
from figures.alliance import for_alliance
from queries import catalogue
from queries.vocabulary import DUE_SOON, ON_TIME, OVERDUE

CONTACT = ("contact_person", "contact_phone")
STATUS_COLORS = {OVERDUE: "red", DUE_SOON: "orange", ON_TIME: "green"}
FACTS = ("alliance_id", "lead_unit", "region", "raw_region", "field", "cluster", "cluster_reason", "level", "status",
         "founded_date", "agreement_date", "applied_date", "filed_date", "national_pilot_date", "revoked_date",
         "division", "recommender", "staff_count")


def shown(value: object) -> str:
    """A fact for display: dates as YYYY-MM-DD, blanks as —."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def facts_grid(detail: pd.Series, names: tuple[str, ...], labels: dict[str, str], per_row: int = 3) -> None:
    """Label / value pairs in a grid; values are escaped so names show exactly as registered."""
    for start in range(0, len(names), per_row):
        cols = st.columns(per_row)
        for col, name in zip(cols, names[start:start + per_row]):
            col.markdown(f"**{labels[name]}**  \n{ui.escape_markdown(shown(detail[name]))}")


version = ui.require_registry()
scope = ui.sidebar(version)
fetch = ui.fetcher(version, scope)

st.title("联盟档案")
directory = fetch("alliance_directory")
if directory.empty:
    st.info("当前筛选范围内没有联盟记录。可清除左侧的区域、级别或产业集群筛选；若尚未导入数据，请到“数据”页下载导入模板。")
    st.stop()

wanted = st.query_params.get("alliance", "")
if wanted and not (directory["alliance_id"] == wanted).any():
    st.warning(f"链接中的联盟编号「{ui.escape_markdown(wanted)}」在当前筛选范围内找不到：可能编号有误，"
               "或该联盟不在左侧所选的区域、级别、产业集群中。")
    wanted = ""

chosen, found = ui.pick_alliance(directory, "a", wanted=wanted)
ui.set_url(alliance=chosen or None)

if not chosen:
    st.caption("选择一个联盟查看档案；下表为符合查找条件的联盟。")
    ui.show_table(found, "alliance_directory", scope, "联盟名录", key="alliance_directory", search=False,
                  folded=False)
    st.stop()

one = for_alliance(fetch, chosen)
detail_rows = auth.hide_personal(one("alliance_detail"))  # 联系人、联系电话: editors only
if detail_rows.empty:  # removed by a new import since the directory was read
    st.warning(f"联盟编号「{ui.escape_markdown(chosen)}」已不在登记库中，请重新选择。")
    st.stop()
detail = detail_rows.iloc[0]
labels = catalogue.get_query("alliance_detail").labels
name = str(detail["alliance"])
stem = tables.file_stem(name)

st.header(ui.escape_markdown(name), anchor=False)
state = "在册" if bool(detail["in_registry"]) else "不在册"
st.caption(f"{ui.escape_markdown(shown(detail['status']))} · 截至 {scope.as_of.isoformat()} {state} · "
           f"联盟编号 {ui.escape_markdown(chosen)}")

review = scope.profile.review
cols = st.columns([0.7, 1.1, 1.2, 1.0])  # widths follow the values: a date is the longest
def count(value) -> int:
    """A count that may be NULL (an alliance with no member or subsidy rows): none is 0."""
    return int(value) if pd.notna(value) else 0


cols[0].metric("成员单位", f"{count(detail['member_count'])} 家",
               help=f"统计截止日的现有成员，其中核心成员 {count(detail['core_member_count'])} 家")
cols[1].metric("累计补贴", ui.wan(detail["subsidy_total_wan"] if pd.notna(detail["subsidy_total_wan"]) else 0),
               help=f"{count(detail['subsidy_count'])} 笔，不含已收回")
if pd.notna(detail["next_evaluation_due"]):
    status = detail["evaluation_status"]
    days = int(detail["days_to_due"])
    note = f"{status}：已逾期 {-days} 天" if status == OVERDUE else f"{status}：还有 {days} 天"
    cols[2].metric(f"下次{scope.profile.terms.review}", shown(detail["next_evaluation_due"]), note, delta_arrow="off",
                   delta_color=STATUS_COLORS.get(status, "gray"))
else:
    noun = scope.profile.terms.review
    cols[2].metric(f"下次{noun}", "—" if review.cycle_years else "未规定",
                   help=f"不在册的联盟不排{noun}" if review.cycle_years else scope.profile.clauses.cycle)
last_report = detail["last_report_year"]
missing = pd.notna(detail["report_missing"]) and bool(detail["report_missing"])
cols[3].metric("最近年度报告", f"{int(last_report)} 年度" if pd.notna(last_report) else "—",
               f"{int(detail['report_year'])}年度未交" if missing else None, delta_color="red", delta_arrow="off")
if review.agreement_term_years:
    expiry = detail["agreement_expiry"]
    line = f"协议到期日：{shown(expiry)}（协议签署日期 + {review.agreement_term_years} 年）"
    if pd.notna(expiry) and expiry <= pd.Timestamp(scope.as_of):
        st.warning(line + "，已到期，须重新签署。")
    else:
        st.caption(line)

st.subheader("基本信息")
facts_grid(detail, FACTS, labels)
contact = tuple(c for c in CONTACT if c in detail.index)
if contact:
    facts_grid(detail, contact, labels)
else:
    st.caption("联系人、联系电话为个人信息，仅编辑可见。")

st.subheader("成员单位")
ui.show_chart("alliance_members", one, scope)
ui.show_table(one("alliance_member_list"), "alliance_member_list", scope, f"{stem}_成员单位", key="alliance_members")

st.subheader("评审记录")
ui.show_chart("alliance_timeline", one, scope)
ui.show_table(one("alliance_events"), "alliance_events", scope, f"{stem}_评审记录", key="alliance_events",
              columns=["event_date", "event_type", "result", "score", "note"])

st.subheader("资金补贴")
ui.show_chart("alliance_subsidies", one, scope)
ui.show_table(one("alliance_subsidies"), "alliance_subsidies", scope, f"{stem}_补贴明细", key="alliance_subsidies")

st.subheader("年度报告")
ui.show_chart("alliance_report_outputs", one, scope)
ui.show_table(one("alliance_reports"), "alliance_reports", scope, f"{stem}_年度报告", key="alliance_reports")
