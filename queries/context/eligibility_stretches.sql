-- eligibility_stretches(alliance_key, valid_from, valid_to, member_count, core_member_count, has_enterprise,
-- has_univ_or_institute, lead_registered_locally, local_core_share, problems): the profile's member conditions
-- checked once per row of member_stretches (an alliance's current members, per stretch of dates over which they
-- do not change), with the lead unit's place of that stretch (lead_local: the lead is found among the current
-- members, so its place changes only where the members do). One more row, alliance_key null, is the verdict
-- on no current member at all: what eligibility_on(as_of) gives an alliance with no stretch holding as_of.
-- Conditions ($member_minimum, $counts_core_only, profile_required_types, $require_lead_local,
-- $core_local_share_min, $local_places) are the profile's; the context is rebuilt when they change.
-- problems: the unmet conditions in Chinese, in this order, separated by “；”; '' when every one is met.
with

counted as (
    select
        m.alliance_key,
        m.valid_from,
        m.valid_to,
        m.members,
        m.enterprises,
        m.universities,
        m.institutes,
        m.finance_bodies,
        m.intermediaries,
        m.members - m.enterprises - m.universities - m.institutes - m.finance_bodies - m.intermediaries
            as other_units,
        m.core_members,
        m.local_core_members,
        l.lead_local
    from member_stretches as m
    left join lead_local as l
        on l.alliance_key = m.alliance_key and l.valid_from <= m.valid_from and m.valid_from < l.valid_to
    union all
    -- no current member: zero counts, the lead not among them
    select null, null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, null
),

-- a required group is missing when the alliance has no current member of any of its types
missing_types as (
    select
        x.alliance_key,
        x.valid_from,
        string_agg('缺少' || x.group_label || '成员', '；' order by x.group_no) as problems
    from (
        select c.alliance_key, c.valid_from, r.group_no, any_value(r.group_label) as group_label,
            sum(case r.unit_type
                when '企业' then c.enterprises when '高校' then c.universities when '科研院所' then c.institutes
                when '金融机构' then c.finance_bodies when '中介机构' then c.intermediaries when '其他' then c.other_units
            end) as present
        from counted as c
        cross join profile_required_types as r
        group by c.alliance_key, c.valid_from, r.group_no
    ) as x
    where coalesce(x.present, 0) = 0
    group by x.alliance_key, x.valid_from
),

checked as (
    select
        c.alliance_key,
        c.valid_from,
        c.valid_to,
        c.members as member_count,
        c.core_members as core_member_count,
        c.enterprises > 0 as has_enterprise,
        c.universities + c.institutes > 0 as has_univ_or_institute,
        case when len(cast($local_places as varchar[])) > 0 then c.lead_local end as lead_registered_locally,
        case when len(cast($local_places as varchar[])) > 0 and c.core_members > 0
            then c.local_core_members / c.core_members
        end as local_core_share,
        mt.problems as type_problems
    from counted as c
    left join missing_types as mt
        on mt.alliance_key is not distinct from c.alliance_key and mt.valid_from is not distinct from c.valid_from
)

select
    c.alliance_key,
    c.valid_from,
    c.valid_to,
    c.member_count,
    c.core_member_count,
    c.has_enterprise,
    c.has_univ_or_institute,
    c.lead_registered_locally,
    c.local_core_share,
    -- concat_ws skips the NULLs: one reason per unmet condition, in this order
    concat_ws('；',
        case when $member_minimum > 0 and not $counts_core_only and c.member_count < $member_minimum
            then '成员单位' || c.member_count || '家，少于' || $member_minimum || '家' end,
        case when $member_minimum > 0 and $counts_core_only and c.core_member_count < $member_minimum
            then '核心成员' || c.core_member_count || '家，少于' || $member_minimum || '家' end,
        c.type_problems,
        case
            when not $require_lead_local then null
            when c.lead_registered_locally is null
                then '无法确认对外责任主体单位在本地注册（成员中找不到该单位或其注册地为空）'
            when not c.lead_registered_locally then '对外责任主体单位未在本地注册'
        end,
        case
            when $core_local_share_min <= 0 then null
            when c.core_member_count = 0 then '未标注核心成员，无法核对本地核心成员占比'
            when c.local_core_share < $core_local_share_min
                then '本地核心成员占比' || cast(round(c.local_core_share * 100, 1) as decimal(5, 1))
                     || '%，低于' || cast(round($core_local_share_min * 100, 1) as decimal(5, 1)) || '%'
        end
    ) as problems
from checked as c
order by c.alliance_key nulls first, c.valid_from
