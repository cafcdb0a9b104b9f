-- lead_units(alliance_id, registered_in, joined_date, left_date, by_name): the member rows that can
-- stand for an alliance's 对外责任主体单位 — those whose name key (unit_name_key, or unit_name where
-- that is its own key and the key is not stored) equals the name key of its lead_unit (by_name), and
-- its 理事长单位 rows. Profile- and date-independent.
-- Reads _alliance_lead(alliance_id, lead_key), built beside it from alliances.lead_unit.
select m.alliance_id, m.registered_in, m.joined_date, m.left_date, true as by_name
from members as m
inner join _alliance_lead as l on l.alliance_id = m.alliance_id and l.lead_key = coalesce(m.unit_name_key, m.unit_name)
union all
select m.alliance_id, m.registered_in, m.joined_date, m.left_date, false
from members as m
inner join _alliance_lead as l on l.alliance_id = m.alliance_id
where m.role = '理事长单位' and coalesce(m.unit_name_key, m.unit_name) is distinct from l.lead_key
