-- alliance_detail：联盟档案
--
-- What:
--   One row of facts about the alliance $alliance_id: its registry entry (lead unit, region,
--   field and cluster, level, status, dates, division, contact), whether it is in the registry
--   on $as_of, its current members, the subsidies it has received, and its evaluation, annual
--   report and agreement dates as review_schedule computes them (context macro review_schedule_on, this
--   alliance's row only).
--
-- Parameters:
--   $as_of                  date       统计截止日期
--   $alliance_id            varchar    联盟编号
--   $cycle_years            integer    评估/复审周期（年）（review_schedule 的参数，下同）
--   $report_due_month       integer    年度报告截止月
--   $report_due_day         integer    年度报告截止日
--   $agreement_term_years   integer    协议期限（年）
--   $overdue_action         varchar    逾期的后果
--
-- Columns:
--   alliance_id             联盟编号          联盟编号
--   alliance                联盟名称          联盟名称
--   lead_unit               对外责任主体单位  对外责任主体单位
--   region                  所属区域          对齐到政策配置区域清单的区域；清单外的按原文，空白为“未填”
--   raw_region              所属区域（原文）  名录中填写的所属区域
--   field                   产业领域          名录中填写的产业领域（原文）
--   cluster                 产业集群          按政策配置的分类体系归入的集群；未能归入的为“未归类”
--   cluster_reason          归类依据          命中的关键词、人工指定，或未归类的原因
--   level                   级别              国家级/省级/市级
--   status                  状态              登记的状态，按名录原样
--   in_registry             在册              备案日期 ≤ as_of，且未在 as_of 当日或之前撤销、解散
--   founded_date            成立日期          成立（组建）日期
--   agreement_date          协议签署日期      联盟协议签署日期
--   applied_date            申请日期          申请备案（认定）日期
--   filed_date              备案日期          备案（认定）日期
--   national_pilot_date     纳入国家试点日期  纳入国家级试点的日期
--   revoked_date            撤销日期          撤销（解散）日期
--   division                归口处室          局内负责的处室
--   recommender             推荐单位          推荐单位
--   staff_count             专职人员数        常设机构专职人员数
--   contact_person          联系人            联系人（个人信息，页面仅对编辑显示）
--   contact_phone           联系电话          联系电话（个人信息，页面仅对编辑显示）
--   member_count            成员单位数        as_of 当日的成员：加入日期为空或 ≤ as_of，且退出日期为空或晚于 as_of
--   core_member_count       核心成员数        其中“是否核心成员”为是的
--   subsidy_total_wan       累计补贴（万元）  所属年度 ≤ as_of 所在年的补贴合计，不含已收回
--   subsidy_count           补贴笔数          上述补贴的笔数
--   last_evaluation_date    最近评估日期      同 review_schedule；不在册时为空
--   next_evaluation_due     下次评估日期      同 review_schedule；不在册或政策不设周期时为空
--   evaluation_status       评估状态          同 review_schedule 的评估状态（逾期/即将到期/正常）；不在册时为空
--   days_to_due             距到期天数        下次评估日期 − as_of（负数为已逾期天数）
--   last_report_year        最近年报年度      同 review_schedule；不在册时为空
--   report_year             应交年报年度      同 review_schedule；不要求年报或尚不须提交时为空
--   report_missing          年报未交          同 review_schedule；不在册时为空
--   agreement_expiry        协议到期日        同 review_schedule：协议签署日期 + 协议期限年数；不设期限、无签署日期或不在册时为空
--
-- Caveats:
--   - No row when no alliance has this id, or when it is outside scope_alliances (the
--     dashboard's region/level/cluster filters).
--   - Members and subsidies are counted whether or not the alliance is in the registry on
--     as_of (a revoked alliance keeps its history); the review columns come from
--     review_schedule, which lists only alliances in the registry on as_of.
--   - contact_person and contact_phone are personal data: the query returns them, the page
--     shows them to editors only.

with

alliance as (
    select a.*, sc.alliance_key
    from alliances as a
    inner join scope_alliances as sc on sc.alliance_key = a.rowid
    where a.alliance_id = $alliance_id
),

current_members as (
    select count(*) as member_count, count_if(m.is_core) as core_member_count
    from members as m
    where m.alliance_id = $alliance_id
      and member_current(m.joined_date, m.left_date, $as_of)
),

paid as (
    select coalesce(sum(s.amount_yuan), 0) * 0.0001 as subsidy_total_wan, count(*) as subsidy_count
    from subsidies_counted($as_of) as s
    where s.alliance_id = $alliance_id
),

final as (
    select
        a.alliance_id,
        a.name as alliance,
        a.lead_unit,
        coalesce(r.region, status_word('unfilled')) as region,
        r.raw_region,
        a.field,
        coalesce(c.cluster, status_word('unclassified')) as cluster,
        c.reason as cluster_reason,
        a.level,
        a.status,
        in_registry(a.filed_date, a.revoked_date, $as_of)
            as in_registry,
        a.founded_date,
        a.agreement_date,
        a.applied_date,
        a.filed_date,
        a.national_pilot_date,
        a.revoked_date,
        a.division,
        a.recommender,
        a.staff_count,
        a.contact_person,
        a.contact_phone,
        m.member_count,
        m.core_member_count,
        p.subsidy_total_wan,
        p.subsidy_count,
        rs.last_evaluation_date,
        rs.next_evaluation_due,
        rs.status as evaluation_status,
        rs.days_to_due,
        rs.last_report_year,
        rs.report_year,
        rs.report_missing,
        rs.agreement_expiry
    from alliance as a
    cross join current_members as m
    cross join paid as p
    left join alliance_cluster as c on c.alliance_key = a.alliance_key
    left join alliance_region as r on r.alliance_key = a.alliance_key
    left join (
        select * from review_schedule_on($as_of, scope_alliances, $cycle_years, $report_due_month, $report_due_day,
                                         $agreement_term_years, $overdue_action)
        where alliance_id = $alliance_id
    ) as rs on rs.alliance_id = a.alliance_id
)

select * from final
