"""设置: the bureau's own settings — policy values, targets, subsidy caps, alliance classification.

Everyone sees the settings in force and how they differ from the shipped profile; editors
change them here. Every change goes through ``queries.bureau`` (validated, written beside the
registry, recorded in 操作记录 with who and when, undoable), and shows on every page at once
because the dashboard's caches are keyed on the settings' contents (``bureau.stamp``).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

import auth
import ui
from figures.coverage import taxonomy_word
from loaders import default_db
from queries import bureau
from queries.policy import (MANUAL_REASON, SUBSIDY_KINDS, UNCLASSIFIED, Profile, list_taxonomies, load_profile,
                             load_taxonomy)

NEW_TARGET = "（新增目标）"


def apply(change: Callable[[], dict], forget: tuple[str, ...] = ()) -> None:
    """Run a change; on success say what changed (after a rerun, so every figure reads it), else why not.

    ``forget``: widget keys to empty after a success (e.g. alliances that have just been classified).
    """
    try:
        record = change()
    except bureau.SettingsError as e:
        st.error(f"未保存：{e}")
        return
    for key in forget:
        st.session_state.pop(key, None)
    st.session_state["settings_done"] = f"已保存（第 {record['import_id']} 号修改）：{record['summary']}"
    st.rerun()


def values_table(current: Profile, shipped: Profile) -> pd.DataFrame:
    """The editable values: in force here and as shipped."""
    def shown(p: Profile) -> list[str]:
        return [f"{p.members.minimum} 家" if p.members.minimum else "未规定",
                f"每 {p.review.cycle_years} 年" if p.review.cycle_years else "未规定",
                f"每年 {p.review.report_due}" if p.review.report_due else "不要求",
                f"{p.review.agreement_term_years} 年" if p.review.agreement_term_years else "未规定"]
    return pd.DataFrame({"项目": ["成员单位最低数量", f"{current.terms.review}周期", "年度报告截止日", "联盟协议期限"],
                         "本局现行": shown(current), "发布版": shown(shipped)})


def targets_table(targets: tuple) -> pd.DataFrame:
    return pd.DataFrame([{"目标": t.label, "目标年份": t.year, "下限（个）": t.low, "上限（个）": t.high,
                          "起算年份": t.count_from or "累计"} for t in targets],
                        columns=["目标", "目标年份", "下限（个）", "上限（个）", "起算年份"])


def caps_table(current: Profile, shipped: Profile) -> pd.DataFrame:
    def cap(p: Profile, kind: str) -> str:
        value = p.subsidy_caps.get(kind)
        return "不设上限" if value is None else f"{value:g} 万元"
    return pd.DataFrame([(k, cap(current, k), cap(shipped, k)) for k in SUBSIDY_KINDS], columns=["补贴类型", "本局现行", "发布版"])


def count_input(col, name: str, label: str, current: int, key: str) -> int:
    """A whole-number box within the bounds bureau checks (a hand-edited value outside them starts at the bound)."""
    low, high = bureau.COUNTS[name][3:5]
    return col.number_input(label, low, high, min(max(current, low), high), step=1, key=key)


def show_values(profile: Profile, shipped: Profile, editor: bool) -> None:
    table = values_table(profile, shipped)
    for col, (_, row) in zip(st.columns(len(table)), table.iterrows()):
        col.metric(row["项目"], row["本局现行"])
    differ = table[table["本局现行"] != table["发布版"]]
    st.caption("与发布版不同：" + "；".join(f"{r['项目']}（发布版 {r['发布版']}）" for _, r in differ.iterrows())
               if not differ.empty else "均与发布版相同。")
    if not editor:
        return
    with st.form("settings_values"):
        st.markdown("**修改**（0 表示政策未规定该项）")
        left, right = st.columns(2)
        minimum = count_input(left, "member_minimum", "成员单位最低数量（家）", profile.members.minimum, "sv_minimum")
        cycle = count_input(right, "cycle_years", f"{profile.terms.review}周期（年）", profile.review.cycle_years,
                            "sv_cycle")
        due = left.text_input("年度报告截止日（月-日，如 11-30；留空表示不要求年度报告）", profile.review.report_due,
                              key="sv_due")
        term = count_input(right, "agreement_term_years", "联盟协议期限（年）", profile.review.agreement_term_years, "sv_term")
        if st.form_submit_button("保存政策参数", type="primary"):
            apply(lambda: bureau.change_values(profile.id, {"member_minimum": minimum, "cycle_years": cycle,
                                                            "report_due": due, "agreement_term_years": term},
                                               auth.user_name()))


def show_targets(profile: Profile, shipped: Profile, editor: bool) -> None:
    if profile.targets:
        st.dataframe(targets_table(profile.targets), hide_index=True, width="stretch")
    else:
        st.info("目前没有设定目标。")
    if profile.targets != shipped.targets:
        st.caption("发布版的目标：" + ("、".join(f"{t.label}（{t.year} 年 {t.low}–{t.high} 个）" for t in shipped.targets)
                                   or "无"))
    if not editor:
        return
    labels = [t.label for t in profile.targets]
    chosen = st.selectbox("新增或修改哪个目标", [NEW_TARGET, *labels], key="st_chosen")
    old = next((t for t in profile.targets if t.label == chosen), None)
    with st.form(f"settings_target_{chosen}"):
        label = st.text_input("目标名称（如“十四五”）", old.label if old else "", key=f"st_label_{chosen}")
        cols = st.columns(4)
        year = cols[0].number_input("目标年份", 2000, 2100, old.year if old else dt.date.today().year, step=1,
                                    key=f"st_year_{chosen}")
        low = cols[1].number_input("下限（个）", 0, bureau.MAX_TARGET, old.low if old else 0, step=1, key=f"st_low_{chosen}")
        high = cols[2].number_input("上限（个）", 0, bureau.MAX_TARGET, old.high if old else 0, step=1,
                                    key=f"st_high_{chosen}")
        since = cols[3].number_input("起算年份（0 = 累计）", 0, 2100, old.count_from if old else 0, step=1,
                                     key=f"st_from_{chosen}")
        left, right, _ = st.columns([1, 1, 4])
        save = left.form_submit_button("保存目标", type="primary")
        drop = right.form_submit_button("删除这个目标", disabled=old is None)
    others = [dataclasses.asdict(t) for t in profile.targets if t.label != chosen]
    if save:
        row = {"label": label, "year": year, "low": low, "high": high, "count_from": since}
        rows = [row if t["label"] == chosen else t for t in map(dataclasses.asdict, profile.targets)]
        apply(lambda: bureau.change_targets(profile.id, rows if old else [*others, row], auth.user_name()))
    if drop:
        apply(lambda: bureau.change_targets(profile.id, others, auth.user_name()))


def show_caps(profile: Profile, shipped: Profile, editor: bool) -> None:
    st.dataframe(caps_table(profile, shipped), hide_index=True, width="stretch")
    if not editor:
        return
    with st.form("settings_caps"):
        st.markdown("**修改**（万元；留空表示不设上限）")
        cols = st.columns(len(SUBSIDY_KINDS))
        given = {kind: col.text_input(kind, "" if profile.subsidy_caps.get(kind) is None
                                      else f"{profile.subsidy_caps[kind]:g}", key=f"sc_{kind}")
                 for kind, col in zip(SUBSIDY_KINDS, cols)}
        if st.form_submit_button("保存补贴上限", type="primary"):
            apply(lambda: bureau.change_caps(profile.id, given, auth.user_name()))


def show_classification(profile: Profile, fetch_for, editor: bool) -> None:
    """The classification tab; ``fetch_for(taxonomy_id)`` is the fetch under that taxonomy."""
    taxonomies = list_taxonomies()
    default = profile.taxonomy if profile.taxonomy in taxonomies else taxonomies[0]
    taxonomy_id = st.selectbox("分类体系", taxonomies, index=taxonomies.index(default), key="sk_taxonomy",
                               format_func=lambda t: load_taxonomy(t).name)
    taxonomy, word = load_taxonomy(taxonomy_id), taxonomy_word(taxonomy_id)
    rows = fetch_for(taxonomy_id)("cluster_assignments")
    open_rows = rows[rows["cluster"] == UNCLASSIFIED]
    manual = rows[rows["reason"] == MANUAL_REASON]
    st.caption(f"{len(open_rows):,} 个联盟未归类，{len(manual):,} 个已人工归类（共 {len(rows):,} 个）。"
               "人工归类优先于按产业领域关键词的自动归类。")
    shown = {"alliance": "联盟名称", "raw_field": "产业领域（原文）", "reason": "未归类原因", "status": "状态"}
    if not open_rows.empty:
        st.dataframe(open_rows[list(shown)].rename(columns=shown), hide_index=True, width="stretch")
    if not manual.empty:
        with st.expander(f"已人工归类的联盟（{len(manual):,}）", key=f"manual_box_{taxonomy_id}", on_change="rerun") as box:
            if box.open:
                st.dataframe(manual[["alliance", "cluster", "raw_field"]].rename(
                    columns={"alliance": "联盟名称", "cluster": f"归入的{word}", "raw_field": "产业领域（原文）"}),
                    hide_index=True, width="stretch")
    if not editor:
        return
    choices = [*taxonomy.entry_names, UNCLASSIFIED]
    with st.form(f"settings_classify_{taxonomy_id}"):
        names = st.multiselect("选择联盟（可多选）", open_rows["alliance"].tolist(), key=f"sk_names_{taxonomy_id}",
                               placeholder="选择未归类的联盟")
        entry = st.selectbox(f"归入{word}", choices, key=f"sk_entry_{taxonomy_id}",
                             help=f"选“{UNCLASSIFIED}”表示确认它不属于任何{word}")
        if st.form_submit_button("保存归类", type="primary"):
            apply(lambda: bureau.classify(taxonomy_id, {n: entry for n in names}, auth.user_name()),
                  forget=(f"sk_names_{taxonomy_id}",))
    if not manual.empty:
        with st.form(f"settings_unclassify_{taxonomy_id}"):
            undo = st.multiselect("取消人工归类（恢复按关键词自动归类）", manual["alliance"].tolist(),
                                  key=f"sk_undo_{taxonomy_id}", placeholder="选择已人工归类的联盟")
            if st.form_submit_button("取消所选联盟的人工归类"):
                apply(lambda: bureau.classify(taxonomy_id, {n: "" for n in undo}, auth.user_name()),
                      forget=(f"sk_undo_{taxonomy_id}",))


def show_history(editor: bool) -> None:
    records = list(reversed(bureau.changes()))
    if not records:
        st.info("还没有修改过设置。")
        return
    st.dataframe(pd.DataFrame([{"编号": r["import_id"], "时间": str(r["at"])[:19].replace("T", " "), "操作人": r["user"],
                                "设置": bureau.file_title(r["file"]), "内容": r["summary"]} for r in records]),
                 hide_index=True, width="stretch")
    by_id = {r["import_id"]: r for r in records}
    chosen = st.selectbox("查看或撤销哪一次修改", list(by_id), key="sh_chosen",
                          format_func=lambda i: f"第 {i} 号：{by_id[i]['summary'][:60]}")
    record = by_id[chosen]
    st.code(bureau.file_diff(record) or "（这次修改的存档文件已不在）", language="diff")
    if not editor:
        st.caption("撤销和恢复需要编辑权限。")
        return
    cols = st.columns(3)
    if cols[0].button("撤销这次修改", key="sh_undo", help="只能撤销同一设置最近的一次修改"):
        apply(lambda: bureau.undo(chosen, auth.user_name()))
    if cols[1].button("恢复为这次修改之前的版本", key="sh_before"):
        apply(lambda: bureau.restore(chosen, auth.user_name(), before=True))
    if cols[2].button("恢复为这次修改之后的版本", key="sh_after"):
        apply(lambda: bureau.restore(chosen, auth.user_name()))


# ---- the page ------------------------------------------------------------------------------------

version = ui.require_registry()
scope = ui.sidebar(version)
profile = scope.profile
shipped = load_profile(profile.id)
editor = auth.is_editor()

st.title("设置")
where = bureau.folder(default_db())
st.caption(f"“{profile.name}”在本局使用的设置。修改保存在登记库旁的 `{where.name}/` 文件夹，发布的政策配置 "
           f"`data/profiles/{profile.id}.toml` 保持不变；每次修改都记录在“操作记录”页（谁、何时、改了什么），可以撤销。"
           "保存后所有页面立即按新设置计算。")
if not editor:
    config = auth.load_config()
    st.info("只读：你可以查看现行设置；修改需要编辑权限，" + ("请在左侧边栏登录。" if config.enabled else auth.HOW_TO_ENABLE))
if done := st.session_state.pop("settings_done", None):
    st.success(done)

# Only the open tab runs; it stays open after a save's rerun.
values, targets, caps, classes, history = ui.tabs(["政策参数", "目标", "补贴上限", "联盟归类", "修改记录"], "settings_tab")
with values:
    if values.open:
        show_values(profile, shipped, editor)
with targets:
    if targets.open:
        show_targets(profile, shipped, editor)
with caps:
    if caps.open:
        show_caps(profile, shipped, editor)
with classes:
    if classes.open:
        show_classification(profile, lambda taxonomy_id: ui.fetcher(version, dataclasses.replace(
                                scope, regions=(), levels=(), clusters=(), taxonomy=taxonomy_id)),
                            editor)
with history:
    if history.open:
        show_history(editor)
