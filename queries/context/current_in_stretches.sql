-- current_in_stretches(dated): each row of ``dated`` (a table or CTE with alliance_key, joined_date,
-- left_date and whatever it counts) with every stretch of dates [valid_from, valid_to) it is current in.
-- A row is current on a date by member_current (joined_date blank or on or before it, left_date blank or
-- after it), so the alliance's current rows change only on those dates: its stretches start at -infinity
-- and at each joined and left date, the last one runs to infinity, and a row current on a stretch's first
-- day is current all through it. Stretches without a current row have none. A table macro: member_stretches
-- and lead_local group its rows by stretch.
with starts as (
    select distinct alliance_key, date '-infinity' as valid_from from query_table(dated)
    union
    select alliance_key, joined_date from query_table(dated) where joined_date is not null
    union
    select alliance_key, left_date from query_table(dated) where left_date is not null
),

stretches as (
    select
        alliance_key,
        valid_from,
        coalesce(lead(valid_from) over (partition by alliance_key order by valid_from), date 'infinity') as valid_to
    from starts
)

select s.valid_from, s.valid_to, d.*
from stretches as s
inner join query_table(dated) as d
    on d.alliance_key = s.alliance_key
   and member_current(d.joined_date, d.left_date, s.valid_from)
