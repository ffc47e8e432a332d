<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CaseWords</name>
    <message>
        <source>Escalate to the city</source>
        <translation>上报市级</translation>
    </message>
    <message>
        <source>Hand down to the district</source>
        <translation>下派区级</translation>
    </message>
    <message>
        <source>Closed by the city</source>
        <translation>市级已结案</translation>
    </message>
    <message>
        <source>Taken back from the city</source>
        <translation>市级下派，收回处置</translation>
    </message>
</context>
<context>
    <name>Vocabulary</name>
    <message>
        <source>Escalated by %1</source>
        <translation>%1 上报</translation>
    </message>
</context>
<context>
    <name>ShiftWords</name>
    <message>
        <source>Escalated</source>
        <translation>已上报</translation>
    </message>
    <message>
        <source>Handed down</source>
        <translation>已下派</translation>
    </message>
</context>
</TS>
