<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActionForm</name>
    <message>
        <source>(no note)</source>
        <translation>（无说明）</translation>
    </message>
    <message>
        <source>No report from the unit on this case.</source>
        <translation>责任单位尚未就本案件反馈。</translation>
    </message>
    <message>
        <source>The unit's last report</source>
        <translation>责任单位最近反馈</translation>
    </message>
</context>
<context>
    <name>CasePanel</name>
    <message>
        <source>Unit reports (%1)</source>
        <translation>单位反馈 (%1)</translation>
    </message>
</context>
<context>
    <name>PhotoButton</name>
    <message>
        <source>%1 × %2 — click to open</source>
        <translation>%1 × %2 — 点击查看原图</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>No photo</source>
        <translation>无照片</translation>
    </message>
</context>
<context>
    <name>PhotoViewer</name>
    <message>
        <source>Photo from the unit</source>
        <translation>单位反馈照片</translation>
    </message>
</context>
<context>
    <name>UnitReportList</name>
    <message>
        <source>No report from a unit yet.</source>
        <translation>尚无责任单位反馈。</translation>
    </message>
</context>
<context>
    <name>UnitWords</name>
    <message>
        <source>%1 attachment(s) refused (not shown)</source>
        <translation>%1 个附件已拒收（不显示）</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>Asks to return</source>
        <translation>申请回退</translation>
    </message>
    <message>
        <source>Asks to return (by phone)</source>
        <translation>代录申请回退</translation>
    </message>
    <message>
        <source>Handled (by phone)</source>
        <translation>代录处置完成</translation>
    </message>
    <message>
        <source>Handling done</source>
        <translation>处置完成</translation>
    </message>
    <message>
        <source>Photo not shown: %1</source>
        <translation>照片未显示：%1</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进展反馈</translation>
    </message>
    <message>
        <source>Progress (by phone)</source>
        <translation>代录进展</translation>
    </message>
    <message>
        <source>Reported from %1, %2</source>
        <translation>反馈位置 %1, %2</translation>
    </message>
    <message>
        <source>Signed for</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>Signed for (by phone)</source>
        <translation>代录签收</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <source>could not be fetched</source>
        <translation>无法获取</translation>
    </message>
    <message>
        <source>from a host this centre does not trust</source>
        <translation>来自本中心未信任的主机</translation>
    </message>
    <message>
        <source>not a JPEG or PNG picture</source>
        <translation>不是 JPEG 或 PNG 图片</translation>
    </message>
    <message>
        <source>not over https</source>
        <translation>未使用 https</translation>
    </message>
    <message>
        <source>recorded by %1</source>
        <translation>由 %1 代录</translation>
    </message>
    <message>
        <source>too large</source>
        <translation>过大</translation>
    </message>
    <message>
        <source>too many photos</source>
        <translation>照片过多</translation>
    </message>
    <message>
        <source>unsafe path</source>
        <translation>路径不安全</translation>
    </message>
    <message>
        <source>unusable reference</source>
        <translation>引用地址不可用</translation>
    </message>
</context>
<context>
    <name>TimelineTable</name>
    <message>
        <source>no reason given</source>
        <translation>未说明原因</translation>
    </message>
    <message>
        <source>%1 photo(s)</source>
        <translation>照片 %1 张</translation>
    </message>
</context>
</TS>
