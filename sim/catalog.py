"""What the demo city reports: event categories, their sources, severities, places and wording."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sim.city import LandmarkKind as K

# Severity weights for levels 1..4 (1 most severe, as China's levels I–IV).
# Levels I and II are rare in a real city (a few a day) and each one rings the duty desk's alarm until
# acknowledged; at the demo's 8 events/s these weights make one every few minutes.
_ROUTINE = (0.0001, 0.0008, 0.30, 0.6991)
_SERIOUS = (0.001, 0.004, 0.45, 0.545)


@dataclass(frozen=True, slots=True)
class Category:
    """One kind of incident: how often it happens, who reports it, how bad it tends to be and where."""

    code: str
    name: str
    weight: float
    sources: tuple[tuple[str, float], ...]
    severity: tuple[float, float, float, float]
    places: tuple[K, ...] = ()
    place_share: float = 0.0
    at_junction: bool = False


CATEGORIES = (
    Category(
        "illegal_parking",
        "违章停车",
        0.19,
        (("video_ai", 0.7), ("hotline", 0.2), ("grid", 0.1)),
        _ROUTINE,
        (K.MALL, K.HOSPITAL, K.SCHOOL, K.STATION, K.MARKET, K.RESIDENTIAL),
        0.5,
    ),
    Category(
        "garbage_overflow",
        "垃圾满溢",
        0.14,
        (("video_ai", 0.5), ("grid", 0.3), ("hotline", 0.2)),
        _ROUTINE,
        (K.RESIDENTIAL, K.MARKET, K.PARK, K.SQUARE),
        0.6,
    ),
    Category(
        "construction_violation",
        "工地违规",
        0.10,
        (("video_ai", 0.5), ("hotline", 0.3), ("grid", 0.2)),
        _ROUTINE,
        (K.CONSTRUCTION_SITE,),
        0.9,
    ),
    Category("manhole_cover", "井盖异常", 0.07, (("iot", 0.6), ("grid", 0.25), ("hotline", 0.15)), _ROUTINE),
    Category(
        "traffic_accident",
        "交通事故",
        0.10,
        (("video_ai", 0.4), ("hotline", 0.4), ("grid", 0.2)),
        (0.0003, 0.0015, 0.45, 0.5482),
        at_junction=True,
    ),
    Category(
        "crowding",
        "人群聚集",
        0.07,
        (("video_ai", 0.9), ("grid", 0.1)),
        (0.0003, 0.0015, 0.40, 0.5982),
        (K.STATION, K.MALL, K.SQUARE, K.STADIUM, K.MARKET),
        1.0,
    ),
    Category("air_quality", "空气质量超标", 0.06, (("iot", 1.0),), _ROUTINE, (K.AIR_MONITOR,), 1.0),
    Category(
        "waterlogging",
        "积水",
        0.06,
        (("iot", 0.4), ("video_ai", 0.2), ("hotline", 0.3), ("grid", 0.1)),
        _ROUTINE,
        (K.UNDERPASS,),
        0.5,
    ),
    Category("water_level", "水位超限", 0.04, (("iot", 1.0),), _ROUTINE, (K.GAUGE,), 1.0),
    Category(
        "fire_alarm",
        "火情报警",
        0.10,
        (("iot", 0.7), ("video_ai", 0.15), ("hotline", 0.15)),
        _SERIOUS,
        (K.RESIDENTIAL, K.MALL, K.HOSPITAL, K.SCHOOL, K.INDUSTRIAL),
        0.7,
    ),
    Category(
        "hazardous_chemicals",
        "危化品异常",
        0.03,
        (("iot", 0.7), ("video_ai", 0.1), ("hotline", 0.2)),
        (0.002, 0.008, 0.44, 0.55),
        (K.INDUSTRIAL,),
        0.8,
    ),
)
BY_CODE = {c.code: c for c in CATEGORIES}

# (title, description) templates per (category, source). {place} is a landmark or address, {address}
# always the street address; the other fields come from _measures().
_TEMPLATES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("illegal_parking", "video_ai"): (
        ("{place}机动车违停", "视频AI识别到机动车在禁停路段停放{minutes}分钟，已抓拍取证。"),
        ("{place}占用消防通道停车", "视频AI识别到车辆占用消防通道超过{minutes}分钟。"),
    ),
    ("illegal_parking", "hotline"): (
        (
            "市民投诉{place}车辆乱停",
            "12345热线来电：{address}车辆长期占用人行道停放，行人只能走机动车道。",
        ),
    ),
    ("illegal_parking", "grid"): (
        ("{place}非机动车乱停放", "网格员巡查发现{address}共享单车及电动车大面积乱停放，影响通行。"),
    ),
    ("garbage_overflow", "video_ai"): (
        ("{place}垃圾桶满溢", "视频AI识别到{bins}个垃圾桶满溢，垃圾散落地面。"),
    ),
    ("garbage_overflow", "grid"): (
        ("{place}垃圾堆积未清运", "网格员发现{address}生活垃圾堆积，已超过清运时限{minutes}分钟。"),
    ),
    ("garbage_overflow", "hotline"): (
        ("市民反映{place}垃圾满溢有异味", "12345热线来电：{address}垃圾桶满溢，气味较大，希望尽快清运。"),
    ),
    ("construction_violation", "video_ai"): (
        ("{place}{violation}", "视频AI识别到工地{violation}，已截图留证。"),
    ),
    ("construction_violation", "hotline"): (
        (
            "市民投诉{place}施工噪音扰民",
            "12345热线来电：{address}工地深夜施工，噪音约{noise}分贝，影响休息。",
        ),
    ),
    ("construction_violation", "grid"): (
        ("{place}{violation}", "网格员巡查发现{place}{violation}，已要求施工单位现场整改。"),
    ),
    ("manhole_cover", "iot"): (
        ("{place}井盖倾斜报警", "智能井盖传感器{device}检测到井盖倾斜{angle}°，疑似位移或被盗。"),
    ),
    ("manhole_cover", "grid"): (
        ("{place}井盖破损", "网格员发现{address}雨水井盖破损，存在安全隐患，已临时围挡。"),
    ),
    ("manhole_cover", "hotline"): (
        ("市民反映{place}井盖缺失", "12345热线来电：{address}有一处井盖缺失，夜间存在坠落风险。"),
    ),
    ("traffic_accident", "video_ai"): (
        (
            "{place}疑似交通事故",
            "视频AI交通事件检测：{vehicles}辆车异常停驶，疑似发生碰撞，后方车辆排队约{queue}米。",
        ),
    ),
    ("traffic_accident", "hotline"): (
        ("{place}发生交通事故", "市民来电：{address}发生{vehicles}车碰擦事故，车辆占道，请求处理。"),
    ),
    ("traffic_accident", "grid"): (
        ("{place}交通事故致拥堵", "网格员报告：{address}{vehicles}车追尾，暂无人员受伤，已协助疏导交通。"),
    ),
    ("crowding", "video_ai"): (
        ("{place}人群聚集约{people}人", "视频AI客流分析：区域人员密度{density}人/平方米，超过预警阈值。"),
    ),
    ("crowding", "grid"): (
        ("{place}人员聚集", "网格员报告：{address}约{people}人聚集，已通知属地派出所关注。"),
    ),
    ("air_quality", "iot"): (
        (
            "{place}空气质量超标 AQI {aqi}",
            "空气质量监测站{device}：AQI {aqi}，首要污染物PM2.5，浓度{pm25}微克/立方米。",
        ),
    ),
    ("waterlogging", "iot"): (
        (
            "{place}积水深度{depth}厘米",
            "积水监测点{device}报警：当前积水深度{depth}厘米，已超过15厘米预警线。",
        ),
    ),
    ("waterlogging", "video_ai"): (
        ("{place}路面积水", "视频AI识别到{address}路面积水，估计深度{depth}厘米，车辆涉水缓行。"),
    ),
    ("waterlogging", "hotline"): (
        ("市民反映{place}积水严重", "12345热线来电：{address}积水约{depth}厘米，行人无法通行，请尽快排水。"),
    ),
    ("waterlogging", "grid"): (
        (
            "网格员上报{place}积水",
            "网格员巡查发现{address}积水约{depth}厘米，已设置警示标志，请排水单位处置。",
        ),
    ),
    ("water_level", "iot"): (
        (
            "{place}水位{level}米，超警戒{over}米",
            "水位监测站{device}：当前水位{level}米，警戒水位{warn}米，水位{trend}。",
        ),
    ),
    ("fire_alarm", "iot"): (
        ("{place}烟感报警", "智慧消防系统：{place}{floor}层烟感探测器{device}报警，请核实是否为真实火情。"),
    ),
    ("fire_alarm", "video_ai"): (
        ("{place}疑似烟火", "视频AI烟火识别：画面中检测到明显烟雾，置信度{confidence}%。"),
    ),
    ("fire_alarm", "hotline"): (
        ("市民报告{place}冒烟起火", "市民来电：{address}有建筑冒出浓烟，疑似起火。"),
    ),
    ("hazardous_chemicals", "iot"): (
        (
            "{place}{gas}浓度超限 {lel}%LEL",
            "可燃气体探测器{device}报警：{gas}浓度达到{lel}%LEL，请立即核查。",
        ),
    ),
    ("hazardous_chemicals", "video_ai"): (
        ("{place}危化品运输车违规停靠", "视频AI识别到危险化学品运输车辆在非指定区域停靠超过{minutes}分钟。"),
    ),
    ("hazardous_chemicals", "hotline"): (
        ("市民反映{place}有刺激性气味", "12345热线来电：{address}闻到强烈刺激性气味，疑似化学品泄漏。"),
    ),
}

_VIOLATIONS = ("渣土车未密闭运输", "裸土未覆盖", "夜间违规施工", "未落实降尘措施", "施工围挡破损")
_GASES = ("天然气", "液化石油气", "氢气")
# Follow-up wording for a re-sent event whose content changed (a new revision upstream).
FOLLOW_UPS = (
    "（续报）现场核实情况属实，已通知责任单位。",
    "（续报）情况有所加重，请加快处置。",
    "（续报）责任单位已到场，正在处置。",
    "（续报）补充现场照片，位置已校正。",
)
WARN_LEVEL_M = 4.50


def severity_for(category: Category, rng: random.Random) -> int:
    return rng.choices((1, 2, 3, 4), weights=category.severity)[0]


def water_level_over(severity: int, rng: random.Random) -> float:
    """Metres above the warning level that make a gauge reading this severe."""
    low, high = {4: (0.05, 0.2), 3: (0.2, 0.5), 2: (0.5, 1.0), 1: (1.0, 1.6)}[severity]
    return rng.uniform(low, high)


def severity_for_over(over: float) -> int:
    return 4 if over < 0.2 else 3 if over < 0.5 else 2 if over < 1.0 else 1


def _measures(code: str, severity: int, rng: random.Random) -> dict[str, object]:
    """The numbers a report quotes, drawn to match its severity (5 - severity grows with harm)."""
    harm = 5 - severity
    over = water_level_over(severity, rng)
    return {
        "minutes": rng.randint(10, 30) * harm,
        "bins": rng.randint(1, 2) + harm,
        "violation": rng.choice(_VIOLATIONS),
        "noise": rng.randint(62, 70) + 4 * harm,
        "angle": rng.randint(8, 15) * harm,
        "vehicles": min(2 + harm // 2 + rng.randint(0, 1), 6),
        "queue": rng.randint(1, 4) * 100 * harm,
        "people": rng.randint(3, 8) * 100 * harm,
        "density": f"{1.5 + 0.9 * harm + rng.random():.1f}",
        "aqi": rng.randint(151, 180) + 50 * (harm - 1),
        "pm25": rng.randint(116, 140) + 40 * (harm - 1),
        "depth": rng.randint(8, 14) * (harm + 1),
        "level": f"{WARN_LEVEL_M + over:.2f}",
        "over": f"{over:.2f}",
        "warn": f"{WARN_LEVEL_M:.2f}",
        "trend": rng.choice(("持续上涨", "基本持平")),
        "floor": rng.randint(1, 28),
        "confidence": rng.randint(80, 99),
        "gas": rng.choice(_GASES),
        "lel": rng.randint(10, 20) * harm,
        "device": f"{code[:2].upper()}-{rng.randint(1, 99_999):05d}",
    }


def wording(
    code: str,
    source: str,
    severity: int,
    place: str,
    address: str,
    rng: random.Random,
    overrides: dict[str, object] | None = None,
) -> tuple[str, str]:
    """Title and description for one report, in the voice of its source; overrides pin quoted numbers."""
    templates = _TEMPLATES.get((code, source)) or next(v for (c, _), v in _TEMPLATES.items() if c == code)
    title, description = rng.choice(templates)
    fields = {**_measures(code, severity, rng), **(overrides or {}), "place": place, "address": address}
    return title.format(**fields)[:200], description.format(**fields)
