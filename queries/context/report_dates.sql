-- report_dates(alliance_id, valid_from, valid_to, years): the years of an alliance's annual reports
-- that count as there, once per stretch of dates [valid_from, valid_to) over which they do not change —
-- so review_schedule and work_priorities read one row per alliance at any as_of. A report for year Y
-- counts on a date from 1 January of Y, once submitted (its submitted_date blank or on or before the
-- date); the stretches start at the first date a report counts and at each later such date. years is
-- sorted; before an alliance's first counted report it has no row.
with
counted as (
    select
        r.alliance_id,
        r.year,
        greatest(make_date(r.year, 1, 1), coalesce(r.submitted_date, date '-infinity')) as counts_from
    from annual_reports as r
    where r.year is not null
),

starts as (
    select distinct c.alliance_id, c.counts_from as valid_from from counted as c
),

stretches as (
    select
        s.alliance_id,
        s.valid_from,
        coalesce(lead(s.valid_from) over (partition by s.alliance_id order by s.valid_from), date 'infinity')
            as valid_to
    from starts as s
)

select s.alliance_id, s.valid_from, s.valid_to, list_sort(list_distinct(list(c.year))) as years
from stretches as s
inner join counted as c on c.alliance_id = s.alliance_id and c.counts_from <= s.valid_from
group by s.alliance_id, s.valid_from, s.valid_to
order by s.alliance_id, s.valid_from
