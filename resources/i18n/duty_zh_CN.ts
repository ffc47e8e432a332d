<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActionForm</name>
    <message>
        <source>The caller is satisfied</source>
        <translation>来电人满意</translation>
    </message>
    <message>
        <source>Extension</source>
        <translation>延期时长</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>督办牌</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>working hours</source>
        <translation>工作小时</translation>
    </message>
    <message>
        <source>working days</source>
        <translation>工作日</translation>
    </message>
</context>
<context>
    <name>CasePanel</name>
    <message>
        <source>Select a case in the queue (J/K, Enter).</source>
        <translation>请在队列中选择案件（J/K 移动，回车打开）。</translation>
    </message>
    <message>
        <source>Your role has no actions on this case.</source>
        <translation>您的角色对此案件没有可执行的操作。</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>District / grid</source>
        <translation>区 / 网格</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Discovered</source>
        <translation>发现时间</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>派遣指令</translation>
    </message>
    <message>
        <source>%1 · not yet received by the platform (sent %2)</source>
        <translation>%1 · 平台尚未接收（%2 发出）</translation>
    </message>
    <message>
        <source>%1 · received by the platform %2</source>
        <translation>%1 · 平台已于 %2 接收</translation>
    </message>
    <message>
        <source>Returned · reworked · reopened</source>
        <translation>回退 · 返工 · 重办</translation>
    </message>
    <message>
        <source>Merged into</source>
        <translation>已并入</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Register by</source>
        <translation>立案时限</translation>
    </message>
    <message>
        <source>Sign for by</source>
        <translation>签收时限</translation>
    </message>
    <message>
        <source>Handle by</source>
        <translation>处置时限</translation>
    </message>
    <message>
        <source>Check by</source>
        <translation>核查时限</translation>
    </message>
    <message>
        <source>Deadlines</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>概要</translation>
    </message>
    <message>
        <source>Reports (%1)</source>
        <translation>报告（%1）</translation>
    </message>
    <message>
        <source>Timeline (%1)</source>
        <translation>时间线（%1）</translation>
    </message>
</context>
<context>
    <name>CaseVideo</name>
    <message>
        <source>Show camera (%1)</source>
        <translation>查看摄像头（%1）</translation>
    </message>
    <message>
        <source>Cameras on the scene (%1)</source>
        <translation>现场摄像机（%1）</translation>
    </message>
    <message>
        <source>Snapshots (%1):</source>
        <translation>抓图证据（%1）：</translation>
    </message>
</context>
<context>
    <name>CaseWords</name>
    <message>
        <source>Discovered</source>
        <translation>发现</translation>
    </message>
    <message>
        <source>Send to verification</source>
        <translation>送核实</translation>
    </message>
    <message>
        <source>Confirm report</source>
        <translation>核实属实</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>立案</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Merge duplicate</source>
        <translation>并案</translation>
    </message>
    <message>
        <source>Dispatch</source>
        <translation>派遣</translation>
    </message>
    <message>
        <source>Signed for (by phone)</source>
        <translation>代录签收</translation>
    </message>
    <message>
        <source>Work started</source>
        <translation>开始处置</translation>
    </message>
    <message>
        <source>Unit asks to return</source>
        <translation>代录回退申请</translation>
    </message>
    <message>
        <source>Approve return</source>
        <translation>同意回退</translation>
    </message>
    <message>
        <source>Reject return</source>
        <translation>驳回回退</translation>
    </message>
    <message>
        <source>Ask for extension</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <source>Approve extension</source>
        <translation>批准延期</translation>
    </message>
    <message>
        <source>Reject extension</source>
        <translation>驳回延期</translation>
    </message>
    <message>
        <source>Park (pause clock)</source>
        <translation>挂账（暂停计时）</translation>
    </message>
    <message>
        <source>Resume clock</source>
        <translation>恢复计时</translation>
    </message>
    <message>
        <source>Handled (by phone)</source>
        <translation>代录处置完成</translation>
    </message>
    <message>
        <source>Fixed on the spot</source>
        <translation>自行处置</translation>
    </message>
    <message>
        <source>Start check</source>
        <translation>开始核查</translation>
    </message>
    <message>
        <source>Check failed: rework</source>
        <translation>核查不通过，返工</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>Record evaluation</source>
        <translation>录入评价</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重办</translation>
    </message>
    <message>
        <source>Archive</source>
        <translation>归档</translation>
    </message>
    <message>
        <source>Supervise (督办)</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Card raised</source>
        <translation>亮牌</translation>
    </message>
    <message>
        <source>Acknowledge alert</source>
        <translation>确认提醒</translation>
    </message>
    <message>
        <source>Evidence attached</source>
        <translation>附加证据</translation>
    </message>
    <message>
        <source>Source updated the report</source>
        <translation>来源更新了报告</translation>
    </message>
    <message>
        <source>%1 registered.</source>
        <translation>%1 已立案。</translation>
    </message>
    <message>
        <source>%1 dispatched to %2.</source>
        <translation>%1 已派遣至 %2。</translation>
    </message>
    <message>
        <source>%1 merged into %2.</source>
        <translation>%1 已并入 %2。</translation>
    </message>
    <message>
        <source>%1 closed.</source>
        <translation>%1 已结案。</translation>
    </message>
    <message>
        <source>%1 voided.</source>
        <translation>%1 已作废。</translation>
    </message>
    <message>
        <source>%1: %2 done.</source>
        <translation>%1：已完成“%2”。</translation>
    </message>
    <message>
        <source>The case no longer exists.</source>
        <translation>该案件已不存在。</translation>
    </message>
    <message>
        <source>%1 is not possible for a case that is %2.</source>
        <translation>案件处于“%2”状态，不能执行“%1”。</translation>
    </message>
    <message>
        <source>Your role (%1) may not do this: %2.</source>
        <translation>您的角色（%1）无权执行：%2。</translation>
    </message>
    <message>
        <source>%1 needs a reason.</source>
        <translation>“%1”需要填写理由。</translation>
    </message>
    <message>
        <source>%1 is missing something it needs.</source>
        <translation>“%1”缺少必要信息。</translation>
    </message>
    <message>
        <source>An exercise case and a real case never merge.</source>
        <translation>演练案件与真实案件不能合并。</translation>
    </message>
    <message>
        <source>%1: nothing is waiting for that.</source>
        <translation>%1：当前没有待处理的申请。</translation>
    </message>
    <message>
        <source>%1 was changed while you were looking at it: %2 (%3) did “%4” at %5. The case has been refreshed; check it and try again.</source>
        <translation>%1 在您查看期间已被修改：%2（%3）于 %5 执行了“%4”。案件已刷新，请核对后重试。</translation>
    </message>
    <message>
        <source>%1 was changed while you were looking at it; it has been refreshed.</source>
        <translation>%1 在您查看期间已被修改，已刷新。</translation>
    </message>
    <message>
        <source>The desk could not do this: %1</source>
        <translation>值班台无法完成此操作：%1</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>剩余 %1</translation>
    </message>
    <message>
        <source>%1 over</source>
        <translation>超时 %1</translation>
    </message>
    <message>
        <source>%1 d %2</source>
        <translation>%1天 %2</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Open cases</source>
        <translation>在办案件</translation>
    </message>
    <message>
        <source>Needs triage</source>
        <translation>待分拣</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>已立案</translation>
    </message>
    <message>
        <source>Being handled</source>
        <translation>处置中</translation>
    </message>
    <message>
        <source>Handled and checking</source>
        <translation>待核查</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Void or merged</source>
        <translation>作废或已并案</translation>
    </message>
    <message>
        <source>All, with history</source>
        <translation>全部（含历史）</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <source>All levels</source>
        <translation>全部等级</translation>
    </message>
    <message>
        <source>All districts</source>
        <translation>全部区县</translation>
    </message>
    <message>
        <source>All sources</source>
        <translation>全部来源</translation>
    </message>
</context>
<context>
    <name>DispatchDialog</name>
    <message>
        <source>Dispatch</source>
        <translation>派遣</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Travel time</source>
        <translation>行程时间</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>直线距离</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Dispatch (Enter)</source>
        <translation>派遣（回车）</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消（Esc）</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>指令模板</translation>
    </message>
    <message>
        <source>Instructions</source>
        <translation>处置指令</translation>
    </message>
    <message>
        <source>%1 · %2
%3 · %4</source>
        <translation>%1 · %2
%3 · %4</translation>
    </message>
    <message>
        <source>%1 (routing rule)</source>
        <translation>%1（分拨规则）</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 km</source>
        <translation>%1 公里</translation>
    </message>
    <message>
        <source>Free</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <source>Go to the scene at once, handle it and report back with photos.</source>
        <translation>请立即赶赴现场处置，并附照片反馈。</translation>
    </message>
    <message>
        <source>Check the site, handle it within the deadline and report the result.</source>
        <translation>请现场核查，在时限内处置并反馈结果。</translation>
    </message>
    <message>
        <source>Fire alarm: send a crew at once, confirm the fire and report within 10 minutes.</source>
        <translation>火情报警：请立即出动，确认火情并于10分钟内反馈。</translation>
    </message>
    <message>
        <source>Hazardous chemicals: cordon off the area, keep people away, report the substance.</source>
        <translation>危化品异常：请设置警戒区、疏散人员，并报告物质种类。</translation>
    </message>
    <message>
        <source>Traffic accident: secure the scene, clear the lane, report injuries and the queue.</source>
        <translation>交通事故：请保护现场、疏通车道，报告伤亡和排队情况。</translation>
    </message>
    <message>
        <source>Crowding: disperse and guide the crowd; report every 15 minutes.</source>
        <translation>人群聚集：请疏导分流，每15分钟报告一次。</translation>
    </message>
    <message>
        <source>Waterlogging: pump the water, put up warning signs, close the road above 15 cm.</source>
        <translation>积水：请抽排积水、设置警示，水深超过15厘米时封闭道路。</translation>
    </message>
    <message>
        <source>Water level: patrol the embankment and report the level every 30 minutes.</source>
        <translation>水位超限：请巡查堤防，每30分钟报告一次水位。</translation>
    </message>
    <message>
        <source>Manhole cover: fence it off at once, replace it and report with photos.</source>
        <translation>井盖异常：请立即围挡、更换井盖，并附照片反馈。</translation>
    </message>
    <message>
        <source>Illegal parking: reach the owner or tow the vehicle; report with photos.</source>
        <translation>违章停车：请联系车主或拖移车辆，并附照片反馈。</translation>
    </message>
    <message>
        <source>Garbage overflow: empty the bins, clean the site, send before/after photos.</source>
        <translation>垃圾满溢：请清运垃圾、清洁现场，反馈处置前后照片。</translation>
    </message>
    <message>
        <source>Construction site: stop the violation on site and report what was done.</source>
        <translation>工地违规：请现场制止违规行为并反馈处理情况。</translation>
    </message>
    <message>
        <source>Air quality: inspect the sources nearby and report the measures taken.</source>
        <translation>空气质量超标：请排查周边污染源并反馈所采取的措施。</translation>
    </message>
</context>
<context>
    <name>DutyController</name>
    <message>
        <source>Duty lead (demo)</source>
        <translation>值班长（演示）</translation>
    </message>
    <message>
        <source>Nobody signed in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
</context>
<context>
    <name>DutyDesk</name>
    <message>
        <source>Duty desk</source>
        <translation>值班台</translation>
    </message>
    <message>
        <source>Keys (F1)</source>
        <translation>快捷键（F1）</translation>
    </message>
    <message>
        <source>Show the keys</source>
        <translation>显示快捷键</translation>
    </message>
    <message>
        <source>Back to the queue</source>
        <translation>返回队列</translation>
    </message>
    <message>
        <source>Refresh now</source>
        <translation>立即刷新</translation>
    </message>
    <message>
        <source>Next case</source>
        <translation>下一个案件</translation>
    </message>
    <message>
        <source>Previous case</source>
        <translation>上一个案件</translation>
    </message>
    <message>
        <source>Open the case in the panel</source>
        <translation>在案件面板中打开</translation>
    </message>
    <message>
        <source>Show the case&apos;s camera</source>
        <translation>查看案件关联摄像头</translation>
    </message>
    <message>
        <source>Show the cameras that see the case&apos;s place</source>
        <translation>查看能看到案发地点的摄像机</translation>
    </message>
    <message>
        <source>That case is not on this page of the queue; clear the filters.</source>
        <translation>该案件不在当前队列页中，请清除筛选条件。</translation>
    </message>
</context>
<context>
    <name>IncidentQueue</name>
    <message>
        <source>Previous page ([)</source>
        <translation>上一页（[）</translation>
    </message>
    <message>
        <source>Next page (])</source>
        <translation>下一页（]）</translation>
    </message>
    <message>
        <source>J/K move · Enter open · F1 keys</source>
        <translation>J/K 移动 · 回车打开 · F1 快捷键</translation>
    </message>
    <message>
        <source>Next case</source>
        <translation>下一个案件</translation>
    </message>
    <message>
        <source>Previous case</source>
        <translation>上一个案件</translation>
    </message>
    <message>
        <source>Next page</source>
        <translation>下一页</translation>
    </message>
    <message>
        <source>Previous page</source>
        <translation>上一页</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>No cases</source>
        <translation>没有案件</translation>
    </message>
    <message>
        <source>%1–%2 of %3</source>
        <translation>第 %1–%2 条，共 %3 条</translation>
    </message>
</context>
<context>
    <name>IncidentTableModel</name>
    <message>
        <source>Level</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Discovered</source>
        <translation>发现时间</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>报告数</translation>
    </message>
    <message>
        <source>Reports merged into this case: %1</source>
        <translation>本案件合并的报告：%1 条</translation>
    </message>
</context>
<context>
    <name>KeyList</name>
    <message>
        <source>Duty desk keys</source>
        <translation>值班台快捷键</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Does</source>
        <translation>功能</translation>
    </message>
</context>
<context>
    <name>ProposalList</name>
    <message>
        <source>Possible duplicates</source>
        <translation>疑似重复</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 m · %4 min apart</source>
        <translation>%1 · %2 · 相距 %3 米 · 间隔 %4 分钟</translation>
    </message>
    <message>
        <source>Merge %1 into %2</source>
        <translation>将 %1 并入 %2</translation>
    </message>
</context>
<context>
    <name>QueueFilters</name>
    <message>
        <source>Search titles, descriptions, addresses, case codes (Ctrl+F)</source>
        <translation>搜索标题、描述、地址、案件编号（Ctrl+F）</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已超时</translation>
    </message>
    <message>
        <source>Only cases past their deadline</source>
        <translation>只显示已超过时限的案件</translation>
    </message>
    <message>
        <source>Carded</source>
        <translation>已亮牌</translation>
    </message>
    <message>
        <source>Only yellow- or red-carded cases</source>
        <translation>只显示亮黄牌或红牌的案件</translation>
    </message>
    <message>
        <source>Exercise</source>
        <translation>演练</translation>
    </message>
    <message>
        <source>Show exercise cases instead</source>
        <translation>改为显示演练案件</translation>
    </message>
    <message>
        <source>Levels I–II</source>
        <translation>I–II级</translation>
    </message>
</context>
<context>
    <name>ReportsTable</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>Via</source>
        <translation>并入自</translation>
    </message>
</context>
<context>
    <name>SevereAlertBanner</name>
    <message>
        <source>Show</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>Select the case in the queue</source>
        <translation>在队列中选中该案件</translation>
    </message>
    <message>
        <source>Acknowledge (%1)</source>
        <translation>确认（%1）</translation>
    </message>
    <message>
        <source>New %1 case: %2 · %3 · %4</source>
        <translation>新的%1案件：%2 · %3 · %4</translation>
    </message>
    <message>
        <source>(+%1 more waiting)</source>
        <translation>（另有 %1 件待确认）</translation>
    </message>
</context>
<context>
    <name>TimelineTable</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>into %1</source>
        <translation>并入 %1</translation>
    </message>
    <message>
        <source>absorbed %1</source>
        <translation>并入了 %1</translation>
    </message>
    <message>
        <source>revision %1</source>
        <translation>第 %1 版</translation>
    </message>
    <message>
        <source>withdrawn by the source</source>
        <translation>来源已撤销</translation>
    </message>
    <message>
        <source>raised from level %1 to %2</source>
        <translation>由 %1 级升为 %2 级</translation>
    </message>
</context>
</TS>
