<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>IncidentVideo</name>
    <message>
        <source>Snapshot of %1 attached to case %2 (%3)</source>
        <translation>已抓图存证：%1 → 案件 %2（%3）</translation>
    </message>
    <message>
        <source>Snapshot saved as %1; sign in to attach it to the case</source>
        <translation>抓图已保存为 %1；登录后才能附到案件</translation>
    </message>
</context>
<context>
    <name>SnapshotToasts</name>
    <message>
        <source>Could not save the snapshot: %1</source>
        <translation>抓图未能保存：%1</translation>
    </message>
    <message>
        <source>No picture in the pop-up to save yet</source>
        <translation>弹窗中还没有画面可抓图</translation>
    </message>
    <message>
        <source>No picture on this tile to save</source>
        <translation>此画面格没有画面可抓图</translation>
    </message>
    <message>
        <source>Snapshot saved: %1 · %2</source>
        <translation>抓图已保存：%1 · %2</translation>
    </message>
    <message>
        <source>Snapshots are off: no folder to save them in</source>
        <translation>抓图未启用：没有保存目录</translation>
    </message>
</context>
<context>
    <name>WaitingCases</name>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>Severe cases not on the pop-up (%1)</source>
        <translation>未弹窗的重大案件（%1）</translation>
    </message>
    <message>
        <source>no camera near</source>
        <translation>无摄像机</translation>
    </message>
    <message>
        <source>waiting for the pop-up</source>
        <translation>待弹窗</translation>
    </message>
</context>
</TS>
