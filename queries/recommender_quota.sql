-- recommender_quota：推荐限额核对
--
-- What:
--   How many alliances each recommending body (推荐单位: a city, a provincial department or an
--   industry association) put forward in each year, against the profile's cap (Zhejiang 四（七）:
--   各市、省级有关部门和行业协会限额推荐1-2个 → at most 2), and which exceed it.
--
-- Parameters:
--   $as_of             date       统计截止日期
--   $recommender_max   integer    每个推荐单位每年最多推荐的联盟数；0 = 不设限额（不判断超额）
--
-- Columns:
--   recommender        推荐单位          推荐单位（原文去首尾空白）；未填的联盟归为“未填”
--   year               推荐年度          申请日期所在年，没有申请日期则按备案（确定）日期
--   recommended        推荐数            该单位该年推荐的联盟数（含之后撤销的）
--   quota              限额              政策规定的每年上限；不设限额时为空
--   excess             超出              推荐数 − 限额（不超过时为 0）；“未填”行和不设限额时为空
--   over_quota         超限额            推荐数大于限额（“未填”行和不设限额时为 false）
--   alliances          联盟              该单位该年推荐的联盟名称，按日期排列
--
-- Caveats:
--   - An alliance counts in the year of its application (申请日期), else of its filing; only those
--     applied for or filed on or before as_of. The notice's first batch closed 2010-08-10 and later
--     ones are rolling (四（八）), so the cap is checked per calendar year.
--   - Recommenders are compared as written after trimming: 杭州市科技局 and 杭州市科学技术局 are two.
--   - Alliances in scope_alliances only (the dashboard's filters).

with

recommended as (
    select
        coalesce(nullif(trim(a.recommender), ''), status_word('unfilled')) as recommender,
        year(coalesce(a.applied_date, a.filed_date)) as year,
        coalesce(a.applied_date, a.filed_date) as day,
        a.name
    from alliances as a
    inner join scope_alliances as sc on sc.alliance_key = a.rowid
    where coalesce(a.applied_date, a.filed_date) <= $as_of
),

counted as (
    select
        r.recommender,
        r.year,
        count(*) as recommended,
        string_agg(r.name, '、' order by r.day, r.name) as alliances
    from recommended as r
    group by r.recommender, r.year
),

final as (
    select
        c.recommender,
        c.year,
        c.recommended,
        case when $recommender_max > 0 then $recommender_max end as quota,
        case when $recommender_max > 0 and c.recommender <> status_word('unfilled')
            then greatest(c.recommended - $recommender_max, 0) end as excess,
        $recommender_max > 0 and c.recommender <> status_word('unfilled') and c.recommended > $recommender_max as over_quota,
        c.alliances
    from counted as c
)

select * from final
order by over_quota desc, excess desc nulls last, year, recommender
