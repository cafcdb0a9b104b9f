-- cross_region：跨区域合作
--
-- What:
--   Alliances in the registry on $as_of that have current members registered outside the
--   jurisdiction, with how many come from the profile's neighbour places (Tianjin: 北京、河北 —
--   京津冀协同) and how many from elsewhere. Alliances with neighbour members come first.
--
-- Parameters:
--   $as_of                 date        统计截止日期
--   $local_places          varchar[]   本地地名：注册地含其一即为本地（没有时不列任何联盟）
--   $neighbour_places      varchar[]   周边协同地区地名
--
-- Columns:
--   alliance               联盟名称            联盟名称
--   alliance_id            联盟编号            联盟编号
--   members                成员单位数          as_of 当日的成员单位数
--   local_members          本地成员            注册地含本地地名的成员
--   neighbour_members      周边成员            注册地不含本地地名、含周边地名的成员
--   other_members          其他外地成员        注册地不含本地或周边地名的成员
--   unknown_members        注册地不详          注册地为空的成员
--   neighbour_places_found  周边来源           出现的周边地名，按政策配置顺序，以“、”分隔
--   neighbour_cooperation  周边协同            有周边成员（天津即京津冀协同）
--
-- Caveats:
--   - Lists only alliances with at least one neighbour or other non-local member; members with
--     blank 注册地 are not counted as non-local.
--   - Alliances in scope_alliances only (the dashboard's filters), through alliance_members' rows (context macro alliance_members_on).
--   - Matching is by substring of 注册地 (e.g. 北京市海淀区 contains 北京); a local place wins
--     over a neighbour place. A profile without local places (national) gives no rows.
--   - A Tianjin member registered as “河北区” without “天津” matches the neighbour 河北: write
--     the full 注册地 (天津市河北区).

with

final as (
    select
        m.alliance,
        m.alliance_id,
        m.members,
        m.local_members,
        m.neighbour_members,
        m.other_place_members as other_members,
        m.unknown_place_members as unknown_members,
        m.neighbour_places_found,
        m.neighbour_members > 0 as neighbour_cooperation,
        m.name_rank
    from alliance_members_on($as_of, scope_alliances, $neighbour_places) as m
    where len(cast($local_places as varchar[])) > 0
      and m.neighbour_members + m.other_place_members > 0
)

select * exclude (name_rank) from final
order by neighbour_cooperation desc, neighbour_members + other_members desc, name_rank
