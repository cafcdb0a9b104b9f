-- evaluation_dates(alliance_key, valid_from, valid_to): each date on which an alliance had an evaluation
-- (event 三年评估 or 复审, whatever its result), until the next one [valid_from, valid_to) — 'infinity'
-- after the last. On as_of an alliance's latest evaluation is valid_from of its row holding as_of (none
-- before its first): review_schedule and work_priorities read one row per alliance at any as_of.
select
    e.alliance_key,
    e.event_date as valid_from,
    coalesce(lead(e.event_date) over (partition by e.alliance_key order by e.event_date), date 'infinity')
        as valid_to
from (
    select distinct k.alliance_key, v.event_date
    from events as v
    inner join alliance_keys as k on k.alliance_id = v.alliance_id
    where v.event_type in ('三年评估', '复审')
      and v.event_date is not null
) as e
order by e.alliance_key, e.event_date
