-- target_progress：目标进度
--
-- What:
--   One row per calendar year, from the first filing (or the first target year, if earlier)
--   to the later of the as_of year and the last target year: filings, revocations, alliances
--   in the registry at year end, cumulative filings; on a target's year, the target, what was
--   achieved, the gap, and a linear projection from the recent pace.
--
-- Parameters:
--   $as_of                 date       统计截止日期；as_of 所在年只计到 as_of，以后的年份只有预测
--
-- Columns:
--   year                   年份            公历年
--   filed                  当年备案        备案日期在该年（且 ≤ as_of）的联盟数，含之后撤销的；as_of 以后的年份为空
--   revoked                当年撤销        撤销/解散日期在该年（且 ≤ as_of）的已备案联盟数
--   active_end_of_year     年末在册        该年 12 月 31 日（as_of 所在年取 as_of）在册的联盟数
--   cumulative_filed       累计备案        从头累计到该年末（as_of 所在年到 as_of）的备案数，含之后撤销的
--   target_low             目标下限        目标数量下限
--   target_high            目标上限        目标数量上限
--   gap                    差距            max(目标下限 − 已完成, 0)
--   target_label           目标            该年为目标年份时的目标名称（政策配置 targets）
--   target_count_from      起算年份        目标计数的起算年；0 = 从头累计
--   achieved               已完成          按目标口径计的备案数：起算年（或从头）至目标年末，且 ≤ as_of；撤销的也计入
--   pace                   近三年年均备案  最近 3 个完整年度的年均备案数（该行年份晚于最近完整年度时给出）
--   projected_cumulative   预测累计备案    最近完整年度末的累计备案 + 年均 × 相隔年数（该行年份晚于最近完整年度时给出）
--   projected_achieved     预测完成        目标行：按目标口径，最近完整年度末的已完成 + 年均 × 剩余年数；目标年已过完时等于已完成
--   on_track               预计达标        预测完成 ≥ 目标下限
--
-- Caveats:
--   - Projection method: linear at the mean number of filings per year over the last 3
--     complete calendar years before as_of (a year is complete when its 12-31 is ≤ as_of;
--     years with no filings count as 0). The projection starts from the end of the last
--     complete year, so filings so far in the as_of year are replaced by the pace.
--   - For a target with count_from > 0 counted after the last complete year, the projection
--     counts years from count_from only.
--   - Targets count filings (建设/备案的个数), including alliances revoked later; the
--     registry size at year end is active_end_of_year.
--   - active_end_of_year = cumulative_filed − cumulative revocations, which relies on 撤销日期
--     ≥ 备案日期 (the loader refuses the contrary).
--   - Filters: only the alliances in scope_alliances (the dashboard's region/level/cluster
--     filters) are counted — filings, revocations, pace and projections alike. Targets are
--     programme-wide and never apportioned: with a filter, achieved, gap, projected_achieved and
--     on_track measure the scope's filings against the whole target (the scope's contribution;
--     a district is not expected to reach the target alone).

with

filings as (
    select a.alliance_id, a.filed_date, a.revoked_date
    from alliances as a
    inner join scope_alliances as sc on sc.alliance_key = a.rowid
    where a.filed_date <= $as_of
),

bounds as (
    select
        least(
            coalesce((select min(year(f.filed_date)) from filings as f), year($as_of)),
            coalesce((select min(t.year) from profile_targets as t), year($as_of)),
            year($as_of)
        ) as first_year,
        greatest(year($as_of), coalesce((select max(t.year) from profile_targets as t), year($as_of))) as last_year,
        case when month($as_of) = 12 and day($as_of) = 31 then year($as_of) else year($as_of) - 1 end
            as last_complete
),

years as (
    select unnest(range(b.first_year, b.last_year + 1)) as year
    from bounds as b
),

filed_by_year as (
    select year(f.filed_date) as year, count(*) as filed
    from filings as f
    group by 1
),

revoked_by_year as (
    select year(f.revoked_date) as year, count(*) as revoked
    from filings as f
    where f.revoked_date <= $as_of
    group by 1
),

per_year as (
    select
        y.year,
        case when y.year <= year($as_of) then coalesce(f.filed, 0) end as filed,
        case when y.year <= year($as_of) then coalesce(r.revoked, 0) end as revoked
    from years as y
    left join filed_by_year as f on f.year = y.year
    left join revoked_by_year as r on r.year = y.year
),

cumulative as (
    select
        p.year,
        p.filed,
        p.revoked,
        case when p.year <= year($as_of)
            then cast(sum(p.filed) over (order by p.year) - sum(p.revoked) over (order by p.year) as bigint) end
            as active_end_of_year,
        case when p.year <= year($as_of) then cast(sum(p.filed) over (order by p.year) as bigint) end
            as cumulative_filed
    from per_year as p
),

pace as (
    select
        b.last_complete,
        count(f.alliance_id) filter (where year(f.filed_date) between b.last_complete - 2 and b.last_complete)
            as filed_last_3,
        count(f.alliance_id) filter (where year(f.filed_date) <= b.last_complete) as cumulative_last_complete
    from bounds as b
    left join filings as f on true
    group by b.last_complete
),

targets as (
    select
        t.label,
        t.year,
        t.low,
        t.high,
        t.count_from,
        count(f.alliance_id) filter (where f.filed_date <= make_date(t.year, 12, 31)) as achieved,
        count(f.alliance_id) filter (where f.filed_date <= make_date(least(t.year, p.last_complete), 12, 31))
            as achieved_last_complete,
        p.last_complete,
        p.filed_last_3
    from profile_targets as t
    cross join pace as p
    left join filings as f
        on t.count_from = 0 or f.filed_date >= make_date(t.count_from, 1, 1)
    group by all
),

final as (
    select
        c.year,
        c.filed,
        c.revoked,
        c.active_end_of_year,
        c.cumulative_filed,
        t.low as target_low,
        t.high as target_high,
        case when t.year is not null then greatest(t.low - t.achieved, 0) end as gap,
        t.label as target_label,
        t.count_from as target_count_from,
        t.achieved,
        case when c.year > p.last_complete then p.filed_last_3 / 3 end as pace,
        case when c.year > p.last_complete
            then (3 * p.cumulative_last_complete + p.filed_last_3 * (c.year - p.last_complete)) / 3 end
            as projected_cumulative,
        case
            when t.year is null then null
            when t.year <= p.last_complete then t.achieved
            else (3 * t.achieved_last_complete
                  + p.filed_last_3 * (t.year - greatest(p.last_complete, t.count_from - 1))) / 3
        end as projected_achieved,
        case
            when t.year is null then null
            when t.year <= p.last_complete then t.achieved >= t.low
            else (3 * t.achieved_last_complete
                  + p.filed_last_3 * (t.year - greatest(p.last_complete, t.count_from - 1))) >= 3 * t.low
        end as on_track
    from cumulative as c
    cross join pace as p
    left join targets as t on t.year = c.year
)

select * from final order by year, target_low
