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
        <source>Not in the camera list</source>
        <translation>不在摄像机清单中</translation>
    </message>
    <message>
        <source>No signal · %1 min</source>
        <translation>无信号 · %1 分钟</translation>
    </message>
</context>
<context>
    <name>WallDeskPanels</name>
    <message>
        <source>Vital signs (wall)</source>
        <translation>大屏体征</translation>
    </message>
    <message>
        <source>Case board (wall)</source>
        <translation>大屏案件</translation>
    </message>
    <message>
        <source>Warnings in force</source>
        <translation>生效预警</translation>
    </message>
    <message>
        <source>city-wide</source>
        <translation>全市</translation>
    </message>
    <message>
        <source>highest of %1</source>
        <translation>%1 个区最高</translation>
    </message>
</context>
</TS>
