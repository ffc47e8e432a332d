<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>IncidentQueue</name>
    <message>
        <source>Cases that arrived since the list was last brought up to date (N)</source>
        <translation>列表上次刷新后新到的案件（N 键显示）</translation>
    </message>
    <message>
        <source>Show the new cases</source>
        <translation>显示新案件</translation>
    </message>
    <message>
        <source>▲ %1 new cases (N)</source>
        <translation>▲ %1 条新案件（N）</translation>
    </message>
</context>
<context>
    <name>SupervisionBoard</name>
    <message>
        <source>Select a case on the board or open one on the desk first.</source>
        <translation>请先在看板上选中案件，或在值班台打开一个案件。</translation>
    </message>
    <message>
        <source>Note with the card for %1 (required)</source>
        <translation>对 %1 的督办意见（必填，随督办发给责任单位）</translation>
    </message>
    <message>
        <source>Supervise with a yellow card</source>
        <translation>督办：亮黄牌</translation>
    </message>
    <message>
        <source>Supervise with a red card</source>
        <translation>督办：亮红牌</translation>
    </message>
</context>
<context>
    <name>ActionForm</name>
    <message>
        <source>The caller is satisfied (asked on the call-back)</source>
        <translation>来电人满意（回访时询问）</translation>
    </message>
    <message>
        <source>The result is satisfactory (no caller: rated by the centre)</source>
        <translation>处置结果满意（无来电人，由中心评价）</translation>
    </message>
</context>
<context>
    <name>ActionBar</name>
    <message>
        <source>Your role has no actions on this case.</source>
        <translation>您的角色对此案件没有可执行的操作。</translation>
    </message>
</context>
<context>
    <name>QueuePager</name>
    <message>
        <source>Previous page ([)</source>
        <translation>上一页（[）</translation>
    </message>
    <message>
        <source>Next page (])</source>
        <translation>下一页（]）</translation>
    </message>
    <message>
        <source>Cases that arrived since the list was last brought up to date (N)</source>
        <translation>列表上次刷新后新到的案件（N 键显示）</translation>
    </message>
    <message>
        <source>J/K move · Enter open · F1 keys</source>
        <translation>J/K 移动 · 回车打开 · F1 快捷键</translation>
    </message>
    <message>
        <source>No cases</source>
        <translation>没有案件</translation>
    </message>
    <message>
        <source>%1–%2 of %3</source>
        <translation>第 %1–%2 条，共 %3 条</translation>
    </message>
    <message>
        <source>▲ %1 new cases (N)</source>
        <translation>▲ %1 条新案件（N）</translation>
    </message>
</context>
<context>
    <name>VitalAlerts</name>
    <message>
        <source>No data · %1 min</source>
        <translation>无数据 · %1 分钟</translation>
    </message>
    <message>
        <source>Breach expected in %1 min</source>
        <translation>预计 %1 分钟后超警</translation>
    </message>
    <message>
        <source>Alarm %1</source>
        <translation>告警 %1</translation>
    </message>
    <message>
        <source>Watch: over the line</source>
        <translation>超线待确认</translation>
    </message>
</context>
<context>
    <name>DutyController</name>
    <message>
        <source>This seat is offline and read-only: nothing was changed; try again once it is back</source>
        <translation>本席位离线 · 只读：未作任何更改，恢复连接后再试</translation>
    </message>
</context>
</TS>
