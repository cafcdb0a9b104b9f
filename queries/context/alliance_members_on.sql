-- alliance_members_on(as_of, scope, neighbour_places): a table macro, one row per alliance in the registry on
-- as_of and in ``scope`` (the caller's scope_alliances, a cursor's own table, so passed in) with its members
-- on as_of counted by type, core and place (member_stretches: the stretch holding as_of), and the scope's
-- name_rank to sort by and alliance_key to join on. The one place
-- alliance_members (every row, ordered: the list the member figures sum) and overview_kpis (their count
-- and sum, without materialising the list) read the counts from.
with

active as (
    select sc.alliance_key, a.alliance_id, a.name, sc.name_rank
    from alliances as a
    inner join query_table(scope) as sc on sc.alliance_key = a.rowid
    where in_registry(a.filed_date, a.revoked_date, as_of)
),

-- the members counted per alliance and stretch of dates (context table member_stretches: the
-- current-member and place rules live there); the stretch holding as_of
per_alliance as (
    select c.*
    from member_stretches as c
    inner join active as a on a.alliance_key = c.alliance_key
    where c.valid_from <= as_of and as_of < c.valid_to
),

final as (
    select
        a.name as alliance,
        a.alliance_id,
        coalesce(p.members, 0) as members,
        coalesce(p.enterprises, 0) as enterprises,
        coalesce(p.universities, 0) as universities,
        coalesce(p.institutes, 0) as institutes,
        coalesce(p.finance_bodies, 0) as finance_bodies,
        coalesce(p.intermediaries, 0) as intermediaries,
        coalesce(p.members - p.enterprises - p.universities - p.institutes - p.finance_bodies - p.intermediaries, 0)
            as other_units,
        coalesce(p.core_members, 0) as core_members,
        coalesce(p.local_core_members, 0) as local_core_members,
        coalesce(p.local_members, 0) as local_members,
        coalesce(p.neighbour_members, 0) as neighbour_members,
        coalesce(p.other_place_members, 0) as other_place_members,
        coalesce(p.members - p.local_members - p.neighbour_members - p.other_place_members, 0)
            as unknown_place_members,
        array_to_string(list_filter(cast(neighbour_places as varchar[]),
                                    lambda n, i: (coalesce(p.neighbour_mask, 0) >> (i - 1)) & 1 = 1), '、')
            as neighbour_places_found,
        a.name_rank,
        a.alliance_key
    from active as a
    left join per_alliance as p on p.alliance_key = a.alliance_key
)

select * from final
