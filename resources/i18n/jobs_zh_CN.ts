<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>FeedHealthPanel</name>
    <message>
        <source>Failed items</source>
        <translation>处理失败条目</translation>
    </message>
    <message>
        <source>Failed items (%1)</source>
        <translation>处理失败条目（%1）</translation>
    </message>
    <message>
        <source>Retry all</source>
        <translation>全部重试</translation>
    </message>
    <message>
        <source>Try every failed item again on the next beat</source>
        <translation>下一轮处理时重试所有失败条目</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>条目</translation>
    </message>
    <message>
        <source>Tries</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Discovery</source>
        <translation>事件发现</translation>
    </message>
    <message>
        <source>Unit reports</source>
        <translation>单位反馈</translation>
    </message>
    <message>
        <source>Supervision</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>综合评价</translation>
    </message>
</context>
<context>
    <name>CockpitStatusBar</name>
    <message>
        <source>%1 failed items (see Feed health)</source>
        <translation>%1 条处理失败（见“数据接入”）</translation>
    </message>
    <message>
        <source>Job failed: %1</source>
        <translation>任务失败：%1</translation>
    </message>
</context>
</TS>
