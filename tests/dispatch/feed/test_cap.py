"""CAP 1.2 ingestion: hardened parsing, validation with precise errors, and the mapping onto events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.clock import ManualClock
from dispatch.feed.cap import MAX_CAP_BYTES, CapError, parse_cap
from dispatch.feed.cap_events import cap_to_event
from dispatch.feed.cap_values import CapAlert
from dispatch.feed.intake import Intake
from dispatch.feed.protocol import DecodedEvent, decode_event, encode_event_object
from dispatch.store.writer import StoreWriter
from tests.dispatch.cap_samples import (
    ALERT,
    CAP_NS,
    CITY,
    CITY_POLYGON,
    INFO,
    ORIGINAL_ID,
    ORIGINAL_SENT,
    SENDER,
    Area,
    cap_xml,
)
from tests.dispatch.casework.policies import open_loop

CAP_ERROR_CODES = {"too_large", "forbidden_xml", "malformed_xml", "not_cap", "missing_field", "bad_value"}
UPDATE_ID = "44030041600000_20250701093000"
UPDATE_SENT = "2025-07-01T09:30:00+08:00"
# CAP names an alert by sender and identifier; so does its event.
ORIGINAL_EVENT_ID = f"{SENDER},{ORIGINAL_ID}"
OTHER_SENDER = "12379@other-city.example.gov.cn"
AFTER_SAMPLES = 1_751_338_800.0  # 2025-07-01T11:00:00+08:00, inside every sample's time window
# The same outline as the map takes it: [lon, lat] pairs where CAP writes "lat,lon".
CITY_RING = [[float(lon), float(lat)] for lat, lon in (p.split(",") for p in CITY_POLYGON.split())]


def event_of(xml: str) -> dict[str, object]:
    event = cap_to_event(parse_cap(xml))
    assert event is not None
    assert_fits_feed_schema(event)
    return event


def assert_fits_feed_schema(event: dict[str, object]) -> None:
    # The intake validates CAP events with the feed's own EVENT schema, after a strict JSON round trip.
    assert json.loads(json.dumps(event, allow_nan=False)) == event
    assert isinstance(decode_event(encode_event_object(event), 1), DecodedEvent)


def cap_error(xml: str) -> CapError:
    with pytest.raises(CapError) as caught:
        parse_cap(xml)
    return caught.value


def cap_of(event: dict[str, object]) -> dict[str, object]:
    cap = event["cap"]
    assert isinstance(cap, dict)
    return cap


# --- the mapping onto events -------------------------------------------------------------------------


def test_actual_warning_becomes_a_live_event_with_centroid_and_level() -> None:
    event = event_of(cap_xml())

    assert event["id"] == ORIGINAL_EVENT_ID
    assert event["source"] == "cap"
    assert event["category"] == "cap_met"
    assert event["title"] == "某市气象台发布暴雨橙色预警信号"
    assert event["description"] == f"{INFO['description']}\n{INFO['instruction']}"
    assert event["severity"] == 2
    assert event["occurred_at"] == "2025-07-01T08:00:00+08:00"
    assert event["exercise"] is False
    assert "cancelled" not in event
    assert event["location"] == {
        "lon": pytest.approx(114.3),
        "lat": pytest.approx(30.6),
        "address": "某市城区",
    }
    assert cap_of(event) == {
        "identifier": ORIGINAL_ID,
        "sender": SENDER,
        "sent": ORIGINAL_SENT,
        "status": "Actual",
        "msg_type": "Alert",
        "references": [],
        "event": "暴雨",
        "urgency": "Expected",
        "severity": "Severe",
        "certainty": "Likely",
        "expires": "2025-07-01T20:00:00+08:00",
        "instruction": INFO["instruction"],
        "area_desc": "某市城区",
        "areas": [{"desc": "某市城区", "polygons": [CITY_RING], "circles": []}],
    }


def test_parsed_alert_keeps_the_cap_structure() -> None:
    alert = parse_cap(cap_xml(info={"onset": "2025-07-01T09:00:00+08:00"}))

    assert alert.sent.utcoffset() is not None
    assert alert.sent.isoformat() == ORIGINAL_SENT
    (info,) = alert.infos
    assert (info.language, info.categories, info.event) == ("zh-CN", ("Met",), "暴雨")
    assert info.onset is not None
    assert info.onset.isoformat() == "2025-07-01T09:00:00+08:00"
    (area,) = info.areas
    assert area.polygons[0][0] == (30.5, 114.2)
    assert area.geocodes == (("GB/T 2260", "440300"),)


@pytest.mark.parametrize("status", ["Exercise", "Test"])
def test_exercise_and_test_alerts_become_exercise_events(status: str) -> None:
    event = event_of(cap_xml(alert={"status": status}))

    assert event["exercise"] is True
    assert cap_of(event)["status"] == status


@pytest.mark.parametrize("status", ["System", "Draft"])
def test_system_and_draft_alerts_are_dropped(status: str) -> None:
    assert cap_to_event(parse_cap(cap_xml(alert={"status": status}))) is None


@pytest.mark.parametrize("msg_type", ["Ack", "Error"])
def test_acks_and_errors_are_dropped(msg_type: str) -> None:
    references = f"{SENDER},{ORIGINAL_ID},{ORIGINAL_SENT}"
    alert = parse_cap(cap_xml(alert={"msgType": msg_type, "references": references}))

    assert cap_to_event(alert) is None


def test_system_message_without_info_is_accepted_and_dropped() -> None:
    alert = parse_cap(cap_xml(alert={"status": "System"}).split("<info>")[0] + "</alert>")

    assert alert.infos == ()
    assert cap_to_event(alert) is None


def test_update_revises_the_referenced_alert_with_new_content() -> None:
    xml = cap_xml(
        alert={
            "identifier": UPDATE_ID,
            "sent": UPDATE_SENT,
            "msgType": "Update",
            "references": f"{SENDER},{ORIGINAL_ID},{ORIGINAL_SENT}",
        },
        info={
            "severity": "Extreme",
            "urgency": "Immediate",
            "effective": UPDATE_SENT,
            "headline": "某市气象台将暴雨橙色预警信号升级为红色",
        },
    )
    event = event_of(xml)

    assert event["id"] == ORIGINAL_EVENT_ID
    assert event["severity"] == 1
    assert event["title"] == "某市气象台将暴雨橙色预警信号升级为红色"
    assert event["occurred_at"] == UPDATE_SENT
    assert "cancelled" not in event
    cap = cap_of(event)
    assert cap["identifier"] == UPDATE_ID
    assert cap["msg_type"] == "Update"
    assert cap["references"] == [{"sender": SENDER, "identifier": ORIGINAL_ID, "sent": ORIGINAL_SENT}]


def test_cancel_marks_the_referenced_alert_cancelled() -> None:
    xml = cap_xml(
        alert={
            "identifier": "44030041600000_20250701120000",
            "sent": "2025-07-01T12:00:00+08:00",
            "msgType": "Cancel",
            "references": f"{SENDER},{ORIGINAL_ID},{ORIGINAL_SENT}",
        },
        info={"headline": "某市气象台解除暴雨橙色预警信号"},
    )
    event = event_of(xml)

    assert event["id"] == ORIGINAL_EVENT_ID
    assert event["cancelled"] is True
    assert event["title"] == "某市气象台解除暴雨橙色预警信号"
    assert cap_of(event)["msg_type"] == "Cancel"


def test_update_of_an_update_still_revises_the_original_alert() -> None:
    # A chain lists every earlier message; the event lives under the earliest one, whatever the order.
    chain = f"{SENDER},{UPDATE_ID},{UPDATE_SENT} {SENDER},{ORIGINAL_ID},{ORIGINAL_SENT}"
    xml = cap_xml(alert={"identifier": "third", "msgType": "Update", "references": chain})
    alert = parse_cap(xml)

    assert [ref.identifier for ref in alert.references] == [UPDATE_ID, ORIGINAL_ID]
    assert event_of(xml)["id"] == ORIGINAL_EVENT_ID


def test_another_sender_reusing_an_identifier_is_another_event() -> None:
    ours = event_of(cap_xml())
    theirs = event_of(cap_xml(alert={"sender": OTHER_SENDER}))

    assert ours["id"] == ORIGINAL_EVENT_ID
    assert theirs["id"] == f"{OTHER_SENDER},{ORIGINAL_ID}"
    assert cap_of(theirs)["sender"] == OTHER_SENDER


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
def test_update_or_cancel_of_another_senders_alert_is_refused(msg_type: str) -> None:
    xml = cap_xml(
        alert={
            "identifier": UPDATE_ID,
            "sender": OTHER_SENDER,
            "msgType": msg_type,
            "references": f"{SENDER},{ORIGINAL_ID},{ORIGINAL_SENT}",
        }
    )
    error = cap_error(xml)

    assert error.code == "bad_value"
    assert OTHER_SENDER in str(error)
    assert "own sender" in str(error)


def test_another_senders_entries_in_a_chain_never_pick_the_event() -> None:
    # The foreign entry is the earliest; it would have named the event if references were not scoped.
    chain = f"{OTHER_SENDER},{ORIGINAL_ID},2025-06-30T08:00:00+08:00 {SENDER},{UPDATE_ID},{UPDATE_SENT}"
    event = event_of(cap_xml(alert={"identifier": "third", "msgType": "Update", "references": chain}))

    assert event["id"] == f"{SENDER},{UPDATE_ID}"


def test_sender_and_identifier_too_long_together_get_a_digest_id_per_sender() -> None:
    identifier = "w" * 128
    ours = event_of(cap_xml(alert={"identifier": identifier}))
    theirs = event_of(cap_xml(alert={"identifier": identifier, "sender": OTHER_SENDER}))

    assert ours["id"] != theirs["id"]
    assert all(isinstance(e["id"], str) and len(e["id"]) <= 128 for e in (ours, theirs))
    assert cap_of(ours)["identifier"] == identifier


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
def test_update_or_cancel_without_references_is_rejected(msg_type: str) -> None:
    error = cap_error(cap_xml(alert={"msgType": msg_type}))

    assert error.code == "bad_value"
    assert "alert/references" in str(error)


@pytest.mark.parametrize(
    ("cap_severity", "level"), [("Extreme", 1), ("Severe", 2), ("Moderate", 3), ("Minor", 4), ("Unknown", 4)]
)
def test_severity_maps_to_china_levels(cap_severity: str, level: int) -> None:
    assert event_of(cap_xml(info={"severity": cap_severity}))["severity"] == level


def test_most_severe_info_sets_the_level_and_first_info_sets_the_text() -> None:
    english = {"language": "en-US", "severity": "Extreme", "headline": "Rainstorm Red Warning"}
    event = event_of(cap_xml(info={"severity": "Moderate"}, extra_infos=[english]))

    assert event["severity"] == 1
    assert event["title"] == INFO["headline"]


def test_occurred_at_prefers_onset_then_effective_then_sent() -> None:
    onset = "2025-07-01T10:00:00+08:00"
    assert event_of(cap_xml(info={"onset": onset}))["occurred_at"] == onset
    assert event_of(cap_xml(info={"effective": None}))["occurred_at"] == ORIGINAL_SENT


def test_title_falls_back_to_event_and_is_truncated() -> None:
    assert event_of(cap_xml(info={"headline": None}))["title"] == "暴雨"
    assert event_of(cap_xml(info={"headline": "预" * 500}))["title"] == "预" * 200


def test_description_without_instruction() -> None:
    event = event_of(cap_xml(info={"instruction": None, "description": "城区积水"}))

    assert event["description"] == "城区积水"
    assert "instruction" not in cap_of(event)


def test_long_cap_text_is_cut_to_the_event_limits() -> None:
    area = Area("某市" * 400, polygons=(CITY_POLYGON,))
    event = event_of(cap_xml(info={"description": "雨" * 30_000}, areas=[area]))

    assert isinstance(event["description"], str)
    assert len(event["description"]) == 20_000
    assert cap_of(event)["area_desc"] == "某市" * 400


def test_circle_gives_its_centre() -> None:
    area = Area("某市南山区", circles=("22.53,113.93 5",))

    assert event_of(cap_xml(areas=[area]))["location"] == {
        "lon": 113.93,
        "lat": 22.53,
        "address": "某市南山区",
    }


def test_polygon_is_preferred_over_an_earlier_circle() -> None:
    event = event_of(cap_xml(areas=[Area("某市南山区", circles=("22.53,113.93 5",)), CITY]))

    assert event["location"] == {
        "lon": pytest.approx(114.3),
        "lat": pytest.approx(30.6),
        "address": "某市城区",
    }
    assert cap_of(event)["area_desc"] == "某市南山区; 某市城区"


def test_area_without_geometry_has_no_location_but_keeps_its_description() -> None:
    event = event_of(cap_xml(areas=[Area("某市全境", geocodes=(("GB/T 2260", "440300"),))]))

    assert "location" not in event
    assert cap_of(event)["area_desc"] == "某市全境"


# --- validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["identifier", "sender", "sent", "status", "msgType", "scope"])
def test_missing_alert_field_is_named(field: str) -> None:
    error = cap_error(cap_xml(alert={field: None}))

    assert error.code == "missing_field"
    assert str(error) == f"alert/{field} is missing"


@pytest.mark.parametrize("field", ["category", "event", "urgency", "severity", "certainty"])
def test_missing_info_field_is_named(field: str) -> None:
    error = cap_error(cap_xml(info={field: None}))

    assert error.code == "missing_field"
    assert str(error) == f"alert/info[1]/{field} is missing"


def test_missing_field_in_a_later_block_names_its_position() -> None:
    error = cap_error(cap_xml(areas=[CITY, Area(None, polygons=("1,1 1,2 2,2 1,1",))]))

    assert (error.code, str(error)) == ("missing_field", "alert/info[1]/area[2]/areaDesc is missing")


def test_empty_required_field_is_missing() -> None:
    error = cap_error(cap_xml(info={"event": "  "}))

    assert (error.code, str(error)) == ("missing_field", "alert/info[1]/event is empty")


def test_actual_alert_without_info_is_missing_its_info() -> None:
    xml = cap_xml().split("<info>")[0] + "</alert>"

    assert cap_error(xml).code == "missing_field"


def test_bad_status_names_field_and_value() -> None:
    error = cap_error(cap_xml(alert={"status": "Real"}))

    assert error.code == "bad_value"
    assert str(error) == "alert/status 'Real' is not one of Actual, Exercise, System, Test, Draft"


@pytest.mark.parametrize(
    ("alert", "info", "where"),
    [
        ({"msgType": "Notice"}, {}, "alert/msgType 'Notice'"),
        ({"scope": "Everyone"}, {}, "alert/scope 'Everyone'"),
        ({}, {"category": "Weather"}, "alert/info[1]/category[1] 'Weather'"),
        ({}, {"urgency": "Now"}, "alert/info[1]/urgency 'Now'"),
        ({}, {"severity": "橙色"}, "alert/info[1]/severity '橙色'"),
        ({}, {"certainty": "Very Likely"}, "alert/info[1]/certainty 'Very Likely'"),
    ],
)
def test_bad_enumeration_names_field_and_value(
    alert: dict[str, str], info: dict[str, str], where: str
) -> None:
    error = cap_error(cap_xml(alert=alert, info=info))

    assert error.code == "bad_value"
    assert str(error).startswith(f"{where} is not one of ")


@pytest.mark.parametrize(
    ("alert", "info", "where"),
    [
        ({"sent": "2025-07-01T08:00:00"}, {}, "alert/sent"),
        ({}, {"expires": "2025-07-01T20:00:00"}, "alert/info[1]/expires"),
    ],
)
def test_naive_datetime_is_rejected(alert: dict[str, str], info: dict[str, str], where: str) -> None:
    error = cap_error(cap_xml(alert=alert, info=info))

    assert error.code == "bad_value"
    assert str(error).startswith(f"{where} '")
    assert "no UTC offset" in str(error)


@pytest.mark.parametrize(
    "sent", ["2025-07-01 08:00:00+08:00", "2025-02-30T08:00:00+08:00", "0000-01-01T00:00:00+08:00"]
)
def test_impossible_datetime_is_rejected(sent: str) -> None:
    error = cap_error(cap_xml(alert={"sent": sent}))

    assert (error.code, str(error).startswith(f"alert/sent '{sent}'")) == ("bad_value", True)


def test_utc_written_as_z_is_accepted() -> None:
    assert parse_cap(cap_xml(alert={"sent": "2025-07-01T00:00:00Z"})).sent.utcoffset() is not None


@pytest.mark.parametrize(
    "shape",
    [
        "30.50,114.20 30.50,114.40 30.70,114.40 30.70,114.20",
        "30.5,114.2 30.5,114.2 30.5,114.2",
        "95.0,114.2 30.5,114.4 30.7,114.4 95.0,114.2",
        "nan,114.2 30.5,114.4 30.7,114.4 nan,114.2",
        "30.5;114.2 30.5,114.4 30.7,114.4 30.5;114.2",
    ],
)
def test_bad_polygon_is_rejected(shape: str) -> None:
    error = cap_error(cap_xml(areas=[Area("某市城区", polygons=(shape,))]))

    assert (error.code, str(error).startswith("alert/info[1]/area[1]/polygon[1]")) == ("bad_value", True)


@pytest.mark.parametrize(
    "shape", ["22.53,113.93", "22.53,113.93 -5", "22.53,113.93 " + "9" * 400, "22.53,200 5"]
)
def test_bad_circle_is_rejected(shape: str) -> None:
    error = cap_error(cap_xml(areas=[Area("某市南山区", circles=(shape,))]))

    assert (error.code, str(error).startswith("alert/info[1]/area[1]/circle[1]")) == ("bad_value", True)


@pytest.mark.parametrize(
    ("references", "fragment"),
    [
        (f"{SENDER},{ORIGINAL_ID}", "is not sender,identifier,sent"),
        (f"{SENDER},{ORIGINAL_ID},yesterday", "'yesterday'"),
        (f"{SENDER},{'x' * 129},{ORIGINAL_SENT}", "longer than 128"),
    ],
)
def test_bad_references_are_rejected(references: str, fragment: str) -> None:
    error = cap_error(cap_xml(alert={"msgType": "Update", "references": references}))

    assert error.code == "bad_value"
    assert "alert/references" in str(error)
    assert fragment in str(error)


@pytest.mark.parametrize("identifier", ["has space", "a,b", "x" * 129])
def test_identifier_unfit_for_an_event_id_is_rejected(identifier: str) -> None:
    error = cap_error(cap_xml(alert={"identifier": identifier}))

    assert (error.code, str(error).startswith("alert/identifier")) == ("bad_value", True)


# --- hostile and broken documents -----------------------------------------------------------------------


def test_billion_laughs_is_refused_before_any_expansion() -> None:
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY lol0 "lol">{entities}]>'
        f'<alert xmlns="{CAP_NS}"><identifier>&lol9;</identifier></alert>'
    )

    assert cap_error(bomb).code == "forbidden_xml"


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE alert SYSTEM "file:///etc/passwd">',
        '<!DOCTYPE alert [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
    ],
)
def test_external_entities_are_refused_and_never_read(doctype: str) -> None:
    xml = cap_xml(alert={"identifier": "__XXE__"}).replace("__XXE__", "&xxe;")
    error = cap_error(f'<?xml version="1.0"?>{doctype}{xml}')

    assert error.code == "forbidden_xml"
    passwd = (
        Path("/etc/passwd").read_text(encoding="utf-8", errors="replace")
        if Path("/etc/passwd").exists()
        else ""
    )
    for line in filter(None, passwd.splitlines()[:3]):
        assert line not in str(error)
    assert "root:" not in str(error)


def test_oversized_document_is_refused_before_parsing() -> None:
    error = cap_error(cap_xml(info={"description": "x" * MAX_CAP_BYTES}))

    assert error.code == "too_large"


def test_size_limit_counts_utf8_bytes() -> None:
    # 100,000 Chinese characters fit in the character count but are about 300 KB of UTF-8.
    xml = cap_xml(info={"description": "雨" * 100_000})

    assert len(xml) < MAX_CAP_BYTES
    assert cap_error(xml).code == "too_large"


@pytest.mark.parametrize(
    "xml",
    [
        "",
        "   ",
        "not xml at all",
        cap_xml()[:-20],
        f'<alert xmlns="{CAP_NS}"><status>Actual</alert>',
        "<a>\ud800</a>",
    ],
)
def test_broken_xml_is_malformed(xml: str) -> None:
    assert cap_error(xml).code == "malformed_xml"


@pytest.mark.parametrize(
    "xml",
    [
        cap_xml().replace(CAP_NS, "urn:oasis:names:tc:emergency:cap:1.1"),
        cap_xml().replace(f' xmlns="{CAP_NS}"', ""),
        f'<feed xmlns="{CAP_NS}"><alert/></feed>',
    ],
)
def test_wrong_root_or_namespace_is_not_cap(xml: str) -> None:
    error = cap_error(xml)

    assert error.code == "not_cap"
    assert "alert" in str(error)


def test_absurd_nesting_within_the_size_limit_is_an_ordinary_error() -> None:
    depth = 30_000
    xml = f'<alert xmlns="{CAP_NS}">' + "<x>" * depth + "</x>" * depth + "</alert>"

    assert cap_error(xml).code == "missing_field"


# --- properties --------------------------------------------------------------------------------------------

_XML_ISH = st.text(alphabet=st.sampled_from(list("<>/&;#!?=\"' axlert:[]-DOCTYPENTIY\n")), max_size=200)
_FIELDS = sorted({*ALERT, *INFO} - {"references"})


def outcome(text: str) -> CapAlert | CapError:
    """Whatever parse_cap makes of the text; any exception other than CapError escapes and fails the test."""
    try:
        return parse_cap(text)
    except CapError as error:
        return error


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=500), _XML_ISH, _XML_ISH.map(lambda tail: cap_xml()[:120] + tail)))
def test_arbitrary_text_only_ever_raises_cap_error(text: str) -> None:
    result = outcome(text)

    if isinstance(result, CapError):
        assert result.code in CAP_ERROR_CODES
        assert str(result)
    else:
        cap_to_event(result)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_FIELDS), st.text(max_size=60))
def test_any_field_value_yields_a_cap_error_or_a_json_event(field: str, value: str) -> None:
    overrides = {field: value}
    result = outcome(
        cap_xml(alert=overrides if field in ALERT else None, info=overrides if field in INFO else None)
    )

    if isinstance(result, CapError):
        assert result.code in CAP_ERROR_CODES
    elif (event := cap_to_event(result)) is not None:
        assert_fits_feed_schema(event)


# --- identity through the intake, the store and discovery -------------------------------------------


def ingest(path: Path, frames: list[str]) -> None:
    """Put CAP frames through the real intake and store writer, on a clock a few hours after the samples."""
    writer = StoreWriter(path, "ws://127.0.0.1:1/feed", lambda _result: None)
    intake = Intake(writer.submit, ManualClock(AFTER_SAMPLES), writer.initial_cursor)
    for frame in frames:
        intake.handle_frame(frame)
    assert writer.flush(10)
    writer.close()


def cap_frame(seq: int, xml: str) -> str:
    return json.dumps({"type": "cap", "seq": seq, "xml": xml})


def test_another_sender_reusing_an_identifier_opens_its_own_case_and_revises_only_its_own(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.sqlite3"
    loop = open_loop(path, ManualClock(AFTER_SAMPLES))
    ingest(path, [cap_frame(1, cap_xml()), cap_frame(2, cap_xml(alert={"sender": OTHER_SENDER}))])
    opened = loop.discovery.run_once().opened
    assert len(opened) == 2
    theirs_id = f"{OTHER_SENDER},{ORIGINAL_ID}"
    linked = dict(loop.conn.execute("SELECT event_id, case_id FROM case_events").fetchall())
    assert set(linked) == {ORIGINAL_EVENT_ID, theirs_id}
    assert linked[ORIGINAL_EVENT_ID] != linked[theirs_id]

    # The other sender upgrades its own warning, then tries to cancel ours.
    their_update = cap_xml(
        alert={"identifier": UPDATE_ID, "sender": OTHER_SENDER, "sent": UPDATE_SENT, "msgType": "Update",
               "references": f"{OTHER_SENDER},{ORIGINAL_ID},{ORIGINAL_SENT}"},
        info={"severity": "Extreme"},
    )  # fmt: skip
    cancel_ours = cap_xml(
        alert={"identifier": "x-cancel", "sender": OTHER_SENDER, "sent": UPDATE_SENT, "msgType": "Cancel",
               "references": f"{SENDER},{ORIGINAL_ID},{ORIGINAL_SENT}"},
    )  # fmt: skip
    ingest(path, [cap_frame(3, their_update), cap_frame(4, cancel_ours)])
    loop.discovery.run_once()

    revisions = dict(loop.conn.execute("SELECT event_id, max(revision) FROM events GROUP BY event_id"))
    assert revisions == {ORIGINAL_EVENT_ID: 1, theirs_id: 2}
    assert loop.conn.execute("SELECT count(*) FROM events WHERE cancelled").fetchone() == (0,)
    ((reason, detail),) = loop.conn.execute("SELECT reason, detail FROM quarantine").fetchall()
    assert reason == "bad_cap"
    assert "own sender" in detail
    assert dict(loop.conn.execute("SELECT event_id, case_id FROM case_events").fetchall()) == linked
    loop.close()
