-- alliance_events：联盟评审记录
--
-- What:
--   The recorded events of the alliance $alliance_id on or before $as_of — application and
--   review stages, filing, national pilot, annual reports, evaluations, re-reviews,
--   revocation — in date order, with their results and scores.
--
-- Parameters:
--   $as_of            date       统计截止日期：只列日期 ≤ as_of 的事项
--   $alliance_id      varchar    联盟编号
--
-- Columns:
--   event_date        日期          事项发生（完成）日期
--   event_type        事项          申请/形式审查/技术审查/专家评审/公示/备案/纳入国家试点/年度报告/三年评估/复审/撤销/解散
--   result            结果          通过/不通过/优秀/良好/合格/不合格；未记录时为空
--   passed            是否通过      结果为通过、优秀、良好、合格时为是，不通过、不合格时为否，未记录结果时为空
--   score             得分          评审得分（0–100）
--   note              备注          备注
--   stage_position    环节顺序      事项在联盟生命周期中的顺序（申请 = 1 … 解散 = 12），供图表排列
--
-- Caveats:
--   - No rows when no alliance has this id or it is outside scope_alliances (the dashboard's
--     region/level/cluster filters).
--   - Events on the same day are ordered by their place in the lifecycle.

with

stages as (
    select ['申请', '形式审查', '技术审查', '专家评审', '公示', '备案', '纳入国家试点', '年度报告',
            '三年评估', '复审', '撤销', '解散'] as names
),

final as (
    select
        e.event_date,
        e.event_type,
        e.result,
        case
            when e.result in ('通过', '优秀', '良好', '合格') then true
            when e.result in ('不通过', '不合格') then false
        end as passed,
        e.score,
        e.note,
        cast(list_position(s.names, e.event_type) as integer) as stage_position
    from events as e
    inner join scope_alliances as sc on sc.alliance_id = e.alliance_id
    cross join stages as s
    where e.alliance_id = $alliance_id
      and e.event_date <= $as_of
)

select * from final order by event_date, stage_position, event_type
