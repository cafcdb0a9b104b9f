"""产业集群覆盖: alliances, members and filings by cluster under a chosen taxonomy; gaps and 未归类 to fix."""
import dataclasses

import pandas as pd
import streamlit as st

import ui
from figures import tables
from figures.coverage import coverage_rows, entry_word, uncovered, with_taxonomy
from queries.policy import OVERRIDE_HEADER, UNCLASSIFIED, list_taxonomies, load_taxonomy

version = ui.require_registry()
scope = ui.sidebar(version)

st.title(f"{scope.profile.terms.cluster}覆盖")

# The taxonomy: the profile's own (every profile names one; there is no fallback) unless the URL (taxonomy=)
# names another of data/taxonomies/; the URL keeps only a deviation.
taxonomies = list_taxonomies()
own = scope.profile.taxonomy
wanted = st.query_params.get("taxonomy", own)
taxonomy_id = wanted if wanted in taxonomies else own
# The choice is a comparison, folded like the sidebar's filters (drawn only while open; the URL keeps it).
with st.expander("对照其他分类体系", expanded=taxonomy_id != own, key="coverage_taxonomy_box", on_change="rerun") as box:
    if box.open:
        taxonomy_id = st.selectbox("分类体系", taxonomies, index=taxonomies.index(taxonomy_id),
                                   format_func=lambda t: load_taxonomy(t).name,
                                   key=f"coverage_taxonomy_{scope.profile.id}", label_visibility="collapsed",
                                   help="默认为政策配置的分类体系；也可改用其他分类体系对照统计："
                                        + "、".join(load_taxonomy(t).name for t in taxonomies))
chosen = load_taxonomy(taxonomy_id)
if taxonomy_id == own:
    st.caption(f"分类依据：{chosen.basis}（来源：{chosen.source}）")
else:
    st.caption(f"对照统计：“{scope.profile.name}”政策配置的分类体系是“{load_taxonomy(own).name}”，"
               f"这里改按“{chosen.name}”（来源：{chosen.source}）统计。")
if scope.clusters and taxonomy_id != own:
    # The sidebar's cluster filter names entries of the profile's taxonomy, which this one does not have.
    st.info(f"左侧的“{scope.profile.terms.cluster}”筛选（{'、'.join(scope.clusters)}）属于政策配置的分类体系，"
            f"在“{chosen.name}”下不适用，本页按全部{chosen.noun}统计。")
    scope = dataclasses.replace(scope, clusters=())
scope = with_taxonomy(scope, taxonomy_id)
ui.set_url(taxonomy=scope.url_params().get("taxonomy"))   # the comparison, through the scope's codec
fetch = ui.fetcher(version, scope)
word = entry_word(scope)

assignments = fetch("cluster_assignments")
if assignments.empty:
    st.info("所选范围内的登记库中还没有联盟。可调整左侧的筛选条件；若尚未导入数据，请到“数据导入”页导入联盟名录。")
    st.stop()

rows = coverage_rows(fetch, scope)
entries = rows[rows["cluster"] != UNCLASSIFIED]
gaps = uncovered(rows)
unclassified_active = int(rows.loc[rows["cluster"] == UNCLASSIFIED, "alliances_active"].sum())
cols = st.columns(4)
cols[0].metric(word, f"{len(entries):,} 个")
cols[1].metric("已覆盖", f"{len(entries) - len(gaps):,} 个", help="至少有一个在册联盟（查询 coverage_by_cluster）")
cols[2].metric("空白", f"{len(gaps):,} 个")
cols[3].metric("未归类的在册联盟", f"{unclassified_active:,} 个", help="产业领域未匹配任何关键词或匹配不唯一，见页末")
if int(rows["alliances_active"].sum()) == 0:
    st.info("截至所选日期，所选范围内还没有在册联盟。可调整左侧的统计截止日期或筛选条件；"
            "若尚未导入数据，请到“数据导入”页导入名录。")
elif gaps:
    within = "所选范围内" if scope.regions or scope.levels or scope.clusters else ""
    st.warning(f"{within}尚无在册联盟的{word}（{len(gaps):,} 个）：{'、'.join(gaps)}。可作为下一年度组建联盟的重点。")
else:
    st.success(f"全部 {len(entries):,} 个{word}都已有在册联盟。")

ui.chart_tabs({"在册联盟数": "coverage_alliances", "成员单位构成": "coverage_members",
               f"历年{scope.profile.terms.act}": "coverage_heatmap"}, fetch, scope, "coverage_charts")
grouped = ["cluster_group"] if rows["cluster_group"].notna().any() else []
ui.show_table(rows, "coverage_by_cluster", scope, f"各{word}覆盖情况",
              columns=["cluster", *grouped, "alliances_active", "members", "enterprises", "universities", "institutes",
                       "covered"])

st.subheader("未归类的联盟")
unclassified = assignments[assignments["cluster"] == UNCLASSIFIED]
if unclassified.empty:
    st.success(f"所有联盟都已归入“{chosen.name}”中的{word}。")
else:
    st.caption(f"共 {len(unclassified):,} 个，其中在册 {int(unclassified['active'].sum()):,} 个（即上图的“未归类”）。"
               "系统按关键词把“产业领域”原文归入" + word + "，没有命中或同时命中两个时不作猜测，留在这里由人确认。")
    # An editor's worklist, below the charts: folded, so a page load does not draw a long table for it
    with st.expander(f"查看并归类（{len(unclassified):,} 个）", key="unclassified_box", on_change="rerun") as box:
        if box.open:
            ui.show_table(unclassified, "cluster_assignments", scope, "未归类的联盟", key="unclassified",
                          columns=["alliance", "raw_field", "reason", "active", "status"], folded=False)
            # Names are data: shown with st.code, never inside Markdown.
            st.markdown(f"**如何归类**：编辑人员在“设置”页的“联盟归类”中选择联盟和{word}即可（有记录、可撤销）；"
                        "也可在 `data/taxonomy_overrides.csv` 中为每个联盟加一行（联盟名称,分类体系,归入），例如：")
            st.code(f"{unclassified['alliance'].iloc[0]},{taxonomy_id},<{word}名称>", language=None)
            st.caption(f"“归入”可填：{'、'.join(entries['cluster'])}；确认不属于任何{word}的填“未归类”。"
                       "保存后刷新本页即生效。若只是关键词缺漏，也可在 `data/taxonomies/` 下的分类体系文件中补充关键词。")
            template = pd.DataFrame({"alliance": unclassified["alliance"], "taxonomy": taxonomy_id, "entry": ""})
            st.download_button("下载待填的归类表（CSV）",
                               lambda: tables.to_csv(template, dict(zip(("alliance", "taxonomy", "entry"), OVERRIDE_HEADER))),
                               f"taxonomy_overrides_{taxonomy_id}.csv", "text/csv", key="overrides_template",
                               help="已填好联盟名称和分类体系，只需填“归入”列，再把各行追加到 data/taxonomy_overrides.csv")
ui.show_table(assignments, "cluster_assignments", scope, "全部联盟的归类结果", key="assignments",
              columns=["alliance", "cluster", "raw_field", "reason", "active", "status"])
