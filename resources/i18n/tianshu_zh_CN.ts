<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Application</name>
    <message>
        <source>No Chinese font found (未找到中文字体): install fonts-noto-cjk, then restart Tianshu.</source>
        <translation>未找到中文字体 (No Chinese font found)：请安装 fonts-noto-cjk 后重新启动天枢。</translation>
    </message>
</context>
<context>
    <name>Cockpit</name>
    <message>
        <source>Demo city</source>
        <translation>演示城市</translation>
    </message>
</context>
<context>
    <name>CockpitHeader</name>
    <message>
        <source>Tianshu · City Operations Cockpit</source>
        <translation>天枢 · 城市运行指挥舱</translation>
    </message>
</context>
<context>
    <name>CockpitStatusBar</name>
    <message>
        <source>Store: %1</source>
        <translation>存储：%1</translation>
    </message>
    <message>
        <source>Events today: %1</source>
        <translation>今日事件：%1</translation>
    </message>
</context>
<context>
    <name>EventTableModel</name>
    <message>
        <source>Occurred: %1</source>
        <translation>发生时间：%1</translation>
    </message>
    <message>
        <source>Received: %1</source>
        <translation>接收时间：%1</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Address / grid</source>
        <translation>地址 / 网格</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>FeedHealthPanel</name>
    <message>
        <source>Seq / head</source>
        <translation>序号 / 最新</translation>
    </message>
    <message>
        <source>Events/s</source>
        <translation>事件/秒</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Duplicates</source>
        <translation>重复</translation>
    </message>
    <message>
        <source>Revisions</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>Replays</source>
        <translation>重放</translation>
    </message>
    <message>
        <source>Quarantined</source>
        <translation>隔离</translation>
    </message>
    <message>
        <source>Unknown types</source>
        <translation>未知类型</translation>
    </message>
    <message>
        <source>Gaps</source>
        <translation>断档</translation>
    </message>
    <message>
        <source>Metrics</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>No gaps</source>
        <translation>无断档</translation>
    </message>
    <message>
        <source>Quarantine (latest)</source>
        <translation>隔离记录（最新）</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Latest gap: %1 → #%2 at %3 (%4)</source>
        <translation>最近断档：%1 → #%2，%3（%4）</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Tianshu City Operations Cockpit</source>
        <translation>天枢 城市运行指挥舱</translation>
    </message>
    <message>
        <source>Live events</source>
        <translation>实时事件</translation>
    </message>
    <message>
        <source>City vital signs</source>
        <translation>城市体征</translation>
    </message>
    <message>
        <source>Vital sign trends</source>
        <translation>体征趋势</translation>
    </message>
    <message>
        <source>Feed health</source>
        <translation>数据接入</translation>
    </message>
</context>
<context>
    <name>VitalSignsPanel</name>
    <message>
        <source>city-wide</source>
        <translation>全市</translation>
    </message>
    <message>
        <source>highest of %1 districts</source>
        <translation>%1 个区中最高</translation>
    </message>
    <message>
        <source>highest of %1 series</source>
        <translation>%1 路中最高</translation>
    </message>
</context>
<context>
    <name>Vocabulary</name>
    <message>
        <source>The feed refused the token (HTTP %1)</source>
        <translation>数据源拒绝了令牌（HTTP %1）</translation>
    </message>
    <message>
        <source>The feed answered HTTP %1 instead of a websocket</source>
        <translation>数据源返回 HTTP %1，而不是 WebSocket</translation>
    </message>
    <message>
        <source>Not a websocket address: %1</source>
        <translation>不是 WebSocket 地址：%1</translation>
    </message>
    <message>
        <source>The feed&apos;s TLS certificate is not trusted: %1</source>
        <translation>数据源的 TLS 证书不受信任：%1</translation>
    </message>
    <message>
        <source>The feed sent nothing, not even a heartbeat, for too long</source>
        <translation>数据源长时间无任何消息（心跳也没有）</translation>
    </message>
    <message>
        <source>The feed did not answer the connection in time</source>
        <translation>数据源未及时响应连接</translation>
    </message>
    <message>
        <source>Connection refused: the feed server is not listening</source>
        <translation>连接被拒绝：数据源服务器未在监听</translation>
    </message>
    <message>
        <source>The connection was closed (%1)</source>
        <translation>连接已关闭（%1）</translation>
    </message>
    <message>
        <source>The feed closed the connection</source>
        <translation>数据源关闭了连接</translation>
    </message>
    <message>
        <source>Network error: %1</source>
        <translation>网络错误：%1</translation>
    </message>
    <message>
        <source>Feed client fault (recovered): %1</source>
        <translation>接入程序故障（已恢复）：%1</translation>
    </message>
    <message>
        <source>Connection failed: %1</source>
        <translation>连接失败：%1</translation>
    </message>
    <message>
        <source>no close frame</source>
        <translation>无关闭帧</translation>
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
        <source>IoT sensing</source>
        <translation>物联感知</translation>
    </message>
    <message>
        <source>Video AI</source>
        <translation>视频智能</translation>
    </message>
    <message>
        <source>12345 hotline</source>
        <translation>12345热线</translation>
    </message>
    <message>
        <source>Grid report</source>
        <translation>网格上报</translation>
    </message>
    <message>
        <source>Weather warning</source>
        <translation>气象预警</translation>
    </message>
    <message>
        <source>Waterlogging</source>
        <translation>积水</translation>
    </message>
    <message>
        <source>Water level over limit</source>
        <translation>水位超限</translation>
    </message>
    <message>
        <source>Manhole cover fault</source>
        <translation>井盖异常</translation>
    </message>
    <message>
        <source>Illegal parking</source>
        <translation>违章停车</translation>
    </message>
    <message>
        <source>Garbage overflow</source>
        <translation>垃圾满溢</translation>
    </message>
    <message>
        <source>Construction site violation</source>
        <translation>工地违规</translation>
    </message>
    <message>
        <source>Air quality over limit</source>
        <translation>空气质量超标</translation>
    </message>
    <message>
        <source>Fire alarm</source>
        <translation>火情报警</translation>
    </message>
    <message>
        <source>Traffic accident</source>
        <translation>交通事故</translation>
    </message>
    <message>
        <source>Crowding</source>
        <translation>人群聚集</translation>
    </message>
    <message>
        <source>Hazardous chemicals</source>
        <translation>危化品异常</translation>
    </message>
    <message>
        <source>Motion in a watched area</source>
        <translation>布控区域异动</translation>
    </message>
    <message>
        <source>Geological warning</source>
        <translation>地质灾害预警</translation>
    </message>
    <message>
        <source>Public safety warning</source>
        <translation>公共安全预警</translation>
    </message>
    <message>
        <source>Security warning</source>
        <translation>治安预警</translation>
    </message>
    <message>
        <source>Rescue warning</source>
        <translation>救援预警</translation>
    </message>
    <message>
        <source>Fire warning</source>
        <translation>火灾预警</translation>
    </message>
    <message>
        <source>Health warning</source>
        <translation>卫生健康预警</translation>
    </message>
    <message>
        <source>Environmental warning</source>
        <translation>环境预警</translation>
    </message>
    <message>
        <source>Transport warning</source>
        <translation>交通预警</translation>
    </message>
    <message>
        <source>Infrastructure warning</source>
        <translation>基础设施预警</translation>
    </message>
    <message>
        <source>CBRNE warning</source>
        <translation>核生化爆预警</translation>
    </message>
    <message>
        <source>Other warning</source>
        <translation>其他预警</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>预警</translation>
    </message>
    <message>
        <source>Open incidents</source>
        <translation>在办事件</translation>
    </message>
    <message>
        <source>Hotline calls</source>
        <translation>热线话务量</translation>
    </message>
    <message>
        <source>Congestion index</source>
        <translation>交通拥堵指数</translation>
    </message>
    <message>
        <source>Air quality index</source>
        <translation>空气质量指数</translation>
    </message>
    <message>
        <source>Highest water level</source>
        <translation>最高水位</translation>
    </message>
    <message>
        <source>Power load</source>
        <translation>电力负荷</translation>
    </message>
    <message>
        <source>Metro passenger flow</source>
        <translation>地铁客流</translation>
    </message>
    <message>
        <source>calls/h</source>
        <translation>通/时</translation>
    </message>
    <message>
        <source>passengers/h</source>
        <translation>人次/时</translation>
    </message>
    <message>
        <source>Not JSON</source>
        <translation>非 JSON</translation>
    </message>
    <message>
        <source>Not a JSON object</source>
        <translation>非 JSON 对象</translation>
    </message>
    <message>
        <source>Binary frame</source>
        <translation>二进制帧</translation>
    </message>
    <message>
        <source>Not UTF-8</source>
        <translation>非 UTF-8 编码</translation>
    </message>
    <message>
        <source>Oversized frame</source>
        <translation>帧过大</translation>
    </message>
    <message>
        <source>Nested too deep</source>
        <translation>嵌套过深</translation>
    </message>
    <message>
        <source>Missing type</source>
        <translation>缺少类型</translation>
    </message>
    <message>
        <source>Invalid fields</source>
        <translation>字段无效</translation>
    </message>
    <message>
        <source>Malformed CAP alert</source>
        <translation>CAP 预警格式错误</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>未启动</translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>Waiting to reconnect</source>
        <translation>等待重连</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Reconnecting in %1 s</source>
        <translation>重连等待 %1 秒</translation>
    </message>
    <message>
        <source>Update r%1</source>
        <translation>更新 r%1</translation>
    </message>
    <message>
        <source>Exercise</source>
        <translation>演练</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已解除</translation>
    </message>
</context>
</TS>
