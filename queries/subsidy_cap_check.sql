-- subsidy_cap_check：补贴上限核对
--
-- What:
--   Each alliance's subsidies summed by 补贴类型 and 年度, against the profile's cap for that
--   type (e.g. Tianjin: 备案补贴 ≤ 50 万元, 评估补贴 ≤ 30 万元). Over-cap rows come first.
--
-- Parameters:
--   $as_of        date       统计截止日期：只计补贴所属年度 ≤ as_of 所在年的
--   $year_from    integer = 0               年份范围起：只计补贴所属年度 ≥ 此年；0 = 不限
--   $year_to      integer = as_of.year      年份范围止：只计补贴所属年度 ≤ 此年（且 ≤ as_of 所在年）
--
-- Columns:
--   alliance      联盟名称        联盟名称
--   kind          补贴类型        补贴类型
--   year          年度            补贴所属年度
--   amount_wan    金额（万元）    该联盟该年度该类型的补贴合计，不含已收回
--   cap_wan       上限（万元）    政策配置中该类型的补贴上限；政策未规定上限时为空
--   over_cap      超上限          金额 > 上限；没有上限时为 false
--   alliance_id   联盟编号        联盟编号
--   payments      笔数            合计所含的补贴笔数
--   excess_wan    超出（万元）    金额 − 上限（超上限时），否则为 0；没有上限时为空
--
-- Caveats:
--   - The cap is compared with the sum per alliance, type and year: two payments of one
--     filing subsidy in one year are added up. A cap meant per filing or per evaluation
--     spread over two years is not detected.
--   - Rows with status 已收回 are excluded (money returned does not count against the cap).
--   - Every (alliance, type, year) with money is listed, capped or not.
--   - Subsidies of the alliances in scope_alliances only (the dashboard's filters).

with

paid as (
    select sc.alliance_key, s.kind, s.year, s.amount_yuan
    from subsidies_counted($as_of, year_from := $year_from, year_to := $year_to) as s
    inner join scope_alliances as sc on sc.alliance_id = s.alliance_id
),

grouped as (
    select
        p.alliance_key,
        p.kind,
        p.year,
        sum(p.amount_yuan) * 0.0001 as amount_wan,
        count(*) as payments
    from paid as p
    group by all
),

final as (
    select
        a.name as alliance,
        g.kind,
        g.year,
        g.amount_wan,
        c.cap_wan,
        coalesce(g.amount_wan > c.cap_wan, false) as over_cap,
        a.alliance_id,
        g.payments,
        case when c.cap_wan is not null then greatest(g.amount_wan - c.cap_wan, 0) end as excess_wan
    from grouped as g
    inner join alliances as a on a.rowid = g.alliance_key
    left join profile_caps as c on c.kind = g.kind
)

select * from final
order by over_cap desc, year, alliance_id, subsidy_kind_position(kind)
