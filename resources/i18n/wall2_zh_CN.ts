<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>WallCameraTile</name>
    <message>
        <source>Connecting</source>
        <translation>正在连接</translation>
    </message>
    <message>
        <source>No signal · %1 min</source>
        <translation>无信号 · %1 分钟</translation>
    </message>
</context>
</TS>
