<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CaseWords</name>
    <message>
        <source>You are no longer signed in here, or your account was disabled.</source>
        <translation>您已不在本席位登录，或您的账号已被停用。</translation>
    </message>
</context>
</TS>
