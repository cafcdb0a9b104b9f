-- member_stretches(alliance_key, valid_from, valid_to, members, enterprises, universities, institutes,
-- finance_bodies, intermediaries, core_members, local_core_members, local_members, neighbour_members,
-- other_place_members, neighbour_mask): an alliance's current members counted, once per stretch of dates
-- [valid_from, valid_to) over which they do not change — so a query at any as_of reads the one row per
-- alliance whose stretch holds it (alliance_members) instead of every member row.
-- The stretches and which members are current in them: current_in_stretches (a stretch without a current
-- member has no row). Members who join and leave an alliance on the same dates are counted together first
-- (cohorts), then each cohort is added to the stretches it is current in.
-- Places ($local_places, $neighbour_places: substring tests of 注册地, each distinct text once):
-- place_kind 1 local, 2 neighbour (a bit per neighbour place found, in the profile's order), 3 other;
-- a local place wins over a neighbour place; blank 注册地 is none of them.
with
places as (
    select
        r.registered_in,
        case when r.is_local then 1 when r.neighbour_mask > 0 then 2 else 3 end as place_kind,
        case when r.is_local then 0 else r.neighbour_mask end as neighbour_mask
    from (
        select
            d.registered_in,
            len([p for p in cast($local_places as varchar[]) if contains(d.registered_in, p)]) > 0 as is_local,
            coalesce(list_sum([1 << (i - 1) for i in range(1, len(cast($neighbour_places as varchar[])) + 1)
                               if contains(d.registered_in, cast($neighbour_places as varchar[])[i])]), 0)
                as neighbour_mask
        from (select distinct m.registered_in from members as m
              where nullif(trim(m.registered_in), '') is not null) as d
    ) as r
),

-- members who join and leave an alliance on the same dates, counted together: far fewer rows than
-- members to spread over the stretches
cohorts as (
    select
        m.alliance_id,
        m.joined_date,
        m.left_date,
        count(*) as members,
        count_if(m.unit_type = '企业') as enterprises,
        count_if(m.unit_type = '高校') as universities,
        count_if(m.unit_type = '科研院所') as institutes,
        count_if(m.unit_type = '金融机构') as finance_bodies,
        count_if(m.unit_type = '中介机构') as intermediaries,
        count_if(m.is_core) as core_members,
        count_if(m.is_core and p.place_kind = 1) as local_core_members,
        count_if(p.place_kind = 1) as local_members,
        count_if(p.place_kind = 2) as neighbour_members,
        count_if(p.place_kind = 3) as other_place_members,
        bit_or(p.neighbour_mask) as neighbour_mask
    from members as m
    left join places as p on p.registered_in = m.registered_in
    group by m.alliance_id, m.joined_date, m.left_date
),

keyed as (
    select k.alliance_key, c.* exclude (alliance_id)
    from cohorts as c
    inner join alliance_keys as k on k.alliance_id = c.alliance_id
)

select
    c.alliance_key,
    c.valid_from,
    c.valid_to,
    cast(sum(c.members) as bigint) as members,   -- counts, as count(*) gives them (sum would widen them to HUGEINT)
    cast(sum(c.enterprises) as bigint) as enterprises,
    cast(sum(c.universities) as bigint) as universities,
    cast(sum(c.institutes) as bigint) as institutes,
    cast(sum(c.finance_bodies) as bigint) as finance_bodies,
    cast(sum(c.intermediaries) as bigint) as intermediaries,
    cast(sum(c.core_members) as bigint) as core_members,
    cast(sum(c.local_core_members) as bigint) as local_core_members,
    cast(sum(c.local_members) as bigint) as local_members,
    cast(sum(c.neighbour_members) as bigint) as neighbour_members,
    cast(sum(c.other_place_members) as bigint) as other_place_members,
    bit_or(c.neighbour_mask) as neighbour_mask
from current_in_stretches(keyed) as c
group by c.alliance_key, c.valid_from, c.valid_to
order by c.alliance_key, c.valid_from
