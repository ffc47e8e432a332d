<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CaseWords</name>
    <message>
        <source>Keep open (no 自动消警)</source>
        <translation>驳回自动消警</translation>
    </message>
</context>
<context>
    <name>IncidentTableModel</name>
    <message>
        <source>Auto-clear</source>
        <translation>待消警</translation>
    </message>
    <message>
        <source>Its alarm cleared: proposed for 自动消警. %1 confirms, %2 keeps it open (shift lead).</source>
        <translation>报警已自行恢复，建议自动消警：值班长按 %1 确认，按 %2 驳回并保留案件。</translation>
    </message>
</context>
<context>
    <name>TimelineTable</name>
    <message>
        <source>Sensor reports the alarm cleared</source>
        <translation>传感器报告已恢复</translation>
    </message>
    <message>
        <source>Repeated alarm ×%1</source>
        <translation>重复报警 ×%1</translation>
    </message>
    <message>
        <source>since %1</source>
        <translation>自 %1 起</translation>
    </message>
</context>
</TS>
