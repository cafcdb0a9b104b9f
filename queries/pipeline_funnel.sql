-- pipeline_funnel：申报流程漏斗
--
-- What:
--   The applications of year $year followed through the stages 申请 → 形式审查 → 技术审查 →
--   专家评审 → 公示 → 备案: how many reached each stage, how many passed it, and the median
--   number of days they spent in it, as recorded on or before $as_of.
--
-- Parameters:
--   $as_of        date                        统计截止日期：只计该日及以前的记录
--   $year         integer = as_of.year        申请年度（默认 as_of 所在年）
--
-- Columns:
--   stage                 环节              申请、形式审查、技术审查、专家评审、公示、备案，按流程顺序
--   entered               进入              该年度申请的联盟中，到达本环节或其后任一环节的个数
--   passed                通过              其中已到达其后环节，或本环节最近一次结果为通过/优秀/良好/合格的个数；备案环节等于进入
--   median_days_in_stage  停留天数中位数    本环节记录日期到其后最早一个已记录环节日期的天数中位数；备案环节及无数据时为空
--
-- Caveats:
--   - Cohort: alliances whose 申请 date — the earliest 申请 event, else 联盟名录 申请日期 — falls in
--     $year. Alliances with neither are in no cohort.
--   - A stage's date is its earliest event of that type (备案 also from 联盟名录 备案日期).
--     Reaching a later stage counts as having entered and passed the earlier ones, even when
--     their events were not recorded; days in a stage use recorded dates only.
--   - A 不通过/不合格 result with no later stage counts as entered, not passed.
--   - Only alliances in scope_alliances (the dashboard's filters) are in the cohort; the scope
--     includes applicants not yet filed (a level, region or cluster is known from the 名录).

with

stages as (
    select * from (values
        (1, '申请'), (2, '形式审查'), (3, '技术审查'), (4, '专家评审'), (5, '公示'), (6, '备案')
    ) as s (stage_no, stage)
),

application_dates as (
    select d.alliance_id, min(d.applied) as applied
    from (
        select e.alliance_id, e.event_date as applied
        from events as e
        where e.event_type = '申请' and e.event_date <= $as_of
        union all
        select a.alliance_id, a.applied_date
        from alliances as a
        where a.applied_date <= $as_of
    ) as d
    group by d.alliance_id
),

-- the year's applicants among the alliances in scope (scope_alliances: the dashboard's filters)
cohort as (
    select d.alliance_id
    from application_dates as d
    inner join scope_alliances as sc on sc.alliance_id = d.alliance_id
    where year(d.applied) = $year
),

stage_records as (
    select e.alliance_id, s.stage_no, e.event_date as stage_date, e.result
    from events as e
    inner join stages as s on s.stage = e.event_type
    inner join cohort as c on c.alliance_id = e.alliance_id
    where e.event_date <= $as_of
    union all
    select a.alliance_id, 1, a.applied_date, null
    from alliances as a
    inner join cohort as c on c.alliance_id = a.alliance_id
    where a.applied_date <= $as_of
    union all
    select a.alliance_id, 6, a.filed_date, null
    from alliances as a
    inner join cohort as c on c.alliance_id = a.alliance_id
    where a.filed_date <= $as_of
),

stage_dates as (
    select
        r.alliance_id,
        r.stage_no,
        min(r.stage_date) as stage_date,
        arg_max(r.result, r.stage_date) filter (where r.result is not null) as last_result
    from stage_records as r
    group by r.alliance_id, r.stage_no
),

progress as (
    select d.alliance_id, max(d.stage_no) as furthest
    from stage_dates as d
    group by d.alliance_id
),

with_next as (
    select
        d.alliance_id,
        d.stage_no,
        d.stage_date,
        d.last_result,
        min(d.stage_date) over (
            partition by d.alliance_id order by d.stage_no
            rows between 1 following and unbounded following
        ) as next_date
    from stage_dates as d
),

per_stage as (
    select
        s.stage_no,
        s.stage,
        count(p.alliance_id) filter (where p.furthest >= s.stage_no) as entered,
        count(p.alliance_id) filter (
            where p.furthest > s.stage_no
               or (p.furthest = s.stage_no
                   and (s.stage_no = 6 or w.last_result in ('通过', '优秀', '良好', '合格')))
        ) as passed,
        median(w.next_date - w.stage_date) filter (where s.stage_no < 6) as median_days_in_stage
    from stages as s
    cross join progress as p
    left join with_next as w on w.alliance_id = p.alliance_id and w.stage_no = s.stage_no
    group by s.stage_no, s.stage
),

final as (
    select
        s.stage,
        coalesce(p.entered, 0) as entered,
        coalesce(p.passed, 0) as passed,
        p.median_days_in_stage,
        s.stage_no
    from stages as s
    left join per_stage as p on p.stage_no = s.stage_no
)

select * exclude (stage_no) from final order by stage_no
