<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CaseWords</name>
    <message>
        <source>Split merged case</source>
        <translation>拆分并案</translation>
    </message>
    <message>
        <source>%1 split off %2 again.</source>
        <translation>%1 已从 %2 拆分。</translation>
    </message>
    <message>
        <source>%1: the cases have been worked on since the merge; it can no longer be undone.</source>
        <translation>%1：并案后案件已有新的办理，不能再拆分。</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <source>Case</source>
        <translation>案件</translation>
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
        <source>Reported</source>
        <translation>上报时间</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Split merged case</source>
        <translation>拆分并案</translation>
    </message>
    <message>
        <source>Split %1 off %2 again? %1 goes back to “%3”; %2 gives its reports back.</source>
        <translation>确定将 %1 从 %2 拆分？%1 回到“%3”，%2 交还其上报。</translation>
    </message>
    <message>
        <source>Split off</source>
        <translation>拆出</translation>
    </message>
    <message>
        <source>From</source>
        <translation>原主案件</translation>
    </message>
    <message>
        <source>Split (Enter)</source>
        <translation>拆分 (Enter)</translation>
    </message>
    <message>
        <source>Merge duplicate</source>
        <translation>并案</translation>
    </message>
    <message>
        <source>Merge %1 into %2? %1 is closed as merged; %2 keeps both reports.</source>
        <translation>确定将 %1 并入 %2？%1 以“已并案”结束，%2 保留两方上报。</translation>
    </message>
    <message>
        <source>Duplicate (merged)</source>
        <translation>重复案件（并入）</translation>
    </message>
    <message>
        <source>Master (kept)</source>
        <translation>主案件（保留）</translation>
    </message>
    <message>
        <source>Merge (Enter)</source>
        <translation>并案 (Enter)</translation>
    </message>
</context>
<context>
    <name>TimelineTable</name>
    <message>
        <source>split off %1</source>
        <translation>从 %1 拆出</translation>
    </message>
    <message>
        <source>gave back %1</source>
        <translation>拆出了 %1</translation>
    </message>
</context>
</TS>
