<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>DutyDesk</name>
    <message>
        <source>No severe case waiting</source>
        <translation>暂无待确认的重大案件</translation>
    </message>
</context>
</TS>
