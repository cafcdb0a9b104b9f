-- cluster_list(cluster, cluster_group, position): the taxonomy's entries in its order, then 未归类 last
-- (position 2147483647) — the rows of every by-cluster table, whether or not an alliance is in them.
select e.entry as cluster, nullif(e.grp, '') as cluster_group, e.position
from taxonomy_entries as e
union all
select status_word('unclassified'), null, 2147483647
