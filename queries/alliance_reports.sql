-- alliance_reports：联盟年度报告
--
-- What:
--   The annual reports of the alliance $alliance_id submitted by $as_of, latest year first,
--   with the year's outputs (activities, joint projects, new members, standards, patents,
--   transfers) and whether each came in by the profile's due date.
--
-- Parameters:
--   $as_of                date       统计截止日期：只列年度 ≤ as_of 所在年、且提交日期为空或 ≤ as_of 的报告
--   $alliance_id          varchar    联盟编号
--   $report_due_month     integer    年度报告截止月；NULL = 不要求年报
--   $report_due_day       integer    年度报告截止日
--
-- Columns:
--   year                  年度              报告所属年度
--   submitted_date        提交日期          报告提交日期
--   due_date              截止日期          该年度报告的截止日期（政策配置 review.report_due，落在该年度内）；不要求年报时为空
--   on_time               按时提交          提交日期 ≤ 截止日期；无截止日期或无提交日期时为空
--   activities            开展活动次数      本年度开展活动次数
--   joint_projects        联合攻关项目数    本年度联合攻关项目数
--   new_members           新增成员数        本年度新增成员单位数
--   standards             制定标准数        本年度制定标准数
--   patents               专利数            本年度专利数
--   transfers             成果转化数        本年度科技成果转化数
--
-- Caveats:
--   - The same reports review_schedule counts as submitted (its last_report_year is the
--     first row's year here).
--   - A due date of 02-29 falls on 28 February in other years.
--   - No rows when no alliance has this id or it is outside scope_alliances (the dashboard's
--     region/level/cluster filters).

with

final as (
    select
        r.year,
        r.submitted_date,
        case when $report_due_month is not null
            then least(make_date(r.year, $report_due_month, 1) + ($report_due_day - 1),
                       last_day(make_date(r.year, $report_due_month, 1)))
        end as due_date,
        r.activities,
        r.joint_projects,
        r.new_members,
        r.standards,
        r.patents,
        r.transfers
    from annual_reports as r
    inner join scope_alliances as sc on sc.alliance_id = r.alliance_id
    where r.alliance_id = $alliance_id
      and r.year <= year($as_of)
      and (r.submitted_date is null or r.submitted_date <= $as_of)
)

select
    f.year, f.submitted_date, f.due_date, f.submitted_date <= f.due_date as on_time,
    f.activities, f.joint_projects, f.new_members, f.standards, f.patents, f.transfers
from final as f
order by f.year desc
