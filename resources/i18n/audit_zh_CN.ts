<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>HandoverReport</name>
    <message>
        <source>Audit checkpoint</source>
        <translation>审计签名点</translation>
    </message>
    <message>
        <source>None: the cockpit has no audit signing key.</source>
        <translation>无：本系统未配置审计签名密钥。</translation>
    </message>
    <message>
        <source>%1 audit rows, signed at %2 for store %3.</source>
        <translation>审计记录 %1 条，%2 签名，库标识 %3。</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>链头哈希</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation>签名</translation>
    </message>
</context>
</TS>
