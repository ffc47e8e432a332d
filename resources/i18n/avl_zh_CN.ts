<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>DispatchDialog</name>
    <message>
        <source>From</source>
        <translation>位置来源</translation>
    </message>
    <message>
        <source>Live position · just now</source>
        <translation>实时位置 · 刚刚</translation>
    </message>
    <message>
        <source>Live position · %1 min ago</source>
        <translation>实时位置 · %1 分钟前</translation>
    </message>
    <message>
        <source>Base (no live position)</source>
        <translation>驻地位置（无实时位置）</translation>
    </message>
    <message>
        <source>Base (live position %1 min old)</source>
        <translation>驻地位置（实时位置已 %1 分钟未更新）</translation>
    </message>
</context>
</TS>
