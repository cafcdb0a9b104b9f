-- report_due_year(as_of, due_month, due_day): the latest annual-report year whose due date is already
-- past on as_of — one row (report_year, due_date), none when the profile asks for no reports (due_month
-- NULL). The due date is due_month/due_day of that year, the month's last day when shorter (11-31 → 11-30).
-- A table macro: review_schedule, work_priorities and overview_kpis all check reports against it.
select y as report_year, due_date
from (
    select
        y,
        least(make_date(y, due_month, 1) + (due_day - 1), last_day(make_date(y, due_month, 1))) as due_date
    from (values (year(as_of)), (year(as_of) - 1)) as years (y)
    where due_month is not null
) as candidates
where due_date < as_of
order by y desc
limit 1
