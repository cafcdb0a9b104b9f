-- alliance_region(alliance_key, alliance_id, region, position, raw_region): every alliance's 所属区域 aligned to the
-- profile's regions.list ($regions) — the one region rule of the dashboard (region_distribution,
-- subsidy_totals by region and the region filter all use it): the listed region equal to the text,
-- else the first one the text contains (天津市南开区 → 南开区), else the first that is the text plus
-- 市/区/县/地区 (南开 → 南开区); otherwise the text as written; blank → 未填. position is the region's
-- place in the list (NULL outside it); raw_region the trimmed text (NULL when blank).
-- Each distinct 所属区域 text is matched once.
with
region_names as (
    select
        r.raw_region,
        coalesce(
            [x for x in cast($regions as varchar[]) if x = r.raw_region][1],
            [x for x in cast($regions as varchar[]) if contains(r.raw_region, x)][1],
            [x for x in cast($regions as varchar[])
             if x in (r.raw_region || '市', r.raw_region || '区', r.raw_region || '县', r.raw_region || '地区')][1]
        ) as listed_region
    from (select distinct nullif(trim(a.region), '') as raw_region from alliances as a) as r
)
select
    a.rowid as alliance_key,
    a.alliance_id,
    coalesce(n.listed_region, n.raw_region, status_word('unfilled')) as region,
    cast(list_position(cast($regions as varchar[]), n.listed_region) as integer) as position,
    n.raw_region
from alliances as a
left join region_names as n on n.raw_region is not distinct from nullif(trim(a.region), '')
