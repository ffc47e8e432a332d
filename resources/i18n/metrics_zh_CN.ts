<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>MetricsPanel</name>
    <message>
        <source>Closed today</source>
        <translation>今日结案</translation>
    </message>
    <message>
        <source>Cases closed since midnight, whenever they are due. The rates above count cases by their handling deadline, so closing a case due tomorrow moves tomorrow's rates, not today's.</source>
        <translation>今日零时以来结案的案件数，不论其期限在哪天。上方各项比率按处置期限统计：期限在明天的案件今天结案，计入明天的比率，而不是今天的。</translation>
    </message>
    <message>
        <source>Cases due: their handling deadline falls in the period; parked cases are not counted. A case closed today that is due tomorrow counts tomorrow (see Closed today).</source>
        <translation>应结案数：处置期限落在本期内的案件，挂账案件不计。期限在明天、今天已结案的案件计入明天（见“今日结案”）。</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>综合评价</translation>
    </message>
    <message>
        <source>This shift</source>
        <translation>本班</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>本周</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Exercise data only</source>
        <translation>仅演练数据</translation>
    </message>
    <message>
        <source>Cases due: their handling deadline falls in the period; parked cases are not counted.</source>
        <translation>应结案：处置期限落在本期内的案件；挂账案件不计入。</translation>
    </message>
    <message>
        <source>Closure rate</source>
        <translation>结案率</translation>
    </message>
    <message>
        <source>Closed ÷ cases due</source>
        <translation>已结案 ÷ 应结案</translation>
    </message>
    <message>
        <source>On-time closure</source>
        <translation>按期结案率</translation>
    </message>
    <message>
        <source>Closed, and handled on time ÷ cases due</source>
        <translation>按期处置且已结案 ÷ 应结案</translation>
    </message>
    <message>
        <source>On-time handling</source>
        <translation>按期处置率</translation>
    </message>
    <message>
        <source>Handled on time ÷ cases due</source>
        <translation>按期处置 ÷ 应结案</translation>
    </message>
    <message>
        <source>Rework rate</source>
        <translation>返工率</translation>
    </message>
    <message>
        <source>Sent back for rework ÷ cases due</source>
        <translation>核查不通过返工 ÷ 应结案</translation>
    </message>
    <message>
        <source>Extension rate</source>
        <translation>延期率</translation>
    </message>
    <message>
        <source>Given an extension ÷ cases due</source>
        <translation>批准延期 ÷ 应结案</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>在办</translation>
    </message>
    <message>
        <source>Open cases right now</source>
        <translation>当前在办案件</translation>
    </message>
    <message>
        <source>Overdue handling</source>
        <translation>处置超期</translation>
    </message>
    <message>
        <source>Open cases the unit still owes past their handling deadline</source>
        <translation>已过处置期限、责任单位仍未处置完毕的在办案件</translation>
    </message>
    <message>
        <source>Carded</source>
        <translation>亮牌</translation>
    </message>
    <message>
        <source>Open cases with a yellow or red card</source>
        <translation>被亮黄牌或红牌的在办案件</translation>
    </message>
    <message>
        <source>Parked</source>
        <translation>挂账</translation>
    </message>
    <message>
        <source>Open cases whose clock is paused</source>
        <translation>计时已暂停（挂账）的在办案件</translation>
    </message>
    <message>
        <source>Discovery → registration</source>
        <translation>发现→立案</translation>
    </message>
    <message>
        <source>Registration → dispatch</source>
        <translation>立案→派遣</translation>
    </message>
    <message>
        <source>Dispatch → signed for</source>
        <translation>派遣→签收</translation>
    </message>
    <message>
        <source>Dispatch → handled</source>
        <translation>派遣→处置完毕</translation>
    </message>
    <message>
        <source>Discovery → closed</source>
        <translation>发现→结案</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>环节</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>样本</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>应结</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>按期</translation>
    </message>
    <message>
        <source>Rework</source>
        <translation>返工</translation>
    </message>
    <message>
        <source>Volume score + 30 × closure rate + 30 × on-time handling rate + 30 × (1 − rework rate)</source>
        <translation>得分 = 量分 + 30×结案率 + 30×按期处置率 + 30×(1 − 返工率)</translation>
    </message>
    <message>
        <source>Cases due in the period</source>
        <translation>本期应结案件数</translation>
    </message>
    <message>
        <source>Handled on time</source>
        <translation>按期处置</translation>
    </message>
    <message>
        <source>Sent back for rework</source>
        <translation>核查不通过返工</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>操作数</translation>
    </message>
    <message>
        <source>Most done</source>
        <translation>主要操作</translation>
    </message>
    <message>
        <source>Right now</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>Stage durations (median / 90th percentile)</source>
        <translation>环节时长（中位数 / 90分位）</translation>
    </message>
    <message>
        <source>Responsible units by score</source>
        <translation>责任单位（按得分）</translation>
    </message>
    <message>
        <source>Operators</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>Working out the evaluation…</source>
        <translation>正在计算综合评价…</translation>
    </message>
    <message>
        <source>As of %1</source>
        <translation>更新于 %1</translation>
    </message>
    <message>
        <source>%1 · %2 cases due</source>
        <translation>%1 · 应结案 %2 件</translation>
    </message>
    <message>
        <source>%1 · %2 parked, not counted</source>
        <translation>%1 · 另有挂账 %2 件不计</translation>
    </message>
    <message>
        <source>Nothing due in this period</source>
        <translation>本期无应结案件</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>Closure %1</source>
        <translation>结案率 %1</translation>
    </message>
    <message>
        <source>on-time closure %1</source>
        <translation>按期结案率 %1</translation>
    </message>
    <message>
        <source>on-time handling %1</source>
        <translation>按期处置率 %1</translation>
    </message>
    <message>
        <source>rework %1</source>
        <translation>返工率 %1</translation>
    </message>
    <message>
        <source>extension %1</source>
        <translation>延期率 %1</translation>
    </message>
    <message>
        <source>%1 parked</source>
        <translation>挂账 %1 件</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
</context>
</TS>
