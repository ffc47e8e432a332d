<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>FeedLostBanner</name>
    <message>
        <source>Feed paused since %1</source>
        <translation>数据接入暂停 · 自 %1</translation>
    </message>
    <message>
        <source>Feed lost since %1</source>
        <translation>数据接入中断 · 自 %1</translation>
    </message>
</context>
<context>
    <name>VitalSignsPanel</name>
    <message>
        <source>Waiting for the first readings</source>
        <translation>等待首批体征数据</translation>
    </message>
    <message>
        <source>No data · since %1</source>
        <translation>无数据 · 自 %1</translation>
    </message>
</context>
<context>
    <name>AlarmButton</name>
    <message>
        <source>Mute the alarm</source>
        <translation>警报静音</translation>
    </message>
    <message>
        <source>Play the alarm once</source>
        <translation>试听警报</translation>
    </message>
    <message>
        <source>Alarm volume</source>
        <translation>警报音量</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>Alarm muted</source>
        <translation>警报已静音</translation>
    </message>
    <message>
        <source>Alarm ringing</source>
        <translation>警报鸣响中</translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation>警报</translation>
    </message>
    <message>
        <source>Sounds for new level I/II cases until they are acknowledged</source>
        <translation>有新的 I/II 级案件时鸣响，直至确认</translation>
    </message>
</context>
</TS>
