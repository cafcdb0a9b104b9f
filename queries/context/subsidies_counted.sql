-- subsidies_counted(as_of, year_from := 0, year_to := 9999): the subsidy rows every money figure counts on
-- as_of: not 已收回 (money returned does not count), of a 补贴所属年度 no later than as_of's year and within
-- year_from … year_to (the sidebar's year range, where a figure follows it). A table macro: overview_kpis,
-- alliance_detail, region_distribution, coverage_by_cluster, subsidy_totals and subsidy_cap_check sum it.
select s.*
from subsidies as s
where s.status is distinct from '已收回'
  and s.year between year_from and least(year_to, year(as_of))
