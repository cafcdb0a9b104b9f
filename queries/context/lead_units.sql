-- lead_units(alliance_key, alliance_id, registered_in, joined_date, left_date, by_name): the member rows that can
-- stand for an alliance's 对外责任主体单位 — those whose name key (unit_name_key, or unit_name where
-- that is its own key and the key is not stored) equals the name key of its lead_unit (by_name), and
-- its 理事长单位 rows. Profile- and date-independent.
-- Reads _alliance_lead(alliance_key, alliance_id, lead_key), built beside it from alliances.lead_unit.
-- One pass over the members (two, one per kind of row, took 1.7 times as long at 1.7M members): a row of
-- both kinds is one row, by name.
select
    l.alliance_key,
    m.alliance_id,
    m.registered_in,
    m.joined_date,
    m.left_date,
    coalesce(coalesce(m.unit_name_key, m.unit_name) = l.lead_key, false) as by_name
from members as m
inner join _alliance_lead as l on l.alliance_id = m.alliance_id
where coalesce(m.unit_name_key, m.unit_name) = l.lead_key or m.role = '理事长单位'
