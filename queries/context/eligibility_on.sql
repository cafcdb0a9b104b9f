-- eligibility_on(as_of, scope): a table macro, the alliances eligibility_check checks — in the registry on as_of
-- (备案日期 ≤ as_of, not revoked on or before it) and in ``scope`` (the caller's scope_alliances, a cursor's own
-- table, so passed in) — each with eligibility_stretches' check of the stretch holding as_of, or the check of no
-- current member when none holds it (alliance, alliance_id, member_count, core_member_count, has_enterprise,
-- has_univ_or_institute, lead_registered_locally, local_core_share, problems, and the scope's name_rank to sort
-- by and alliance_key to join on). The one place eligibility_check, eligibility_problems, eligibility_summary and work_priorities read the
-- check from.
select
    a.name as alliance,
    a.alliance_id,
    coalesce(e.member_count, z.member_count) as member_count,
    coalesce(e.core_member_count, z.core_member_count) as core_member_count,
    coalesce(e.has_enterprise, z.has_enterprise) as has_enterprise,
    coalesce(e.has_univ_or_institute, z.has_univ_or_institute) as has_univ_or_institute,
    case when e.alliance_key is null then z.lead_registered_locally else e.lead_registered_locally end
        as lead_registered_locally,
    case when e.alliance_key is null then z.local_core_share else e.local_core_share end as local_core_share,
    coalesce(e.problems, z.problems) as problems,
    sc.name_rank,
    sc.alliance_key
from alliances as a
inner join query_table(scope) as sc on sc.alliance_key = a.rowid
cross join (select * from eligibility_stretches where alliance_key is null) as z
left join eligibility_stretches as e
    on e.alliance_key = a.rowid and e.valid_from <= as_of and as_of < e.valid_to
where in_registry(a.filed_date, a.revoked_date, as_of)
