<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ReviewChart</name>
    <message>
        <source>bar: from the inject to its target · ● met · ■ late · ✕ missed</source>
        <translation>横条：从情景注入到目标时限 · ● 达标 · ■ 超时 · ✕ 未完成</translation>
    </message>
    <message>
        <source>minutes after the start</source>
        <translation>演练开始后分钟数</translation>
    </message>
</context>
<context>
    <name>ReviewReport</name>
    <message>
        <source>DRILL · exercise records, not real</source>
        <translation>演练 · 演练记录，非真实事件</translation>
    </message>
    <message>
        <source>met</source>
        <translation>达标</translation>
    </message>
    <message>
        <source>late</source>
        <translation>超时完成</translation>
    </message>
    <message>
        <source>missed</source>
        <translation>未完成</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>not triggered</source>
        <translation>未触发</translation>
    </message>
    <message>
        <source>P · performed without challenges</source>
        <translation>P · 顺利完成</translation>
    </message>
    <message>
        <source>S · performed with some challenges</source>
        <translation>S · 完成，存在一些问题</translation>
    </message>
    <message>
        <source>M · performed with major challenges</source>
        <translation>M · 完成，存在重大问题</translation>
    </message>
    <message>
        <source>U · unable to be performed</source>
        <translation>U · 未能完成</translation>
    </message>
    <message>
        <source>not rated: nothing under it was triggered</source>
        <translation>未评定：其下无触发的预期行动</translation>
    </message>
    <message>
        <source>tabletop (桌面演练)</source>
        <translation>桌面演练</translation>
    </message>
    <message>
        <source>field (实战演练)</source>
        <translation>实战演练</translation>
    </message>
    <message>
        <source>single-function (单项演练)</source>
        <translation>单项演练</translation>
    </message>
    <message>
        <source>comprehensive (综合演练)</source>
        <translation>综合演练</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>立案</translation>
    </message>
    <message>
        <source>Dispatch</source>
        <translation>派遣</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>Handle</source>
        <translation>处置</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>on time</source>
        <translation>按时发送</translation>
    </message>
    <message>
        <source>sent now by the director</source>
        <translation>导演立即发送</translation>
    </message>
    <message>
        <source>contingency</source>
        <translation>应变注入</translation>
    </message>
    <message>
        <source>logged by the intake officer</source>
        <translation>接线员已登记</translation>
    </message>
    <message>
        <source>order received</source>
        <translation>收到派遣指令</translation>
    </message>
    <message>
        <source>scripted answer ready</source>
        <translation>脚本反馈就绪</translation>
    </message>
    <message>
        <source>signed for</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>work started</source>
        <translation>开始处置</translation>
    </message>
    <message>
        <source>reported handled</source>
        <translation>办结反馈</translation>
    </message>
    <message>
        <source>asked to return the order</source>
        <translation>申请回退</translation>
    </message>
    <message>
        <source>event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>camera scene</source>
        <translation>视频画面</translation>
    </message>
    <message>
        <source>phone call</source>
        <translation>来电</translation>
    </message>
    <message>
        <source>metric curve</source>
        <translation>体征曲线</translation>
    </message>
    <message>
        <source>CAP warning</source>
        <translation>CAP 预警</translation>
    </message>
    <message>
        <source>unit report</source>
        <translation>单位反馈</translation>
    </message>
    <message>
        <source>order</source>
        <translation>派遣指令</translation>
    </message>
    <message>
        <source>After-action review: %1</source>
        <translation>演练评估报告：%1</translation>
    </message>
    <message>
        <source>Expected actions</source>
        <translation>预期行动</translation>
    </message>
    <message>
        <source>Form</source>
        <translation>演练形式</translation>
    </message>
    <message>
        <source>Scope</source>
        <translation>演练内容</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Scenario length</source>
        <translation>情景时长</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>%1×</source>
        <translation>%1 倍</translation>
    </message>
    <message>
        <source>Injects sent</source>
        <translation>已发送情景注入</translation>
    </message>
    <message>
        <source>Contingency injects</source>
        <translation>应变注入</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Drill run</source>
        <translation>演练编号</translation>
    </message>
    <message>
        <source>Objective</source>
        <translation>演练目标</translation>
    </message>
    <message>
        <source>Met</source>
        <translation>达标</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>未完成</translation>
    </message>
    <message>
        <source>Suggested rating</source>
        <translation>建议评级</translation>
    </message>
    <message>
        <source>The rating is suggested from the targets; the evaluator decides it.</source>
        <translation>评级按目标时限建议，由评估人员最终确定。</translation>
    </message>
    <message>
        <source>Objectives</source>
        <translation>演练目标</translation>
    </message>
    <message>
        <source>Expected</source>
        <translation>预期行动</translation>
    </message>
    <message>
        <source>Inject</source>
        <translation>情景注入</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>行动</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标时限</translation>
    </message>
    <message>
        <source>Done after</source>
        <translation>完成用时</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>How</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>By</source>
        <translation>执行者</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Timeline of injects and answers</source>
        <translation>情景注入与响应时间线</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Median</source>
        <translation>中位数</translation>
    </message>
    <message>
        <source>Minutes each stage took: from the case's opening (or the stage before) to its end.</source>
        <translation>各环节用时（分钟）：自案件发现（或上一环节结束）至本环节完成。</translation>
    </message>
    <message>
        <source>Stage durations</source>
        <translation>各环节用时</translation>
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
        <source>Expected actions met</source>
        <translation>达标的预期行动</translation>
    </message>
    <message>
        <source>Results by role</source>
        <translation>按角色统计</translation>
    </message>
    <message>
        <source>%1 (%2) within %3 min, after %4</source>
        <translation>%1（%2）时限 %3 分钟，用时 %4</translation>
    </message>
    <message>
        <source>%1 (%2, target %3 min): %4</source>
        <translation>%1（%2，时限 %3 分钟）：%4</translation>
    </message>
    <message>
        <source>Strengths</source>
        <translation>做得好的方面</translation>
    </message>
    <message>
        <source>Areas for improvement</source>
        <translation>需改进的方面</translation>
    </message>
    <message>
        <source>Improvement action</source>
        <translation>改进措施</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>责任人</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>完成期限</translation>
    </message>
    <message>
        <source>Review %1: %2</source>
        <translation>复盘 %1：%2</translation>
    </message>
    <message>
        <source>Filled in by the evaluator.</source>
        <translation>由评估人员填写。</translation>
    </message>
    <message>
        <source>Improvement plan</source>
        <translation>改进计划</translation>
    </message>
    <message>
        <source>done after %1 min</source>
        <translation>用时 %1 分钟才完成</translation>
    </message>
    <message>
        <source>not done</source>
        <translation>未完成</translation>
    </message>
</context>
<context>
    <name>DirectorPanel</name>
    <message>
        <source>paused the drill</source>
        <translation>暂停了演练</translation>
    </message>
    <message>
        <source>resumed the drill</source>
        <translation>继续了演练</translation>
    </message>
    <message>
        <source>sent %1 now</source>
        <translation>立即发送了 %1</translation>
    </message>
    <message>
        <source>skipped %1</source>
        <translation>跳过了 %1</translation>
    </message>
    <message>
        <source>Drill director</source>
        <translation>演练导调</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Send now</source>
        <translation>立即发送</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>跳过</translation>
    </message>
    <message>
        <source>Stop the exercise clock: injects, units and deadlines all wait</source>
        <translation>暂停演练时钟：情景注入、力量和时限全部等待</translation>
    </message>
    <message>
        <source>Send the selected inject at once, also while paused</source>
        <translation>立即发送选中的情景注入（暂停时也可）</translation>
    </message>
    <message>
        <source>Never send the selected inject</source>
        <translation>不再发送选中的情景注入</translation>
    </message>
    <message>
        <source>Inject</source>
        <translation>注入</translation>
    </message>
    <message>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>计划时间</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>running at %1×</source>
        <translation>%1 倍速运行中</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>Scenario time %1 · %2</source>
        <translation>演练时间 %1 · %2</translation>
    </message>
    <message>
        <source>if missed</source>
        <translation>未按时处置时</translation>
    </message>
    <message>
        <source>sent %1</source>
        <translation>已于 %1 发送</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>待发送</translation>
    </message>
    <message>
        <source>The drill has ended; its review: python main.py review --db %1</source>
        <translation>演练已结束；评估报告：python main.py review --db %1</translation>
    </message>
</context>
<context>
    <name>DrillWatermark</name>
    <message>
        <source>DRILL</source>
        <translation>演练</translation>
    </message>
    <message>
        <source>nothing on this screen is real</source>
        <translation>本屏内容均非真实事件</translation>
    </message>
</context>
<context>
    <name>DrillWords</name>
    <message>
        <source>[DRILL] %1 · %2</source>
        <translation>【演练】%1 · %2</translation>
    </message>
</context>
<context>
    <name>DirectorControl</name>
    <message>
        <source>Unit report on %1</source>
        <translation>%1 的力量回报</translation>
    </message>
</context>
</TS>
