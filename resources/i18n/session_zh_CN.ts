<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>HandoverControl</name>
    <message>
        <source>Export handover</source>
        <translation>导出交接班记录</translation>
    </message>
    <message>
        <source>Handed over with %1 open cases.</source>
        <translation>已交班，附 %1 件在办案件。</translation>
    </message>
    <message>
        <source>Receipt of %1&apos;s handover recorded.</source>
        <translation>已签收 %1 的交班。</translation>
    </message>
    <message>
        <source>Shift handover</source>
        <translation>交接班</translation>
    </message>
    <message>
        <source>The PDF could not be written: %1</source>
        <translation>无法写入 PDF：%1</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>The handover could not be saved: %1</source>
        <translation>交接班记录无法保存：%1</translation>
    </message>
    <message>
        <source>Only a shift lead writes or receives a handover.</source>
        <translation>只有值班长可以交班或接班。</translation>
    </message>
    <message>
        <source>Write the handover note first.</source>
        <translation>请先填写交班记录。</translation>
    </message>
    <message>
        <source>This shift has already been handed over.</source>
        <translation>本班次已经交班。</translation>
    </message>
    <message>
        <source>That handover no longer exists.</source>
        <translation>该交班记录已不存在。</translation>
    </message>
    <message>
        <source>That handover has already been received.</source>
        <translation>该交班记录已被签收。</translation>
    </message>
    <message>
        <source>The next shift&apos;s lead signs for a handover, not its author.</source>
        <translation>交班记录须由下一班值班长签收，不能由交班人本人签收。</translation>
    </message>
</context>
<context>
    <name>HandoverPanel</name>
    <message>
        <source>What the next shift must know: risks still open, promises to callers, units still out.</source>
        <translation>下一班需要知道的事：尚未消除的风险、对来电群众的承诺、仍在外处置的单位。</translation>
    </message>
    <message>
        <source>Hand over (%1)</source>
        <translation>交班（%1）</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>督办等级</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Acknowledge receipt</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <source>Handing over: %1</source>
        <translation>交班班次：%1</translation>
    </message>
    <message>
        <source>%1 open cases will be listed with the note.</source>
        <translation>交班时将附上 %1 件在办案件。</translation>
    </message>
    <message>
        <source>received by %1</source>
        <translation>%1 已签收</translation>
    </message>
    <message>
        <source>awaiting receipt</source>
        <translation>待签收</translation>
    </message>
    <message>
        <source>Handover from %1 for %2 awaits receipt by the next shift lead.</source>
        <translation>%1 的交班（%2）待下一班值班长签收。</translation>
    </message>
    <message>
        <source>No handover yet.</source>
        <translation>暂无交班记录。</translation>
    </message>
    <message>
        <source>%1 (parked)</source>
        <translation>%1（挂账）</translation>
    </message>
    <message>
        <source>Write the handover note first.</source>
        <translation>请先填写交班记录。</translation>
    </message>
</context>
<context>
    <name>HandoverReport</name>
    <message>
        <source>Shift handover</source>
        <translation>交接班</translation>
    </message>
    <message>
        <source>Shift: %1</source>
        <translation>班次：%1</translation>
    </message>
    <message>
        <source>Handed over by %1 (%2) at %3</source>
        <translation>交班人：%1（%2），交班时间 %3</translation>
    </message>
    <message>
        <source>Received by %1 at %2</source>
        <translation>接班人：%1，签收时间 %2</translation>
    </message>
    <message>
        <source>Not yet received</source>
        <translation>尚未签收</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>交班记录</translation>
    </message>
    <message>
        <source>Open cases (%1)</source>
        <translation>在办案件（%1 件）</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>督办等级</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>%1 (parked)</source>
        <translation>%1（挂账）</translation>
    </message>
</context>
<context>
    <name>LockOverlay</name>
    <message>
        <source>Tianshu 天枢</source>
        <translation>天枢 TIANSHU</translation>
    </message>
</context>
<context>
    <name>LoginForm</name>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Login</source>
        <translation>账号</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Tianshu · Sign in</source>
        <translation>天枢 · 登录</translation>
    </message>
    <message>
        <source>Sign in with your duty account.</source>
        <translation>请使用值班账号登录。</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Console locked</source>
        <translation>席位已锁定</translation>
    </message>
    <message>
        <source>Locked for %1 (%2). Enter the password to continue, or sign in as someone else.</source>
        <translation>已为 %1（%2）锁定。输入密码继续工作，或换其他值班员登录。</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
    <message>
        <source>Demo accounts · password %1</source>
        <translation>演示账号 · 密码 %1</translation>
    </message>
    <message>
        <source>Enter your login.</source>
        <translation>请输入账号。</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <source>No operator account can sign in yet. Create one in a terminal:
python main.py operators add --db %1 --login LOGIN --name NAME --role shift_lead</source>
        <translation>还没有可以登录的值班账号。请在终端中创建：
python main.py operators add --db %1 --login 账号 --name 姓名 --role shift_lead</translation>
    </message>
    <message>
        <source>The password could not be checked: %1</source>
        <translation>无法验证密码：%1</translation>
    </message>
    <message>
        <source>Wrong login or password, or the account is disabled.</source>
        <translation>账号或密码错误，或该账号已停用。</translation>
    </message>
    <message>
        <source>Too many failed attempts for this login. Try again after %1.</source>
        <translation>该账号连续登录失败次数过多，请于 %1 后再试。</translation>
    </message>
</context>
<context>
    <name>SessionBadge</name>
    <message>
        <source>Lock now</source>
        <translation>立即锁定</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>未登录</translation>
    </message>
</context>
<context>
    <name>ShiftPanels</name>
    <message>
        <source>Supervision board</source>
        <translation>督办看板</translation>
    </message>
    <message>
        <source>Shift handover</source>
        <translation>交接班</translation>
    </message>
</context>
<context>
    <name>ShiftWords</name>
    <message>
        <source>Intake operator</source>
        <translation>受理员</translation>
    </message>
    <message>
        <source>Shift lead</source>
        <translation>值班长</translation>
    </message>
    <message>
        <source>Dispatcher</source>
        <translation>派遣员</translation>
    </message>
    <message>
        <source>Field supervisor</source>
        <translation>监督员</translation>
    </message>
    <message>
        <source>Responsible unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <source>Supervision</source>
        <translation>督办员</translation>
    </message>
    <message>
        <source>Wall viewer</source>
        <translation>大屏</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Discovered</source>
        <translation>已发现</translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation>待核实</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>已立案</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>已作废</translation>
    </message>
    <message>
        <source>Merged</source>
        <translation>已并案</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已派遣</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>已签收</translation>
    </message>
    <message>
        <source>Return requested</source>
        <translation>申请回退</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>处置中</translation>
    </message>
    <message>
        <source>Handled</source>
        <translation>已反馈</translation>
    </message>
    <message>
        <source>Checking</source>
        <translation>核查中</translation>
    </message>
    <message>
        <source>Rework</source>
        <translation>返工</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Evaluated</source>
        <translation>已评价</translation>
    </message>
    <message>
        <source>Archived</source>
        <translation>已归档</translation>
    </message>
    <message>
        <source>Yellow light</source>
        <translation>黄灯</translation>
    </message>
    <message>
        <source>Yellow card</source>
        <translation>黄牌</translation>
    </message>
    <message>
        <source>Red card</source>
        <translation>红牌</translation>
    </message>
    <message>
        <source>Raised by hand</source>
        <translation>人工督办</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1天%2小时</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1小时%2分</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1分钟</translation>
    </message>
    <message>
        <source>Overdue %1</source>
        <translation>超时 %1</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>剩余 %1</translation>
    </message>
    <message>
        <source>Parked · %1</source>
        <translation>挂账 · %1</translation>
    </message>
    <message>
        <source>No deadline</source>
        <translation>无时限</translation>
    </message>
</context>
<context>
    <name>SupervisionBoard</name>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>District</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>Supervision note to the unit (required)</source>
        <translation>督办意见（必填，随督办发给责任单位）</translation>
    </message>
    <message>
        <source>Yellow card (%1)</source>
        <translation>黄牌督办（%1）</translation>
    </message>
    <message>
        <source>Red card (%1)</source>
        <translation>红牌督办（%1）</translation>
    </message>
    <message>
        <source>Your role cannot raise supervision cards</source>
        <translation>您的角色无权督办</translation>
    </message>
    <message>
        <source>As of %1</source>
        <translation>更新于 %1</translation>
    </message>
    <message>
        <source>Select a case on the board first.</source>
        <translation>请先在看板上选中一个案件。</translation>
    </message>
    <message>
        <source>Write a note: the unit reads it with the card.</source>
        <translation>请填写督办意见：责任单位会随督办一并收到。</translation>
    </message>
    <message>
        <source>Raised by hand: %1</source>
        <translation>人工督办：%1</translation>
    </message>
    <message>
        <source>%1 (first %2 shown)</source>
        <translation>%1（仅显示前 %2 件）</translation>
    </message>
</context>
<context>
    <name>SupervisionControl</name>
    <message>
        <source>Your role cannot raise supervision cards.</source>
        <translation>您的角色无权督办。</translation>
    </message>
    <message>
        <source>%1 raised on %2.</source>
        <translation>已对 %2 发出%1督办。</translation>
    </message>
    <message>
        <source>The card could not be raised: %1</source>
        <translation>督办未能发出：%1</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>someone</source>
        <translation>他人</translation>
    </message>
    <message>
        <source>%1 was changed by %2 since the board showed it; check it again.</source>
        <translation>%1 在看板刷新后已被 %2 修改，请重新核对。</translation>
    </message>
    <message>
        <source>%1 is no longer open.</source>
        <translation>%1 已不在办理中。</translation>
    </message>
    <message>
        <source>Write a note: the unit reads it with the card.</source>
        <translation>请填写督办意见：责任单位会随督办一并收到。</translation>
    </message>
    <message>
        <source>Refused: %1</source>
        <translation>未执行：%1</translation>
    </message>
</context>
</TS>
