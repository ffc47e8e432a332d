<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Vocabulary</name>
    <message>
        <source>Time out of range</source>
        <translation>时间超出范围</translation>
    </message>
</context>
</TS>
