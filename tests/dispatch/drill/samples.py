"""A small scenario that uses every kind of inject, for the loader's and the master list's tests."""

from __future__ import annotations

SMALL = """\
drill: 解放路下穿隧道积水处置（桌面推演）
form: tabletop
scope: single
purpose: test
summary: 暴雨中下穿隧道积水，检验立案、派遣与封闭通道。
atlas: demo
area: "339901"
duration: 40m
objectives:
  - id: O1
    text: 积水事件 5 分钟内立案
  - id: O2
    text: 10 分钟内派遣排水抢险队
injects:
  - id: I1
    at: 0m
    cap:
      event: 暴雨
      headline: 天枢示范市气象台发布暴雨橙色预警信号
      severity: Severe
      area: 钟楼区
      where: {lon: 120.155, lat: 30.275}
  - id: I2
    at: 2m
    metric:
      name: water.level
      unit: m
      every: 1m
      labels: {station: WL-0412, district: 钟楼区}
      points: [[0s, 0.1], [10m, 0.6]]
  - id: I3
    at: 5m
    event:
      source: iot
      category: waterlogging
      title: 解放路下穿延安路隧道积水 32 cm
      severity: 2
      device: WL-0412
      where: 解放路下穿延安路隧道
  - id: I4
    at: 8m
    camera:
      camera: "33990100001320000001"
      title: 隧道口车辆涉水
      category: waterlogging
      severity: 2
      scene: 一辆轿车在积水中熄火
  - id: I5
    at: 6m
    unit_report: {to: I3, action: sign, after_order: 2m}
  - id: C1
    if_missing: E1
    delay: 1m
    objective: O1
    call:
      caller: 王先生
      says: 隧道里的水越来越深了，怎么还没人来？
      category: waterlogging
      severity: 2
      where: 解放路下穿延安路隧道
expected:
  - {id: E1, inject: I3, action: register, within: 5m, objective: O1}
  - {id: E2, inject: I3, action: dispatch, within: 10m, objective: O2, unit: U-CITY-PS}
"""
