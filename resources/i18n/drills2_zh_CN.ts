<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>EvaluatorPanel</name>
    <message>
        <source>Drill evaluation</source>
        <translation>演练评估</translation>
    </message>
    <message>
        <source>P · performed without challenges</source>
        <translation>P · 顺利完成</translation>
    </message>
    <message>
        <source>S · performed with some challenges</source>
        <translation>S · 完成，存在一些问题</translation>
    </message>
    <message>
        <source>M · performed with major challenges</source>
        <translation>M · 完成，存在重大问题</translation>
    </message>
    <message>
        <source>U · unable to be performed</source>
        <translation>U · 未能完成</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>评估记录</translation>
    </message>
    <message>
        <source>Ratings</source>
        <translation>目标评定</translation>
    </message>
    <message>
        <source>Improvement plan</source>
        <translation>改进计划</translation>
    </message>
    <message>
        <source>What the note is about: the drill, an inject or a case</source>
        <translation>记录针对的对象：整场演练、某条注入或某个案件</translation>
    </message>
    <message>
        <source>What you saw (Ctrl+Enter adds the note)</source>
        <translation>记录所见情况（Ctrl+Enter 添加）</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>添加记录</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>About</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Evaluator</source>
        <translation>评估人</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>记录内容</translation>
    </message>
    <message>
        <source>Objective</source>
        <translation>演练目标</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>评定</translation>
    </message>
    <message>
        <source>HSEEP scale: the review suggests a rating from the targets; yours decides.</source>
        <translation>HSEEP 评定等级：评估报告按目标完成情况给出建议，以评估人的评定为准。</translation>
    </message>
    <message>
        <source>Improvement action</source>
        <translation>改进措施</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>责任人</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>完成期限</translation>
    </message>
    <message>
        <source>Add row</source>
        <translation>添加一行</translation>
    </message>
    <message>
        <source>Remove row</source>
        <translation>删除所选行</translation>
    </message>
    <message>
        <source>The drill as a whole</source>
        <translation>整场演练</translation>
    </message>
    <message>
        <source>Inject %1 · %2</source>
        <translation>注入 %1 · %2</translation>
    </message>
    <message>
        <source>Case %1 · %2</source>
        <translation>案件 %1 · %2</translation>
    </message>
    <message>
        <source>not rated yet</source>
        <translation>尚未评定</translation>
    </message>
    <message>
        <source>the drill</source>
        <translation>整场演练</translation>
    </message>
    <message>
        <source>Write the note first.</source>
        <translation>请先填写记录内容。</translation>
    </message>
    <message>
        <source>A note is at most %1 characters.</source>
        <translation>一条记录最多 %1 个字符。</translation>
    </message>
</context>
<context>
    <name>ReviewReport</name>
    <message>
        <source>Evaluator's rating</source>
        <translation>评估人评定</translation>
    </message>
    <message>
        <source>About</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Evaluator</source>
        <translation>评估人</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>记录内容</translation>
    </message>
    <message>
        <source>the drill</source>
        <translation>整场演练</translation>
    </message>
    <message>
        <source>Evaluator notes</source>
        <translation>评估记录</translation>
    </message>
    <message>
        <source>No notes were taken.</source>
        <translation>未作评估记录。</translation>
    </message>
    <message>
        <source>replayed as recorded</source>
        <translation>按记录回放</translation>
    </message>
    <message>
        <source>applied as in real life</source>
        <translation>按实际处置执行</translation>
    </message>
    <message>
        <source>refused by the replay&apos;s case</source>
        <translation>回放案件拒绝执行</translation>
    </message>
    <message>
        <source>its case never opened</source>
        <translation>对应案件未生成</translation>
    </message>
    <message>
        <source>case action</source>
        <translation>案件处置</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>resumed</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>sent at once</source>
        <translation>立即发送</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>跳过</translation>
    </message>
    <message>
        <source>ended early</source>
        <translation>提前结束</translation>
    </message>
    <message>
        <source>director&apos;s command</source>
        <translation>导调指令</translation>
    </message>
</context>
</TS>
