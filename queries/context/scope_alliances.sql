-- scope_alliances(alliance_id): the alliances the filters select — those matching every non-empty
-- dimension, any of its values (OR within a dimension, AND across). Region values are
-- alliance_region.region (as region_distribution shows them, 未填 and unlisted texts included), levels
-- alliances.level (a blank level matches no level filter), clusters alliance_cluster.cluster (taxonomy
-- entry names, 未归类 included). Every alliance of the registry when there is no filter — never only
-- those in the registry on as_of: each query still applies its own as_of rule.
create or replace temp table scope_alliances as
select a.alliance_id
from alliances as a
left join alliance_region as r on r.alliance_id = a.alliance_id
left join alliance_cluster as c on c.alliance_id = a.alliance_id
where (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), r.region))
  and (len(cast($levels as varchar[])) = 0 or list_contains(cast($levels as varchar[]), a.level))
  and (len(cast($clusters as varchar[])) = 0
       or list_contains(cast($clusters as varchar[]), coalesce(c.cluster, status_word('unclassified'))))
