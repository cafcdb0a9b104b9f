-- region_distribution：区域分布
--
-- What:
--   Alliances by 所属区域 on $as_of: one row for every region in the profile's list (zero rows
--   included, in list order), then regions outside the list as written, then 未填.
--
-- Parameters:
--   $as_of              date        统计截止日期
--   $regions            varchar[]   本辖区的区域清单（政策配置 regions.list）
--   $neighbour_places   varchar[]   周边协同地区地名（alliance_members 的参数）
--
-- Columns:
--   region              所属区域          区域名称：清单中的区域、清单外的原文，或“未填”
--   in_list             属于清单          是政策配置区域清单中的区域
--   alliances_active    在册联盟数        as_of 当日在册的联盟数
--   share               占比              在册联盟数 ÷ 全部在册联盟数（0–1）；没有在册联盟时为空
--   filed_total         累计备案          备案日期 ≤ as_of 的联盟数，含已撤销的
--   members             成员单位数        在册联盟在 as_of 当日的成员（联盟×单位计）
--   subsidy_wan         补贴（万元）      该区域所有联盟（含已撤销的）所属年度 ≤ as_of 所在年的补贴合计，不含已收回
--
-- Caveats:
--   - Region matching (the runner's context table alliance_region, shared with subsidy_totals and
--     the region filter): equal to a listed region, else containing one (天津市南开区 → 南开区),
--     else the listed region is the text plus 市/区/县/地区 (南开 → 南开区); the first match in
--     list order wins. Unmatched text is shown as written, never guessed.
--   - Regions outside the list appear only when they have an alliance filed or money paid; 未填
--     is always shown.
--   - Filters (scope_alliances) restrict the alliances counted, never the listed rows: every
--     region of the profile's list and 未填 are shown, with zeros outside the scope; share is of
--     the alliances in scope. Unlisted texts appear only when in scope.

with

-- the alliances in scope (scope_alliances) with their region: alliance_region is the runner's
-- region rule, each 所属区域 aligned to the profile's list (see the caveats)
bucketed as (
    select
        sc.alliance_key,
        a.alliance_id,
        a.filed_date,
        r.region,
        case
            when r.position is not null then r.position
            when r.raw_region is not null then 1000000
            else 2147483647
        end as sort_key
    from alliances as a
    inner join scope_alliances as sc on sc.alliance_key = a.rowid
    inner join alliance_region as r on r.alliance_key = a.rowid
),

-- alliance_members' rows (context macro alliance_members_on): one per alliance in scope in the registry on as_of
member_counts as (
    select b.region, count(*) as alliances_active, sum(m.members) as members
    from alliance_members_on($as_of, scope_alliances, $neighbour_places) as m
    inner join bucketed as b on b.alliance_key = m.alliance_key
    group by b.region
),

subsidy_sums as (
    select b.region, sum(s.amount_yuan) as amount_yuan
    from subsidies_counted($as_of) as s
    inner join bucketed as b on b.alliance_id = s.alliance_id
    group by b.region
),

alliance_counts as (
    select
        b.region,
        min(b.sort_key) as sort_key,
        count(*) filter (where b.filed_date <= $as_of) as filed_total
    from bucketed as b
    group by b.region
),

regions as (
    select unnest(cast($regions as varchar[])) as region,
           unnest(range(1, len(cast($regions as varchar[])) + 1)) as sort_key
    union all
    select c.region, c.sort_key
    from alliance_counts as c
    left join subsidy_sums as s on s.region = c.region
    where c.sort_key = 1000000 and c.region <> status_word('unfilled') and (c.filed_total > 0 or s.region is not null)
    union all
    select status_word('unfilled'), 2147483647
),

final as (
    select
        r.region,
        r.sort_key < 1000000 as in_list,
        coalesce(m.alliances_active, 0) as alliances_active,
        -- of all rows' alliances: each alliance has one region (alliance_region), so one row counts it
        coalesce(m.alliances_active, 0) / nullif(sum(m.alliances_active) over (), 0) as share,
        coalesce(c.filed_total, 0) as filed_total,
        cast(coalesce(m.members, 0) as bigint) as members,
        coalesce(s.amount_yuan, 0) * 0.0001 as subsidy_wan,
        r.sort_key
    from regions as r
    left join alliance_counts as c on c.region = r.region
    left join member_counts as m on m.region = r.region
    left join subsidy_sums as s on s.region = r.region
)

select * exclude (sort_key) from final order by sort_key, region
