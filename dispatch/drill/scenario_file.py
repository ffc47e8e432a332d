"""Reads a scenario YAML file into a checked Scenario; every error is `file:line: message`."""

from __future__ import annotations

from pathlib import Path

import yaml

from core.yaml_nodes import line as line_of
from dispatch.casework.model import Action
from dispatch.drill.scenario import (
    CameraScene,
    CapMsgType,
    CapSeverity,
    CapWarning,
    DrillForm,
    DrillPurpose,
    DrillScope,
    EventBody,
    ExpectedAction,
    Inject,
    InjectBody,
    MetricCurve,
    Objective,
    PhoneCall,
    Scenario,
    UnitAction,
    UnitReport,
    Where,
)
from dispatch.drill.scenario_checks import check_references
from dispatch.drill.yaml_nodes import NodeReader, ScenarioError

MAX_FILE_BYTES = 1024 * 1024
MAX_INJECTS = 500
MAX_DEPTH = 16
_KINDS = ("event", "metric", "cap", "unit_report", "camera", "call")


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file; ScenarioError on anything wrong, never another exception."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ScenarioError(str(path), 1, f"cannot read the scenario: {error.strerror or error}") from None
    return parse_scenario_bytes(raw, str(path))


def parse_scenario_bytes(raw: bytes, name: str) -> Scenario:
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(name, 1, f"the file is {len(raw):,} bytes (a scenario is at most 1 MiB)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ScenarioError(name, line, f"not UTF-8 text (byte {error.start})") from None
    return parse_scenario(text, name)


def parse_scenario(text: str, name: str) -> Scenario:
    """Check scenario text; `name` is the file name the errors carry."""
    root = _compose(text, name)
    if root is None:
        raise ScenarioError(name, 1, "the scenario file is empty")
    return _ScenarioReader(name).scenario(root)


def _compose(text: str, name: str) -> yaml.Node | None:
    try:
        # Anchors and aliases are refused (aliases of aliases grow without end), and so is deep nesting
        # (the composer recurses), both before anything is composed.
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = int(event.start_mark.line) + 1 if event.start_mark is not None else 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ScenarioError(name, line, "anchors and aliases (& and *) are not used in scenarios")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ScenarioError(name, line, f"nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = int(mark.line) + 1 if mark is not None else 1
        what = "; ".join(part for part in (error.context, error.problem) if part)
        raise ScenarioError(name, line, f"YAML syntax: {what}") from None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise ScenarioError(name, line, f"YAML syntax: {error.reason}") from None
    except yaml.YAMLError as error:
        raise ScenarioError(name, 1, f"YAML syntax: {error}") from None
    except RecursionError:
        raise ScenarioError(name, 1, "nested too deeply to be a scenario") from None


class _ScenarioReader(NodeReader):
    """The scenario's sections; cross-references are checked once everything is read."""

    def scenario(self, root: yaml.Node) -> Scenario:
        top = self.fields(
            root,
            "the scenario",
            ("drill", "form", "scope", "atlas", "area", "duration", "objectives", "injects"),
            ("purpose", "summary", "expected"),
        )
        areas_node = top["area"]
        if isinstance(areas_node, yaml.SequenceNode):
            areas = tuple(self.text(n, "area", limit=12) for n in self.items(areas_node, "area"))
        else:
            areas = (self.text(areas_node, "area", limit=12),)
        objectives = tuple(self.objective(n) for n in self.items(top["objectives"], "objectives"))
        inject_nodes = self.items(top["injects"], "injects")
        if len(inject_nodes) > MAX_INJECTS:
            self.fail(top["injects"], f"{len(inject_nodes)} injects (a scenario has at most {MAX_INJECTS})")
        injects = tuple(self.inject(n) for n in inject_nodes)
        expected_node = top.get("expected")
        expected = (
            tuple(self.expected(n) for n in self.items(expected_node, "expected", allow_empty=True))
            if expected_node is not None
            else ()
        )
        summary = top.get("summary")
        purpose = top.get("purpose")
        scenario = Scenario(
            title=self.text(top["drill"], "drill (the title)"),
            form=self.choice(top["form"], "form", DrillForm),
            scope=self.choice(top["scope"], "scope", DrillScope),
            purpose=DrillPurpose.TEST if purpose is None else self.choice(purpose, "purpose", DrillPurpose),
            summary="" if summary is None else self.text(summary, "summary", limit=4000),
            atlas=self.text(top["atlas"], "atlas", limit=500),
            areas=areas,
            duration_s=self.duration(top["duration"], "duration", allow_zero=False),
            objectives=objectives,
            injects=injects,
            expected=expected,
            file=self.name,
            area_line=line_of(areas_node),
        )
        check_references(scenario, self.name)
        return scenario

    def objective(self, node: yaml.Node) -> Objective:
        entries = self.fields(node, "an objective", ("id", "text"))
        text = self.text(entries["text"], "objective text", limit=500)
        return Objective(self.ident(entries["id"], "objective id"), text, line_of(node))

    def inject(self, node: yaml.Node) -> Inject:
        entries = self.fields(
            node, "an inject", ("id",), ("at", "if_missing", "delay", "objective", "note", *_KINDS)
        )
        inject_id = self.ident(entries["id"], "inject id")
        kinds = [kind for kind in _KINDS if kind in entries]
        if len(kinds) != 1:
            found = ", ".join(kinds) if kinds else "none"
            self.fail(node, f"inject {inject_id} needs exactly one of {', '.join(_KINDS)} (found: {found})")
        if ("at" in entries) == ("if_missing" in entries):
            self.fail(node, f"inject {inject_id} needs either 'at' (a time) or 'if_missing' (a contingency)")
        if "delay" in entries and "if_missing" not in entries:
            self.fail(entries["delay"], f"inject {inject_id}: 'delay' belongs to contingency injects")
        body = self.body(kinds[0], entries[kinds[0]], inject_id)
        what = f"inject {inject_id}"
        optional = {key: entries.get(key) for key in ("at", "if_missing", "delay", "objective", "note")}
        return Inject(
            id=inject_id,
            body=body,
            line=line_of(node),
            at_s=None if optional["at"] is None else self.duration(optional["at"], f"{what}: at"),
            if_missing=self._opt_ident(optional["if_missing"], f"{what}: if_missing"),
            delay_s=0.0 if optional["delay"] is None else self.duration(optional["delay"], f"{what}: delay"),
            objective=self._opt_ident(optional["objective"], f"{what}: objective"),
            note=self._opt_text(optional["note"], f"{what}: note", 2000),
        )

    def body(self, kind: str, node: yaml.Node, inject_id: str) -> InjectBody:
        what = f"inject {inject_id}: {kind}"
        if kind == "event":
            return self.event(node, what)
        if kind == "metric":
            return self.metric(node, what)
        if kind == "cap":
            return self.cap(node, what)
        if kind == "unit_report":
            return self.unit_report(node, what)
        if kind == "camera":
            return self.camera(node, what)
        return self.call(node, what)

    def event(self, node: yaml.Node, what: str) -> EventBody:
        e = self.fields(
            node, what, ("source", "category", "title", "severity"),
            ("description", "where", "camera", "device", "cleared", "revises"),
        )  # fmt: skip
        return EventBody(
            source=self.text(e["source"], f"{what}.source", limit=64),
            category=self.text(e["category"], f"{what}.category", limit=64),
            title=self.text(e["title"], f"{what}.title"),
            severity=self.integer(e["severity"], f"{what}.severity", 1, 4),
            description=self._opt_text(e.get("description"), f"{what}.description", 20_000),
            where=self._opt_where(e.get("where"), f"{what}.where"),
            camera=self._opt_text(e.get("camera"), f"{what}.camera", 128),
            device=self._opt_text(e.get("device"), f"{what}.device", 128),
            cleared=False if e.get("cleared") is None else self.flag(e["cleared"], f"{what}.cleared"),
            revises=self._opt_ident(e.get("revises"), f"{what}.revises"),
        )

    def metric(self, node: yaml.Node, what: str) -> MetricCurve:
        m = self.fields(node, what, ("name", "every", "points"), ("unit", "labels"))
        labels: list[tuple[str, str]] = []
        if "labels" in m:
            label_nodes = self.fields(m["labels"], f"{what}.labels", (), tuple(_label_keys(m["labels"])))
            labels = [(k, self.text(v, f"{what}.labels.{k}", limit=128)) for k, v in label_nodes.items()]
        points: list[tuple[float, float]] = []
        for point in self.items(m["points"], f"{what}.points"):
            pair = self.items(point, f"{what}.points entry (a [time, value] pair)")
            if len(pair) != 2:
                self.fail(point, f"{what}.points entry must be a [time, value] pair")
            at = self.duration(pair[0], f"{what}.points time")
            if points and at <= points[-1][0]:
                self.fail(point, f"{what}.points times must increase ({pair[0].value} after earlier points)")
            points.append((at, self.number(pair[1], f"{what}.points value", -1e12, 1e12)))
        every = self.duration(m["every"], f"{what}.every", allow_zero=False)
        if points[0][0] != 0:
            self.fail(m["points"], f"{what}.points must start at 0s (the inject's own time)")
        if points[-1][0] / every > 10_000:
            self.fail(m["every"], f"{what}.every: more than 10,000 readings; sample less often")
        return MetricCurve(
            name=self.text(m["name"], f"{what}.name", limit=128),
            unit=self._opt_text(m.get("unit"), f"{what}.unit", 32),
            labels=tuple(labels),
            every_s=every,
            points=tuple(points),
        )

    def cap(self, node: yaml.Node, what: str) -> CapWarning:
        c = self.fields(
            node, what, ("event", "headline", "severity", "area"),
            ("msg_type", "description", "instruction", "urgency", "certainty", "category", "expires",
             "references", "where", "radius_km"),
        )  # fmt: skip
        return CapWarning(
            event=self.text(c["event"], f"{what}.event"),
            headline=self.text(c["headline"], f"{what}.headline"),
            severity=self.choice(c["severity"], f"{what}.severity", CapSeverity),
            area_desc=self.text(c["area"], f"{what}.area", limit=500),
            msg_type=CapMsgType.ALERT
            if "msg_type" not in c
            else self.choice(c["msg_type"], f"{what}.msg_type", CapMsgType),
            description=self._opt_text(c.get("description"), f"{what}.description", 10_000),
            instruction=self._opt_text(c.get("instruction"), f"{what}.instruction", 5_000),
            urgency=self._opt_word(c.get("urgency"), f"{what}.urgency", _URGENCY, "Expected"),
            certainty=self._opt_word(c.get("certainty"), f"{what}.certainty", _CERTAINTY, "Likely"),
            category=self._opt_word(c.get("category"), f"{what}.category", _CAP_CATEGORY, "Met"),
            expires_s=6 * 3600.0
            if "expires" not in c
            else self.duration(c["expires"], f"{what}.expires", allow_zero=False),
            references=self._opt_ident(c.get("references"), f"{what}.references"),
            where=self._opt_where(c.get("where"), f"{what}.where"),
            radius_km=5.0
            if "radius_km" not in c
            else self.number(c["radius_km"], f"{what}.radius_km", 0.1, 500.0),
        )

    def unit_report(self, node: yaml.Node, what: str) -> UnitReport:
        u = self.fields(node, what, ("to", "action", "after_order"), ("unit", "note"))
        return UnitReport(
            to=self.ident(u["to"], f"{what}.to"),
            unit=self._opt_text(u.get("unit"), f"{what}.unit", 128),
            action=self.choice(u["action"], f"{what}.action", UnitAction),
            delay_s=self.duration(u["after_order"], f"{what}.after_order"),
            note=self._opt_text(u.get("note"), f"{what}.note", 2000),
        )

    def camera(self, node: yaml.Node, what: str) -> CameraScene:
        c = self.fields(node, what, ("camera", "title", "category", "severity"), ("scene", "clip"))
        return CameraScene(
            camera=self.text(c["camera"], f"{what}.camera", limit=128),
            title=self.text(c["title"], f"{what}.title"),
            category=self.text(c["category"], f"{what}.category", limit=64),
            severity=self.integer(c["severity"], f"{what}.severity", 1, 4),
            scene=self._opt_text(c.get("scene"), f"{what}.scene", 2000),
            clip=self._opt_text(c.get("clip"), f"{what}.clip", 500),
        )

    def call(self, node: yaml.Node, what: str) -> PhoneCall:
        c = self.fields(
            node, what, ("caller", "says", "category", "severity"), ("phone", "where", "log_within")
        )
        return PhoneCall(
            caller=self.text(c["caller"], f"{what}.caller", limit=64),
            says=self.text(c["says"], f"{what}.says", limit=2000),
            category=self.text(c["category"], f"{what}.category", limit=64),
            severity=self.integer(c["severity"], f"{what}.severity", 1, 4),
            phone=self._opt_text(c.get("phone"), f"{what}.phone", 32),
            where=self._opt_where(c.get("where"), f"{what}.where"),
            log_delay_s=60.0
            if "log_within" not in c
            else self.duration(c["log_within"], f"{what}.log_within"),
        )

    def expected(self, node: yaml.Node) -> ExpectedAction:
        e = self.fields(
            node, "an expected action", ("id", "inject", "action", "within"),
            ("objective", "unit", "unit_kind", "text"),
        )  # fmt: skip
        expected_id = self.ident(e["id"], "expected action id")
        what = f"expected action {expected_id}"
        action = self.choice(e["action"], f"{what}: action", Action)
        if action not in EXPECTABLE:
            known = ", ".join(sorted(EXPECTABLE))
            self.fail(e["action"], f"{what}: action {action.value!r} is not one players do (use {known})")
        if ("unit" in e or "unit_kind" in e) and action is not Action.DISPATCH:
            self.fail(node, f"{what}: 'unit' and 'unit_kind' belong to a dispatch")
        if "unit" in e and "unit_kind" in e:
            self.fail(node, f"{what}: give 'unit' or 'unit_kind', not both")
        return ExpectedAction(
            id=expected_id,
            inject=self.ident(e["inject"], f"{what}: inject"),
            action=action,
            within_s=self.duration(e["within"], f"{what}: within", allow_zero=False),
            line=line_of(node),
            objective=self._opt_ident(e.get("objective"), f"{what}: objective"),
            unit=self._opt_text(e.get("unit"), f"{what}: unit", 128),
            unit_kind=self._opt_text(e.get("unit_kind"), f"{what}: unit_kind", 64),
            text=self._opt_text(e.get("text"), f"{what}: text", 500),
        )

    # -- small helpers -----------------------------------------------------------------------------

    def _opt_text(self, node: yaml.Node | None, what: str, limit: int) -> str:
        return "" if node is None else self.text(node, what, limit=limit)

    def _opt_ident(self, node: yaml.Node | None, what: str) -> str:
        return "" if node is None else self.ident(node, what)

    def _opt_word(self, node: yaml.Node | None, what: str, known: tuple[str, ...], default: str) -> str:
        if node is None:
            return default
        value = self.text(node, what, limit=32)
        if value not in known:
            self.fail(node, f"{what} {value!r} is not one of {', '.join(known)}")
        return value

    def _opt_where(self, node: yaml.Node | None, what: str) -> Where | None:
        if node is None:
            return None
        if isinstance(node, yaml.ScalarNode):
            return Where(place=self.text(node, f"{what} (an atlas place)"))
        w = self.fields(node, what, (), ("place", "lon", "lat", "address"))
        if "place" in w and ("lon" in w or "lat" in w):
            self.fail(node, f"{what}: give a place or lon/lat, not both")
        if ("lon" in w) != ("lat" in w):
            self.fail(node, f"{what}: lon and lat go together")
        if "place" not in w and "lon" not in w:
            self.fail(node, f"{what} needs a place or lon/lat")
        return Where(
            place=self._opt_text(w.get("place"), f"{what}.place", 200),
            lon=None if "lon" not in w else self.number(w["lon"], f"{what}.lon", -180.0, 180.0),
            lat=None if "lat" not in w else self.number(w["lat"], f"{what}.lat", -90.0, 90.0),
            address=self._opt_text(w.get("address"), f"{what}.address", 500),
        )


def _label_keys(node: yaml.Node) -> list[str]:
    # Labels are free-form: every plain key is allowed (fields() still refuses duplicates and odd keys).
    if not isinstance(node, yaml.MappingNode):
        return []
    return [str(key.value) for key, _ in node.value if isinstance(key, yaml.ScalarNode)]


# What players do to a case; the desk's own bookkeeping (cards, source updates, discovery) is not expected.
EXPECTABLE = frozenset(
    {
        Action.ACKNOWLEDGE, Action.REQUEST_VERIFY, Action.REGISTER, Action.VOID, Action.MERGE,
        Action.DISPATCH, Action.SUPERVISE, Action.START_CHECK, Action.CLOSE, Action.PARK,
        Action.APPROVE_RETURN, Action.REJECT_RETURN, Action.SELF_HANDLE,
    }
)  # fmt: skip
_URGENCY = ("Immediate", "Expected", "Future", "Past", "Unknown")
_CERTAINTY = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
_CAP_CATEGORY = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
                 "CBRNE", "Other")  # fmt: skip
