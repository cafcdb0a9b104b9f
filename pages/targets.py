"""目标进度: filings against the policy profile's targets — band, count, projection, and what each year needs."""
import streamlit as st

import ui
from figures.targets import band, basis, target_name, target_sentence

version = ui.require_registry()
scope = ui.sidebar(version)
fetch = ui.fetcher(version, scope)

st.title("目标进度")
progress = fetch("target_progress").drop_duplicates("year")
outlook = fetch("target_outlook")
profile = scope.profile
act = profile.terms.act

if int(progress["filed"].fillna(0).sum()) == 0:
    goals = "；".join(target_name(row, act) for row in outlook.itertuples()) or "本政策配置没有设定数量目标"
    st.info(f"截至所选日期，所选范围内还没有{act}的联盟，无法计算目标进度（{goals}）。可调整左侧的统计截止日期或"
            "筛选条件；若尚未导入数据，请到“数据导入”页导入联盟名录。")
    st.stop()

if outlook.empty:
    more = f"；各{profile.terms.cluster}的覆盖情况见{profile.terms.cluster}覆盖页" if profile.taxonomy else ""
    st.info(f"“{profile.name}”政策配置（《{profile.title}》）未规定联盟数量目标（{profile.clauses.target}），"
            f"所以本页不画目标线{more}。如本地另有数量目标，编辑人员可在“设置”页的“目标”中添加（目标名称、目标年份、"
            f"下限、上限、起算年份），发布的 data/profiles/{profile.id}.toml 保持不变。下面仍列出历年{act}数。")
else:
    for row in outlook.itertuples():
        cols = st.columns(4)
        cols[0].metric(f"“{row.target_label}”目标", f"{band(int(row.target_low), int(row.target_high))} 个",
                       basis(int(row.count_from), int(row.target_year), act), delta_color="off", delta_arrow="off",
                       help=f"按{act}个数计，含之后撤销的（查询 target_outlook）")
        cols[1].metric("已完成", f"{int(row.achieved):,} 个",
                       f"完成下限的 {int(row.achieved) / int(row.target_low):.0%}" if row.target_low else None,
                       delta_color="off", delta_arrow="off")
        if row.period_over:
            cols[2].metric("结果", "已完成" if row.status == "已达标" else "未完成")
            diff = int(row.versus_low)
            cols[3].metric("与下限相比", f"{'超出' if diff >= 0 else '少'} {abs(diff)} 个")
        else:
            cols[2].metric("还差（至下限）", f"{int(row.gap):,} 个")
            span = (f"{int(row.from_year)}年" if int(row.years_left) == 1
                    else f"{int(row.from_year)}–{int(row.target_year)}年")
            cols[3].metric("每年需新增", f"{int(row.needed_per_year):,} 个", span, delta_color="off", delta_arrow="off",
                           help=f"达到上限每年需 {int(row.needed_per_year_high):,} 个。{int(row.from_year)}年起算"
                                f"（其中已计入 {int(row.counted_recently):,} 个），与近三年年均{act}数可直接比较")
        message = st.success if row.status == "已达标" else st.warning if row.status == "未达标" else st.info
        message(target_sentence(row, act))
    if scope.regions or scope.levels or scope.clusters:
        st.caption("已按左侧筛选条件统计：目标是全辖区口径、不按区域或集群分解，这里显示的是所选范围对目标的贡献。")

views = {} if outlook.empty else {"目标进度": "targets_progress"}
ui.chart_tabs({**views, f"历年{act}": "targets_filings"}, fetch, scope, "targets_charts",
              said=("targets_progress",))   # each target's sentence is above

if not outlook.empty:
    # Columns that only open targets have are left out while every target is over.
    shown = [c for c in ("target_label", "target_year", "target_low", "target_high", "count_from", "achieved", "status",
                         "versus_low", "from_year", "years_left", "needed_per_year", "pace", "projected_achieved")
             if outlook[c].notna().any()]
    ui.show_table(outlook, "target_outlook", scope, "目标完成情况", columns=shown)
ui.show_table(scope.in_years(progress[progress["filed"].notna()]), "target_progress", scope, f"历年{act}与在册",
              columns=["year", "filed", "revoked", "active_end_of_year", "cumulative_filed"])
