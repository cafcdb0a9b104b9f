-- target_outlook：目标完成情况
--
-- What:
--   One row per target of the profile, in year order: what has been achieved by $as_of,
--   whether the target year is over, whether the target was met and by how much, and — while
--   it is open — how many filings a year it still needs (from the start of the first
--   incomplete year to the end of the target year), against the recent pace.
--
-- Requires: target_progress, target_trajectory
--
-- Parameters:
--   $as_of             date       统计截止日期
--
-- Columns:
--   target_label          目标            政策配置中目标的名称
--   target_year           目标年份        目标须在该年末达到
--   target_low            目标下限        目标数量下限
--   target_high           目标上限        目标数量上限
--   count_from            起算年份        目标计数的起算年；0 = 从头累计
--   achieved              已完成          按目标口径计的备案数（起算年至目标年末，且 ≤ as_of；撤销的也计入）
--   gap                   差距            max(目标下限 − 已完成, 0)
--   versus_low            与下限之差      已完成 − 目标下限：正数为超出下限，负数为不足
--   versus_high           与上限之差      已完成 − 目标上限：正数为超出上限
--   status                状态            已达标（已完成 ≥ 下限）/ 未达标（目标年已过完仍不足下限）/ 进行中
--   period_over           目标期已结束    目标年 12 月 31 日 ≤ as_of
--   from_year             测算起始年      目标期未结束时：第一个未过完的年份（as_of 所在年，12-31 则为次年）；
--                                         起算年份更晚时为起算年份
--   years_left            剩余年数        目标期未结束时：测算起始年至目标年的年数（含两端）
--   counted_recently      起始年已计入    目标期未结束时：测算起始年以来（至 as_of）已计入目标的备案数
--   needed_per_year       每年需新增      目标期未结束时：⌈(下限 − 测算起始年之前的已完成) ÷ 剩余年数⌉；已达到下限为 0
--   needed_per_year_high  达上限每年需新增  同上，按目标上限；已达到上限为 0
--   pace                  近三年年均备案  最近 3 个完整年度的年均备案数（目标期未结束时）
--   projected_achieved    预测完成        目标年末的预测完成数（target_progress）
--   on_track              预计达标        预测完成 ≥ 目标下限
--
-- Caveats:
--   - needed_per_year is the pace counterpart of target_progress's projection: both run from
--     the end of the last complete year, so the as_of year counts as a whole year and the
--     filings made in it so far (counted_recently) count toward it. on_track ⇔ pace ≥ the
--     needed rate before rounding up.
--   - A target whose counting starts later (起算年份 after the first incomplete year) is
--     measured from its 起算年份: years_left counts only the years that count toward it.
--   - Rounded up: 每年需新增 is a whole number of alliances that reaches the lower bound.
--   - Filters count the scope's filings against the whole, programme-wide target.

with

pace as (
    select coalesce(min(p.year) filter (where p.pace is not null) - 1, year($as_of)) as last_complete
    from target_progress as p
),

targets as (
    select
        p.target_label,
        p.year as target_year,
        p.target_low,
        p.target_high,
        p.target_count_from as count_from,
        p.achieved,
        p.gap,
        p.pace,
        p.projected_achieved,
        p.on_track,
        c.last_complete,
        p.year <= c.last_complete as period_over,
        -- where the count goes on from: the last complete year, or the year before counting starts
        greatest(c.last_complete, p.target_count_from - 1) as anchor,
        -- counted toward the target by the end of the last complete year (0 before its first row)
        coalesce((select max(y.counted) from target_trajectory as y
                  where y.target_label = p.target_label and y.target_year = p.year
                    and y.year <= c.last_complete), 0) as base
    from target_progress as p
    cross join pace as c
    where p.target_label is not null
),

final as (
    select
        t.target_label,
        t.target_year,
        t.target_low,
        t.target_high,
        t.count_from,
        t.achieved,
        t.gap,
        t.achieved - t.target_low as versus_low,
        t.achieved - t.target_high as versus_high,
        case
            when t.achieved >= t.target_low then '已达标'
            when t.period_over then '未达标'
            else '进行中'
        end as status,
        t.period_over,
        case when not t.period_over then t.anchor + 1 end as from_year,
        case when not t.period_over then t.target_year - t.anchor end as years_left,
        case when not t.period_over then t.achieved - t.base end as counted_recently,
        case
            when t.period_over then null
            when t.achieved >= t.target_low then 0
            else cast(ceil((t.target_low - t.base) / (t.target_year - t.anchor)) as integer)
        end as needed_per_year,
        case
            when t.period_over then null
            when t.achieved >= t.target_high then 0
            else cast(ceil((t.target_high - t.base) / (t.target_year - t.anchor)) as integer)
        end as needed_per_year_high,
        case when not t.period_over then t.pace end as pace,
        t.projected_achieved,
        t.on_track
    from targets as t
)

select * from final order by target_year, target_label
