-- scope_alliances(alliance_key, alliance_id, name_rank): the alliances the filters select — those matching every non-empty
-- dimension, any of its values (OR within a dimension, AND across), by the values of
-- alliance_dimensions (alliance_dimensions.sql: region, level, cluster). Every alliance of the
-- registry when there is no filter — never only those in the registry on as_of: each query still
-- applies its own as_of rule. name_rank (from alliance_dimensions) is how lists ordered by alliance sort.
create or replace temp table scope_alliances as
select d.alliance_key, d.alliance_id, d.name_rank
from alliance_dimensions as d
where (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), d.region))
  and (len(cast($levels as varchar[])) = 0 or list_contains(cast($levels as varchar[]), d.level))
  and (len(cast($clusters as varchar[])) = 0 or list_contains(cast($clusters as varchar[]), d.cluster))
