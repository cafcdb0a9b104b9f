-- alliance_subsidies：联盟补贴明细
--
-- What:
--   Every subsidy of the alliance $alliance_id whose 年度 is on or before the year of $as_of,
--   recovered ones included, with the profile's cap for its type and whether it counts in
--   the total (not 已收回).
--
-- Parameters:
--   $as_of            date       统计截止日期：只列补贴所属年度 ≤ as_of 所在年的
--   $alliance_id      varchar    联盟编号
--
-- Columns:
--   year              年度            补贴所属年度
--   kind              补贴类型        备案补贴/国家试点补贴/评估补贴/项目经费/其他
--   amount_wan        金额（万元）    金额，万元（元 ÷ 10000，精确）
--   status            拨付状态        已拨付/已收回
--   counted           计入合计        不是已收回的（与 alliance_detail 的累计补贴、subsidy_totals 一致）
--   paid_date         拨付日期        拨付日期
--   doc_no            文号            拨付文件文号
--   cap_wan           上限（万元）    政策配置中该类型的补贴上限；未规定时为空
--
-- Caveats:
--   - No rows when no alliance has this id or it is outside scope_alliances (the dashboard's
--     region/level/cluster filters).
--   - cap_wan is shown for reference; subsidy_cap_check compares caps with the sum per type
--     and year.
--   - Ordered by year, then payment date (blank last), then type.

with

final as (
    select
        s.year,
        s.kind,
        s.amount_yuan * 0.0001 as amount_wan,
        s.status,
        s.status is distinct from '已收回' as counted,
        s.paid_date,
        s.doc_no,
        c.cap_wan
    from subsidies as s
    inner join scope_alliances as sc on sc.alliance_id = s.alliance_id
    left join profile_caps as c on c.kind = s.kind
    where s.alliance_id = $alliance_id
      and s.year <= year($as_of)
)

select * from final order by year, paid_date nulls last, kind
