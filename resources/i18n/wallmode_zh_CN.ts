<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>WallCaseBoard</name>
    <message>
        <source>Overdue %1</source>
        <translation>超期 %1</translation>
    </message>
    <message>
        <source>Supervised %1</source>
        <translation>督办 %1</translation>
    </message>
    <message>
        <source>No district</source>
        <translation>未定区</translation>
    </message>
</context>
<context>
    <name>WallController</name>
    <message>
        <source>On duty</source>
        <translation>当班</translation>
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
<context>
    <name>WallFeedBanner</name>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
    <message>
        <source>Feed lost since %1 · values shown are %2 old</source>
        <translation>数据中断自 %1 · 所示数值已过 %2</translation>
    </message>
</context>
<context>
    <name>WallPages</name>
    <message>
        <source>City map</source>
        <translation>城市一张图</translation>
    </message>
    <message>
        <source>City vital signs</source>
        <translation>城市体征</translation>
    </message>
    <message>
        <source>Trends</source>
        <translation>趋势</translation>
    </message>
    <message>
        <source>Open cases</source>
        <translation>在办事件</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>On duty</source>
        <translation>值班</translation>
    </message>
    <message>
        <source>Warnings in force</source>
        <translation>生效预警</translation>
    </message>
    <message>
        <source>The city map is not available in this build</source>
        <translation>此版本暂无城市地图</translation>
    </message>
</context>
<context>
    <name>WallRosterClock</name>
    <message>
        <source>Nobody signed in</source>
        <translation>暂无人签到</translation>
    </message>
</context>
<context>
    <name>WallTakeover</name>
    <message>
        <source>Acknowledge at a duty console</source>
        <translation>请在值班台确认</translation>
    </message>
    <message>
        <source>%1 more waiting</source>
        <translation>另有 %1 起待确认</translation>
    </message>
    <message>
        <source>Nearest camera: %1</source>
        <translation>最近摄像机：%1</translation>
    </message>
</context>
<context>
    <name>WallVideoBlock</name>
    <message>
        <source>No cameras</source>
        <translation>未配置摄像机</translation>
    </message>
    <message>
        <source>No picture</source>
        <translation>无画面</translation>
    </message>
</context>
<context>
    <name>WallVitals</name>
    <message>
        <source>Waiting for the first readings</source>
        <translation>等待首批读数</translation>
    </message>
    <message>
        <source>No data · %1 min</source>
        <translation>无数据 · %1 分钟</translation>
    </message>
    <message>
        <source>Alarm %1</source>
        <translation>告警 %1</translation>
    </message>
    <message>
        <source>Breach expected in %1 min</source>
        <translation>预计 %1 分钟后超警</translation>
    </message>
    <message>
        <source>Watch: over the line</source>
        <translation>超线待确认</translation>
    </message>
</context>
<context>
    <name>WallWarnings</name>
    <message>
        <source>No warnings in force</source>
        <translation>当前无生效预警</translation>
    </message>
    <message>
        <source>until %1</source>
        <translation>至 %1</translation>
    </message>
</context>
<context>
    <name>WallWindow</name>
    <message>
        <source>Tianshu wall · %1</source>
        <translation>天枢大屏 · %1</translation>
    </message>
</context>
</TS>
