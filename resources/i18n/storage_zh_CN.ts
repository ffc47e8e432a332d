<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Vocabulary</name>
    <message>
        <source>Storage full</source>
        <translation>存储空间不足</translation>
    </message>
    <message>
        <source>Storage write error</source>
        <translation>存储写入失败</translation>
    </message>
    <message>
        <source>Store busy</source>
        <translation>存储被占用</translation>
    </message>
</context>
</TS>
