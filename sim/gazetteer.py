"""Place names of the fictional demo city: the tables city_build turns into geography."""

from __future__ import annotations

CITY_NAME = "天枢示范市"
CITY_CODE = "339900"
# Map centre; 1 km east/north in the local frame is converted around this point.
CENTRE_LON = 120.15
CENTRE_LAT = 30.27
# Half extents of the city rectangle in km (east-west, north-south).
HALF_WIDTH_KM = 8.0
HALF_HEIGHT_KM = 7.0

# North-south streets, west to east, one every km from x = -7.5.
NS_ROADS = (
    "松岭路",
    "青溪路",
    "玉带路",
    "云栖路",
    "学院路",
    "文昌路",
    "延安路",
    "中山路",
    "建国路",
    "和平路",
    "凯旋路",
    "新塘路",
    "朝阳路",
    "东宁路",
    "港湾路",
    "海潮路",
)
# East-west streets, south to north, one every km from y = -6.5.
EW_ROADS = (
    "滨江路",
    "望江路",
    "南环路",
    "复兴路",
    "胜利路",
    "解放路",
    "人民路",
    "青年路",
    "光明路",
    "文化路",
    "体育路",
    "天目路",
    "北辰路",
    "北环路",
)
RING_ROAD = "环城高架"
RADIALS = (
    # (name, bearing in degrees counter-clockwise from east)
    ("北辰快速路", 75.0),
    ("明湖快速路", 160.0),
    ("望江快速路", 235.0),
    ("东港快速路", 345.0),
)
RIVER = "澄江"
LAKE = "明镜湖"

# (code, name, streets). The centre district is the old town inside an ellipse; the others are
# sectors around it, listed with the bearing where each sector starts (counter-clockwise from east).
CENTRE_DISTRICT = ("339901", "钟楼区", ("钟楼街道", "鼓楼街道", "清波街道", "湖滨街道"))
SECTOR_DISTRICTS = (
    (-35.0, "339902", "东港区", ("东港街道", "海潮街道", "港湾街道", "新塘街道")),
    (35.0, "339903", "北辰区", ("北辰街道", "天目街道", "文昌街道", "石桥街道", "康桥街道")),
    (110.0, "339904", "明湖区", ("明湖街道", "云栖街道", "灵峰街道", "松岭街道")),
    (185.0, "339905", "望江区", ("望江街道", "澄江街道", "南星街道")),
    (255.0, "339906", "高新区", ("高新街道", "科创街道", "长河街道", "浦沿街道")),
)

# Hand-placed landmarks: (name, kind, x km, y km). Kinds are LandmarkKind values.
LANDMARKS = (
    ("钟楼广场", "square", 0.2, 0.3),
    ("市民中心", "square", 2.6, -0.6),
    ("明镜湖公园", "park", -2.8, 0.25),
    ("澄江湿地公园", "park", -5.5, -5.2),
    ("市第一人民医院", "hospital", 0.8, 1.2),
    ("市中医院", "hospital", -1.5, -1.8),
    ("东港区人民医院", "hospital", 5.0, 0.6),
    ("北辰区人民医院", "hospital", -0.6, 5.3),
    ("奥体中心体育场", "stadium", 3.6, -3.4),
    ("天街购物中心", "mall", 1.2, -0.8),
    ("湖滨银座", "mall", -1.6, 1.4),
    ("北辰汇购物中心", "mall", 1.0, 5.0),
    ("高新天地", "mall", 5.2, -4.4),
    ("天枢火车站", "station", 4.8, 1.8),
    ("钟楼地铁站", "station", 0.0, 0.6),
    ("北辰地铁站", "station", 0.5, 4.2),
    ("望江地铁站", "station", -2.0, -3.8),
    ("高新地铁站", "station", 4.0, -4.6),
    ("澄江化工园区", "industrial", 6.6, -5.2),
    ("东港物流园", "industrial", 7.0, 2.2),
    ("东港燃气储配站", "industrial", 6.8, 3.4),
    ("北辰加油站", "industrial", -2.2, 6.1),
    ("市第二中学", "school", -1.0, 2.6),
    ("天枢大学", "school", -5.6, 3.6),
    ("高新实验小学", "school", 6.2, -3.0),
    ("南星农贸市场", "market", -3.5, -2.5),
    ("鼓楼农贸市场", "market", -0.8, -0.5),
    ("东港夜市", "market", 3.9, 0.4),
)
RESIDENTIAL = (
    "金色家园",
    "翠苑小区",
    "阳光花园",
    "和睦新村",
    "锦绣华庭",
    "桂花苑",
    "丽水湾",
    "紫荆花园",
    "望江新村",
    "北辰嘉园",
    "东港雅苑",
    "明湖山庄",
    "文昌苑",
    "春晖小区",
)
CONSTRUCTION_SITE_COUNT = 8
UNDERPASS_COUNT = 8

# Per-district responsible units: (id suffix, name suffix, kind, mobile).
DISTRICT_UNITS = (
    ("CG", "城管执法队", "urban_management", True),
    ("HW", "环卫所", "sanitation", True),
    ("JJ", "交警大队", "police_traffic", True),
    ("XF", "消防救援站", "fire", True),
)
# City-wide responsible units: (id, name, kind, mobile).
CITY_UNITS = (
    ("U-CITY-PS", "市排水有限公司抢险队", "water", True),
    ("U-CITY-SW", "市水务集团管网所", "water", False),
    ("U-CITY-HB", "市生态环境局执法支队", "environment", False),
    ("U-CITY-JS", "市住建局建设工程安全监督站", "construction", False),
    ("U-CITY-WH", "市应急管理局危化品救援队", "emergency", True),
    ("U-CITY-YJ", "市城市运行应急保障中心", "emergency", False),
)
# Cameras per district code; the centre is watched most densely.
CAMERAS_PER_DISTRICT = {"339901": 10, "339902": 6, "339903": 6, "339904": 6, "339905": 6, "339906": 6}
