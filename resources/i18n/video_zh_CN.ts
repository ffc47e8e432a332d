<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CameraLink</name>
    <message>
        <source>%1 m · %2 of the camera · %3</source>
        <translation>%1 米 · 位于摄像机%2方 · %3</translation>
    </message>
    <message>
        <source>in view</source>
        <translation>在视野内</translation>
    </message>
    <message>
        <source>outside its view</source>
        <translation>不在视野内</translation>
    </message>
    <message>
        <source>Severe incident: cameras on the scene</source>
        <translation>重大事件：现场摄像机</translation>
    </message>
    <message>
        <source>Cameras on the scene</source>
        <translation>现场摄像机</translation>
    </message>
    <message>
        <source>No camera within %1 m: the nearest cameras</source>
        <translation>%1 米内没有摄像机：最近的摄像机</translation>
    </message>
    <message>
        <source>No camera near the scene</source>
        <translation>现场附近没有摄像机</translation>
    </message>
    <message>
        <source>No camera the current role may view within %1 m</source>
        <translation>%1 米内没有当前角色可调阅的摄像机</translation>
    </message>
    <message>
        <source>Camera of the case</source>
        <translation>案件关联摄像机</translation>
    </message>
    <message>
        <source>The current role may not view this camera</source>
        <translation>当前角色无权调阅此摄像机</translation>
    </message>
</context>
<context>
    <name>CameraTree</name>
    <message>
        <source>Filter cameras</source>
        <translation>筛选摄像机</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>Tour this group on the wall</source>
        <translation>在视频墙上轮巡此组</translation>
    </message>
</context>
<context>
    <name>IncidentVideo</name>
    <message>
        <source>Snapshot saved; sign in to attach it to the case.</source>
        <translation>抓图已保存；登录后才能附加到案件。</translation>
    </message>
</context>
<context>
    <name>LinkagePopup</name>
    <message>
        <source>Snapshot to the case (S)</source>
        <translation>抓图存证（S）</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭（Esc）</translation>
    </message>
</context>
<context>
    <name>MotionIntake</name>
    <message>
        <source>Motion seen by %1</source>
        <translation>%1 发现异动</translation>
    </message>
    <message>
        <source>Video analytics: movement in the watched region of camera %1 (%2).</source>
        <translation>视频分析：摄像机 %1 的监测区域内有移动（%2）。</translation>
    </message>
</context>
<context>
    <name>VideoWall</name>
    <message>
        <source>%1 tiles (Ctrl+%2)</source>
        <translation>%1 画面（Ctrl+%2）</translation>
    </message>
    <message>
        <source>Snapshot (S)</source>
        <translation>抓图（S）</translation>
    </message>
    <message>
        <source>Camera group to tour</source>
        <translation>要轮巡的摄像机组</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Seconds each page of the tour stays on the wall</source>
        <translation>轮巡每页在墙上停留的秒数</translation>
    </message>
    <message>
        <source>Start tour</source>
        <translation>开始轮巡</translation>
    </message>
    <message>
        <source>Stop tour</source>
        <translation>停止轮巡</translation>
    </message>
</context>
<context>
    <name>VideoWords</name>
    <message>
        <source>Connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>Frozen</source>
        <translation>画面冻结</translation>
    </message>
    <message>
        <source>Reconnecting</source>
        <translation>重连中</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Delayed</source>
        <translation>延迟</translation>
    </message>
    <message>
        <source>camera does not answer</source>
        <translation>摄像机无应答</translation>
    </message>
    <message>
        <source>connection refused</source>
        <translation>连接被拒绝</translation>
    </message>
    <message>
        <source>address unreachable</source>
        <translation>地址不可达</translation>
    </message>
    <message>
        <source>no such stream</source>
        <translation>视频流不存在</translation>
    </message>
    <message>
        <source>access denied by the camera</source>
        <translation>摄像机拒绝访问</translation>
    </message>
    <message>
        <source>invalid stream address</source>
        <translation>视频流地址无效</translation>
    </message>
    <message>
        <source>no video in the stream</source>
        <translation>流中没有视频</translation>
    </message>
    <message>
        <source>no new pictures</source>
        <translation>没有新画面</translation>
    </message>
    <message>
        <source>stream ended</source>
        <translation>视频流已中断</translation>
    </message>
    <message>
        <source>north</source>
        <translation>北</translation>
    </message>
    <message>
        <source>north-east</source>
        <translation>东北</translation>
    </message>
    <message>
        <source>east</source>
        <translation>东</translation>
    </message>
    <message>
        <source>south-east</source>
        <translation>东南</translation>
    </message>
    <message>
        <source>south</source>
        <translation>南</translation>
    </message>
    <message>
        <source>south-west</source>
        <translation>西南</translation>
    </message>
    <message>
        <source>west</source>
        <translation>西</translation>
    </message>
    <message>
        <source>north-west</source>
        <translation>西北</translation>
    </message>
    <message>
        <source>Signal lost %1</source>
        <translation>信号中断 %1</translation>
    </message>
    <message>
        <source>Waiting for the first picture</source>
        <translation>等待首帧画面</translation>
    </message>
    <message>
        <source>Drag a camera here</source>
        <translation>将摄像机拖到此处</translation>
    </message>
    <message>
        <source>Tour paused</source>
        <translation>轮巡暂停</translation>
    </message>
    <message>
        <source>HD</source>
        <translation>高清</translation>
    </message>
</context>
<context>
    <name>WallTours</name>
    <message>
        <source>Tour %1 · held while a tile is maximised</source>
        <translation>轮巡 %1 · 画面最大化时暂停</translation>
    </message>
    <message>
        <source>Tour %1 · page %2/%3 · next in %4 s</source>
        <translation>轮巡 %1 · 第 %2/%3 页 · %4 秒后翻页</translation>
    </message>
</context>
<context>
    <name>WallDock</name>
    <message>
        <source>Video wall</source>
        <translation>视频墙</translation>
    </message>
</context>
<context>
    <name>WallSwitch</name>
    <message>
        <source>Video wall / duty desk (%1)</source>
        <translation>视频墙 / 值班台（%1）</translation>
    </message>
    <message>
        <source>Switch between the video wall and the duty desk</source>
        <translation>在视频墙和值班台之间切换</translation>
    </message>
</context>
</TS>
