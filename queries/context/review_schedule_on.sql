-- review_schedule_on(as_of, scope, cycle_years, report_due_month, report_due_day, agreement_term_years,
-- overdue_action): a table macro, one row per alliance in the registry on as_of and in ``scope`` (the caller's
-- scope_alliances, passed in) with its evaluation and report schedule under the profile's rules (the parameters
-- of review_schedule) and the scope's name_rank to sort by and alliance_key to join on. The one place review_schedule (every row, ordered)
-- and overview_kpis (its counts of overdue evaluations, missing reports and expired agreements) read the
-- schedule from.
with

active as (
    select sc.alliance_key, a.alliance_id, a.name, a.filed_date, a.agreement_date, sc.name_rank
    from alliances as a
    inner join query_table(scope) as sc on sc.alliance_key = a.rowid
    where in_registry(a.filed_date, a.revoked_date, as_of)
),

-- the latest 三年评估 or 复审 on or before as_of (context table evaluation_dates)
last_evaluation as (
    select e.alliance_key, e.valid_from as last_evaluation_date
    from evaluation_dates as e
    where e.valid_from <= as_of and as_of < e.valid_to
),

report_due as (
    select * from report_due_year(as_of, report_due_month, report_due_day)
),

-- per alliance: the last report submitted by as_of, and whether the report due (if any) is there
reports as (
    select
        r.alliance_id,
        max(r.year) as last_report_year,
        bool_or(r.year = d.report_year) as has_due_report
    from annual_reports as r
    left join report_due as d on true
    where r.year <= year(as_of)
      and (r.submitted_date is null or r.submitted_date <= as_of)
    group by r.alliance_id
),

schedule as (
    select
        a.alliance_key,
        a.alliance_id,
        a.name,
        a.name_rank,
        a.filed_date,
        a.agreement_date,
        e.last_evaluation_date,
        case when cycle_years > 0
            then cast(coalesce(e.last_evaluation_date, a.filed_date) + to_years(cycle_years) as date)
        end as next_evaluation_due,
        -- a report is owed from the year after filing on
        case when year(a.filed_date) < d.report_year then d.report_year end as report_year
    from active as a
    left join last_evaluation as e on e.alliance_key = a.alliance_key
    left join report_due as d on true
),

final as (
    select
        s.name as alliance,
        s.filed_date,
        s.last_evaluation_date,
        s.next_evaluation_due,
        case
            when s.next_evaluation_due < as_of then status_word('overdue')
            when s.next_evaluation_due <= as_of + 180 then status_word('due_soon')
            else status_word('on_time')
        end as status,
        r.last_report_year,
        s.report_year is not null and not coalesce(r.has_due_report, false) as report_missing,
        case when agreement_term_years > 0
            then cast(s.agreement_date + to_years(agreement_term_years) as date)
        end as agreement_expiry,
        s.alliance_id,
        s.next_evaluation_due - as_of as days_to_due,
        s.report_year,
        case when s.next_evaluation_due < as_of and overdue_action <> '' then overdue_action end as action,
        s.name_rank,
        s.alliance_key
    from schedule as s
    left join reports as r on r.alliance_id = s.alliance_id
)

select * from final
