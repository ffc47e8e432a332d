<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>MapToolbar</name>
    <message>
        <source>Search the map (/)</source>
        <translation>搜索地图（/）</translation>
    </message>
    <message>
        <source>A place, address, road, case code or unit; Enter goes there</source>
        <translation>地点、地址、道路、案件编号或单位；回车前往</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>测距</translation>
    </message>
    <message>
        <source>Measure a distance: click point after point (M)</source>
        <translation>测量距离：逐点单击（M）</translation>
    </message>
    <message>
        <source>Box</source>
        <translation>框选</translation>
    </message>
    <message>
        <source>List the cases in a box: drag it out (R)</source>
        <translation>框选案件：按住拖出矩形（R）</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>圈选</translation>
    </message>
    <message>
        <source>List the cases in an area: click corners, Enter (P)</source>
        <translation>圈选案件：逐点单击各角，回车闭合（P）</translation>
    </message>
    <message>
        <source>%1 found</source>
        <translation>找到 %1 处</translation>
    </message>
    <message>
        <source>Nothing found</source>
        <translation>未找到</translation>
    </message>
</context>
<context>
    <name>MapWork</name>
    <message>
        <source>Bookmark %1 · %2</source>
        <translation>书签 %1 · %2</translation>
    </message>
    <message>
        <source>No bookmark on %1 yet: Ctrl+%1 keeps the view shown</source>
        <translation>%1 号键尚无书签：Ctrl+%1 保存当前视图</translation>
    </message>
    <message>
        <source>Bookmark %1 kept: press %1 to come back</source>
        <translation>已存为书签 %1：按 %1 返回此处</translation>
    </message>
    <message>
        <source>View %1</source>
        <translation>视图 %1</translation>
    </message>
    <message>
        <source>%1 cases inside</source>
        <translation>范围内案件 %1 件</translation>
    </message>
    <message>
        <source>%1 · about %2 min</source>
        <translation>%1 · 约 %2 分钟</translation>
    </message>
    <message>
        <source>%1 · about %2 min from its base</source>
        <translation>%1 · 自驻地约 %2 分钟</translation>
    </message>
</context>
<context>
    <name>MapSearch</name>
    <message>
        <source>District</source>
        <translation>行政区</translation>
    </message>
    <message>
        <source>Road</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>Key site</source>
        <translation>重点场所</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>视频监控</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>处置力量</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
</context>
</TS>
