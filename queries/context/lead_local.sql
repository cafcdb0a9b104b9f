-- lead_local(alliance_key, valid_from, valid_to, lead_local): whether an alliance's 对外责任主体单位 is
-- registered locally, once per stretch of dates [valid_from, valid_to) over which its current lead_units
-- rows do not change — read once per member stretch by eligibility_stretches (the check eligibility_check reads).
-- The lead is the current member of the lead unit's name (by_name), else the current 理事长单位; it is
-- local when its 注册地 contains one of $local_places, unknown (NULL) when that 注册地 is blank. A lead
-- row is current as a member is; the stretches and which rows are current in them: current_in_stretches.
with
places as (
    select
        u.alliance_key,
        u.by_name,
        u.joined_date,
        u.left_date,
        case when nullif(trim(u.registered_in), '') is not null
            then len([p for p in cast($local_places as varchar[]) if contains(u.registered_in, p)]) > 0
        end as is_local
    from lead_units as u
)

select
    l.alliance_key,
    l.valid_from,
    l.valid_to,
    case when bool_or(l.by_name) then bool_or(l.is_local) filter (where l.by_name)
         else bool_or(l.is_local) end as lead_local
from current_in_stretches(places) as l
group by l.alliance_key, l.valid_from, l.valid_to
order by l.alliance_key, l.valid_from
