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
</TS>
