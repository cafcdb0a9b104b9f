-- lead_local(alliance_id, valid_from, valid_to, lead_local): whether an alliance's 对外责任主体单位 is
-- registered locally, once per stretch of dates [valid_from, valid_to) over which its current lead_units
-- rows do not change — so a query at any as_of reads one row per alliance (eligibility_check).
-- The lead is the current member of the lead unit's name (by_name), else the current 理事长单位; it is
-- local when its 注册地 contains one of $local_places, unknown (NULL) when that 注册地 is blank. A lead
-- row is current on a date as a member is (joined_date blank or on or before it, left_date blank or
-- after it): the stretches start at -infinity and at each of those dates. Stretches without a current
-- lead row have no row.
with
places as (
    select
        u.alliance_id,
        u.by_name,
        u.joined_date,
        u.left_date,
        case when nullif(trim(u.registered_in), '') is not null
            then len([p for p in cast($local_places as varchar[]) if contains(u.registered_in, p)]) > 0
        end as is_local
    from lead_units as u
),

starts as (
    select distinct u.alliance_id, date '-infinity' as valid_from from lead_units as u
    union
    select u.alliance_id, u.joined_date from lead_units as u where u.joined_date is not null
    union
    select u.alliance_id, u.left_date from lead_units as u where u.left_date is not null
),

stretches as (
    select
        s.alliance_id,
        s.valid_from,
        coalesce(lead(s.valid_from) over (partition by s.alliance_id order by s.valid_from), date 'infinity')
            as valid_to
    from starts as s
)

select
    s.alliance_id,
    s.valid_from,
    s.valid_to,
    case when bool_or(l.by_name) then bool_or(l.is_local) filter (where l.by_name)
         else bool_or(l.is_local) end as lead_local
from stretches as s
inner join places as l
    on l.alliance_id = s.alliance_id
   and (l.joined_date is null or l.joined_date <= s.valid_from)
   and (l.left_date is null or l.left_date > s.valid_from)
group by s.alliance_id, s.valid_from, s.valid_to
order by s.alliance_id, s.valid_from
