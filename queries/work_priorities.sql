-- work_priorities：年度工作重点素材
--
-- What:
--   The raw material for the 年度工作重点 of year $year, as the registry stands on $as_of:
--   clusters of the taxonomy with no or few alliances, evaluations overdue or falling due in
--   $year, annual reports outstanding, alliances failing the filing conditions, and the subsidy
--   budget the profile's caps imply (evaluations due × 评估补贴 cap + filings the target pace
--   needs × 备案补贴 cap).
--
-- Parameters:
--   $as_of          date                        统计截止日期
--   $year           integer = as_of.year+1      计划年度（默认 as_of 的下一年）
--   $thin_max       integer = 2                 在册联盟数 1 至此数的集群算“薄弱”
--   $cycle_years    integer                     评估/复审周期（年）；0 = 不设周期，无评估行
--   $report_due_month  integer                  年度报告截止月；NULL = 不要求年报，无年报行
--   $report_due_day    integer                  年度报告截止日
--   $agreement_term_years  integer              协议期限（年）；0 = 不设期限，无协议行
--   $act_term          varchar                  政策用语：备案 / 认定 / 确定 / 纳入试点（写在说明里）
--   $review_term       varchar                  政策用语：评估 / 复审
--   $conditions_term   varchar                  政策用语：备案条件 / 认定条件 / 基本条件
--
-- Columns:
--   category        类别            空白集群、薄弱集群、评估到期、年报未交、协议到期、不符合条件、补贴预算
--   item            事项            集群名称，或该类别下的具体事项
--   count           数量            集群的在册联盟数，或该事项涉及的联盟数（预算行为评估或备案个数）
--   amount_wan      金额（万元）    补贴预算行：数量 × 政策上限；政策未规定上限时为空；合计行为各项之和
--   detail          说明            所属领域、涉及的联盟（最多列 10 个）或计算方法
--
-- Caveats:
--   - Cluster counts, evaluation dates and missing reports follow the rules of
--     coverage_by_cluster and review_schedule (same as_of, same profile; repeated here so the
--     query stays fast). 不符合条件 is eligibility_check's ok = false, read from the same check
--     (context macro eligibility_on: the stretch holding as_of). 空白/薄弱集群 need a taxonomy:
--     none without one.
--   - Evaluations to budget in $year: overdue on as_of, plus those falling due within $year
--     (1 January–31 December). Those due between as_of and the start of $year are assumed to be
--     done before it. No rows when the profile sets no cycle.
--   - Filings needed in $year: for the first target whose year ≥ $year, ceil(max(目标下限 −
--     已完成到 as_of, 0) ÷ years left including $year), counted the target's way; without such a
--     target, the mean filings per year of the last 3 complete years, rounded up.
--   - 协议到期 (a profile with an agreement term, Heilongjiang's 3–5 years): agreements expired on
--     as_of (签署日期 + 期限 ≤ as_of), and those expiring after as_of within $year; none without a term.
--   - 国家试点补贴 and 项目经费 are not budgeted (they cannot be predicted from the registry).
--   - Filters (scope_alliances): every count is of the alliances in scope — cluster counts,
--     evaluations, reports, 不符合条件 and the filing pace. 空白/薄弱集群 judge the selected clusters only when there is a cluster
--     filter (scope_filters), every entry otherwise: under a region or level filter a cluster
--     with no alliance in scope is 空白 for that scope.
--   - Targets are programme-wide and not apportioned: with any filter, filings needed are the
--     scope's own pace (mean filings per year of its last 3 complete years, rounded up), never
--     the whole target's gap; without a filter, the target rule above applies.

with

active as (
    select sc.alliance_key, a.alliance_id, a.name, a.filed_date, a.agreement_date
    from alliances as a
    inner join scope_alliances as sc on sc.alliance_key = a.rowid
    where in_registry(a.filed_date, a.revoked_date, $as_of)
),

-- as review_schedule: 签署日期 + 协议期限; 1 = expired on as_of, 2 = expiring within $year
agreements as (
    select x.alliance, x.expiry, case when x.expiry <= $as_of then 1 else 2 end as sort_key
    from (
        select a.name as alliance, cast(a.agreement_date + to_years($agreement_term_years) as date) as expiry
        from active as a
        where $agreement_term_years > 0 and a.agreement_date is not null
    ) as x
    where x.expiry <= $as_of or x.expiry <= make_date($year, 12, 31)
),

agreement_items as (
    select i.sort_key, i.item
    from (values (1, '已到期'), (2, format('{}年内到期', $year))) as i (sort_key, item)
    where $agreement_term_years > 0
),

clusters as (
    select
        e.entry as cluster,
        nullif(e.grp, '') as cluster_group,
        e.position,
        count(a.alliance_key) as alliances_active
    from taxonomy_entries as e
    left join alliance_cluster as c on c.cluster = e.entry
    left join active as a on a.alliance_key = c.alliance_key
    -- with a cluster filter, only the selected clusters are judged
    where not exists (select 1 from scope_filters as f where f.dimension = 'cluster')
       or e.entry in (select f.value from scope_filters as f where f.dimension = 'cluster')
    group by e.entry, e.grp, e.position
),

year_bounds as (
    select make_date($year, 1, 1) as year_start, make_date($year, 12, 31) as year_end
),

-- as review_schedule: (latest 三年评估 or 复审 on or before as_of — context table evaluation_dates —
-- else 备案日期) + cycle years
last_evaluation as (
    select e.alliance_key, e.valid_from as last_evaluation_date
    from evaluation_dates as e
    where e.valid_from <= $as_of and $as_of < e.valid_to
),

schedule as (
    select
        a.name as alliance,
        cast(coalesce(e.last_evaluation_date, a.filed_date) + to_years($cycle_years) as date) as next_evaluation_due
    from active as a
    left join last_evaluation as e on e.alliance_key = a.alliance_key
    where $cycle_years > 0
),

evaluations as (
    select
        case when r.next_evaluation_due < $as_of then 1 else 2 end as sort_key,
        r.alliance,
        r.next_evaluation_due
    from schedule as r
    cross join year_bounds as b
    where r.next_evaluation_due < $as_of
       or r.next_evaluation_due between greatest(b.year_start, $as_of) and b.year_end
),

-- as review_schedule: the latest report year whose due date is past on as_of
report_due as (
    select * from report_due_year($as_of, $report_due_month, $report_due_day)
),

reports as (
    select
        d.report_year,
        a.name as alliance,
        not exists (
            select 1
            from annual_reports as r
            where r.alliance_id = a.alliance_id
              and r.year = d.report_year
              and (r.submitted_date is null or r.submitted_date <= $as_of)
        ) as report_missing
    from report_due as d
    inner join active as a on year(a.filed_date) < d.report_year   -- owed from the year after filing
),

evaluation_items as (
    select i.sort_key, i.item
    from (values (1, status_word('overdue_item')), (2, format('{}年内到期', $year))) as i (sort_key, item)
    where $cycle_years > 0
),

filings as (
    select a.filed_date
    from alliances as a
    inner join scope_alliances as sc on sc.alliance_key = a.rowid
    where a.filed_date <= $as_of
),

-- any filter set? then the programme-wide target is not budgeted for the scope (see caveats)
scope as (
    select exists (select 1 from scope_filters) as filtered
),

pace as (
    select
        count(f.filed_date) filter (
            where year(f.filed_date) between c.last_complete - 2 and c.last_complete
        ) as filed_last_3
    from (select case when month($as_of) = 12 and day($as_of) = 31
                      then year($as_of) else year($as_of) - 1 end as last_complete) as c
    left join filings as f on true
),

-- the first target in or after the planning year, with what is achieved by as_of
next_target as (
    select t.label, t.year, t.low, count(f.filed_date) as achieved
    from (
        select * from profile_targets as t
        where t.year >= $year
        order by t.year, t.low
        limit 1
    ) as t
    left join filings as f on t.count_from = 0 or f.filed_date >= make_date(t.count_from, 1, 1)
    group by t.label, t.year, t.low
),

filings_needed as (
    select
        case when t.year is not null and not x.filtered
            then cast(ceil(greatest(t.low - t.achieved, 0) / (t.year - $year + 1)) as bigint)
            else cast(ceil(p.filed_last_3 / 3) as bigint)
        end as needed,
        case
            when x.filtered
                then format('按筛选范围近三个完整年度年均{}{}个（数量目标为全局目标，不分摊到筛选范围）',
                            $act_term, round(p.filed_last_3 / 3, 2))
            when t.year is not null
                then format('按目标“{}”（{}年不少于{}个）：还差{}个，分摊到{}年', t.label, t.year, t.low,
                            greatest(t.low - t.achieved, 0), t.year - $year + 1)
            else format('无{}年及以后的数量目标，按近三个完整年度年均{}{}个', $year, $act_term, round(p.filed_last_3 / 3, 2))
        end as method
    from pace as p
    cross join scope as x
    left join next_target as t on true
),

caps as (
    select
        (select c.cap_wan from profile_caps as c where c.kind = '评估补贴') as evaluation_cap,
        (select c.cap_wan from profile_caps as c where c.kind = '备案补贴') as filing_cap,
        (select count(*) from evaluations) as evaluations_due
),

budget as (
    select
        k.evaluations_due,
        case when $cycle_years > 0 then k.evaluations_due * k.evaluation_cap end as evaluation_wan,
        n.needed,
        n.needed * k.filing_cap as filing_wan,
        k.evaluation_cap,
        k.filing_cap,
        n.method
    from caps as k
    cross join filings_needed as n
),

rows as (
    select 1 as sort_key, c.position as sub_key, '空白集群' as category, c.cluster as item,
           0 as count, null::decimal(38, 6) as amount_wan, coalesce(c.cluster_group, '') as detail
    from clusters as c
    where c.alliances_active = 0

    union all
    select 2, c.position, '薄弱集群', c.cluster, c.alliances_active, null,
           coalesce(c.cluster_group, '')
    from clusters as c
    where c.alliances_active between 1 and $thin_max

    union all
    select 3, i.sort_key, '评估到期', i.item, count(e.alliance), null,
           coalesce(array_to_string(min_by(e.alliance, (e.next_evaluation_due, e.alliance), 10)
                                     filter (where e.alliance is not null), '、'), '')
           || case when count(e.alliance) > 10 then format('等{}个', count(e.alliance)) else '' end
    from evaluation_items as i
    left join evaluations as e on e.sort_key = i.sort_key
    group by i.sort_key, i.item

    union all
    select 4, 1, '年报未交', format('{}年度报告', r.report_year), count(*) filter (where r.report_missing), null,
           coalesce(array_to_string(min(r.alliance, 10) filter (where r.report_missing), '、'), '')
           || case when count(*) filter (where r.report_missing) > 10
                   then format('等{}个', count(*) filter (where r.report_missing)) else '' end
    from reports as r
    group by r.report_year

    union all
    select 4, 1 + i.sort_key, '协议到期', i.item, count(g.alliance), null,
           coalesce(array_to_string(min_by(g.alliance, (g.expiry, g.alliance), 10)
                                     filter (where g.alliance is not null), '、'), '')
           || case when count(g.alliance) > 10 then format('等{}个', count(g.alliance)) else '' end
    from agreement_items as i
    left join agreements as g on g.sort_key = i.sort_key
    group by i.sort_key, i.item

    union all
    select 5, 1, '不符合条件', format('不符合{}的在册联盟', $conditions_term), count(*) filter (where not x.ok), null,
           coalesce(array_to_string(min(x.alliance, 10) filter (where not x.ok), '、'), '')
           || case when count(*) filter (where not x.ok) > 10
                   then format('等{}个', count(*) filter (where not x.ok)) else '' end
    from (select e.alliance, e.problems = '' as ok from eligibility_on($as_of, scope_alliances) as e) as x   -- eligibility_check's

    union all
    select 6, 1, '补贴预算', '评估补贴', b.evaluations_due, b.evaluation_wan,
           case when b.evaluation_cap is null then format('政策未规定{}补贴上限', $review_term)
                else format('逾期及{}年内到期的{}{}个 × 上限{}万元', $year, $review_term, b.evaluations_due,
                            rtrim(rtrim(b.evaluation_cap::varchar, '0'), '.')) end
    from budget as b
    where $cycle_years > 0

    union all
    select 6, 2, '补贴预算', '备案补贴', b.needed, b.filing_wan,
           b.method || case when b.filing_cap is null then format('；政策未规定{}补贴上限', $act_term)
                            else format(' × 上限{}万元', rtrim(rtrim(b.filing_cap::varchar, '0'), '.')) end
    from budget as b

    union all
    select 6, 3, '补贴预算', '合计', null,
           case when b.evaluation_wan is not null or b.filing_wan is not null
               then coalesce(b.evaluation_wan, 0) + coalesce(b.filing_wan, 0) end,
           case when $cycle_years > 0
               then format('{}补贴与{}补贴之和（不含国家试点补贴、项目经费）', $review_term, $act_term)
               else format('{}补贴（不含国家试点补贴、项目经费）', $act_term) end
    from budget as b
),

final as (
    select r.category, r.item, r.count, r.amount_wan, r.detail, r.sort_key, r.sub_key
    from rows as r
)

select * exclude (sort_key, sub_key) from final order by sort_key, sub_key
