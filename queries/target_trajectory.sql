-- target_trajectory：目标轨迹
--
-- What:
--   For each target of the profile, one row per year of its counting period — from its
--   起算年份 (or, counting from the start, the first year of target_progress) to the target
--   year: the filings counted toward it so far, and from the last complete year on the count
--   projected at the recent pace. These are the lines of the 目标进度 chart; a target's last
--   row agrees with target_progress (counted = achieved while the year is over, projected =
--   projected_achieved while it is open).
--
-- Requires: target_progress
--
-- Parameters:
--   $as_of         date       统计截止日期（最近完整年度由 target_progress 给出，无则为 as_of 所在年）
--
-- Columns:
--   target_label   目标            政策配置中目标的名称
--   year           年份            公历年（起算年份至目标年份）
--   target_year    目标年份        目标须在该年末达到
--   target_low     目标下限        目标数量下限
--   target_high    目标上限        目标数量上限
--   count_from     起算年份        目标计数的起算年；0 = 从头累计
--   filed          当年备案        该年备案数（≤ as_of，含之后撤销的）；as_of 以后的年份为空
--   counted        累计完成        按目标口径从起算年累计到该年末（as_of 所在年到 as_of）的备案数；as_of 以后的年份为空
--   projected      预测累计        目标年未过完时：最近完整年度末的累计完成 + 近三年年均 × 相隔年数，
--                                 从最近完整年度（虚线起点，等于其累计完成）到目标年；目标年已过完时为空
--
-- Caveats:
--   - Filings, pace and the last complete year are target_progress's (same as_of, profile
--     and filters): the last complete year is the one before target_progress's first row
--     with a pace, or the as_of year when no row has one.
--   - A target whose counting starts after the last complete year is projected from the
--     year before its 起算年份 (count 0), as in target_progress; that year is outside its rows.
--   - Filters count the scope's filings against the whole, programme-wide target.

with

-- target_progress has one row per year and target, so two targets in one year repeat the year
years as (
    select distinct p.year, p.filed, p.pace
    from target_progress as p
),

pace as (
    select
        coalesce(min(y.year) filter (where y.pace is not null) - 1, year($as_of)) as last_complete,
        -- pace is filings of the last 3 complete years ÷ 3: keep the integer to project exactly
        cast(round(3 * max(y.pace)) as integer) as filed_last_3
    from years as y
),

periods as (
    select
        t.label,
        t.year as target_year,
        t.low,
        t.high,
        t.count_from,
        p.last_complete,
        p.filed_last_3,
        greatest(p.last_complete, t.count_from - 1) as anchor
    from profile_targets as t
    cross join pace as p
),

-- counted toward each target by the end of the last complete year: where projections start
bases as (
    select t.label, t.target_year, coalesce(sum(y.filed), 0) as base
    from periods as t
    left join years as y
        on y.year between t.count_from and least(t.last_complete, t.target_year)
    group by all
),

final as (
    select
        t.label as target_label,
        y.year,
        t.target_year,
        t.low as target_low,
        t.high as target_high,
        t.count_from,
        y.filed,
        case when y.filed is not null
            then cast(sum(y.filed) over (partition by t.label, t.target_year order by y.year) as bigint) end
            as counted,
        case when t.target_year > t.last_complete and y.year >= t.anchor
            then (3 * b.base + t.filed_last_3 * (y.year - t.anchor)) / 3 end
            as projected
    from periods as t
    inner join years as y on y.year between t.count_from and t.target_year
    inner join bases as b on b.label = t.label and b.target_year = t.target_year
)

select * from final order by target_year, target_label, year
