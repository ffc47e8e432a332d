<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CockpitStatusBar</name>
    <message>
        <source>Seat %1 · offline · read-only</source>
        <translation>席位 %1 · 离线 · 只读</translation>
    </message>
    <message>
        <source>Seat %1 · stopped · restart it</source>
        <translation>席位 %1 · 已停止同步 · 请重启</translation>
    </message>
    <message>
        <source>Seat %1 · runs the periodic jobs</source>
        <translation>席位 %1 · 主席位（执行定时任务）</translation>
    </message>
    <message>
        <source>Seat %1 · joined</source>
        <translation>席位 %1 · 已联网</translation>
    </message>
</context>
</TS>
