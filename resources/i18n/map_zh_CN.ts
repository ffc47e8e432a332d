<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>MapWords</name>
    <message>
        <source>Basemap</source>
        <translation>底图</translation>
    </message>
    <message>
        <source>Districts</source>
        <translation>行政区</translation>
    </message>
    <message>
        <source>Grid cells</source>
        <translation>单元网格</translation>
    </message>
    <message>
        <source>Roads</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>Key sites</source>
        <translation>重点场所</translation>
    </message>
    <message>
        <source>Open cases per cell</source>
        <translation>网格在办案件</translation>
    </message>
    <message>
        <source>Heat (last hours)</source>
        <translation>热力（近几小时）</translation>
    </message>
    <message>
        <source>Cameras</source>
        <translation>视频监控</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>处置力量</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Level I</source>
        <translation>I级</translation>
    </message>
    <message>
        <source>Level II</source>
        <translation>II级</translation>
    </message>
    <message>
        <source>Level III</source>
        <translation>III级</translation>
    </message>
    <message>
        <source>Level IV</source>
        <translation>IV级</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>待命</translation>
    </message>
    <message>
        <source>En route</source>
        <translation>前往途中</translation>
    </message>
    <message>
        <source>On scene</source>
        <translation>到场处置</translation>
    </message>
    <message>
        <source>Off duty</source>
        <translation>不在岗</translation>
    </message>
    <message>
        <source>U</source>
        <comment>unit kind glyph: urban management</comment>
        <translation>城</translation>
    </message>
    <message>
        <source>W</source>
        <comment>unit kind glyph: water</comment>
        <translation>水</translation>
    </message>
    <message>
        <source>F</source>
        <comment>unit kind glyph: fire</comment>
        <translation>消</translation>
    </message>
    <message>
        <source>P</source>
        <comment>unit kind glyph: traffic police</comment>
        <translation>警</translation>
    </message>
    <message>
        <source>E</source>
        <comment>unit kind glyph: environment</comment>
        <translation>环</translation>
    </message>
    <message>
        <source>R</source>
        <comment>unit kind glyph: emergency rescue</comment>
        <translation>救</translation>
    </message>
    <message>
        <source>S</source>
        <comment>unit kind glyph: sanitation</comment>
        <translation>卫</translation>
    </message>
    <message>
        <source>C</source>
        <comment>unit kind glyph: construction</comment>
        <translation>建</translation>
    </message>
    <message>
        <source>No word for a while</source>
        <translation>久未更新</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新</translation>
    </message>
    <message>
        <source>N</source>
        <comment>north arrow</comment>
        <translation>北</translation>
    </message>
    <message>
        <source>%1 m</source>
        <translation>%1 米</translation>
    </message>
    <message>
        <source>%1 km</source>
        <translation>%1 公里</translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation>%1 分钟前</translation>
    </message>
    <message>
        <source>%1 h ago</source>
        <translation>%1 小时前</translation>
    </message>
</context>
<context>
    <name>MapLegend</name>
    <message>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
</context>
<context>
    <name>SituationMap</name>
    <message>
        <source>City map</source>
        <translation>城市地图</translation>
    </message>
</context>
</TS>
