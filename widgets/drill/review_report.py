"""The after-action review as a printable HTML page: what happened, what was expected, what to improve."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QObject

from dispatch.casework.model import Action, Role
from dispatch.drill.evaluation_model import Evaluation
from dispatch.drill.expectations import Outcome, Verdict
from dispatch.drill.review_model import STAGES, Rating, Review
from dispatch.drill.scenario import DrillForm, DrillScope
from widgets.common.style import fill
from widgets.desk.case_words import CaseWords

esc = html.escape


class ReviewReport(QObject):
    """Black on white with no colours of its own: it is printed and filed, not shown on the console.
    Built after the translator is installed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._case_words = CaseWords(self)
        self.watermark = self.tr("DRILL · exercise records, not real")
        self._outcomes = {
            Outcome.MET: self.tr("met"),
            Outcome.LATE: self.tr("late"),
            Outcome.MISSED: self.tr("missed"),
            Outcome.PENDING: self.tr("pending"),
            Outcome.NOT_TRIGGERED: self.tr("not triggered"),
        }
        self._ratings = {
            Rating.PERFORMED: self.tr("P · performed without challenges"),
            Rating.SOME: self.tr("S · performed with some challenges"),
            Rating.MAJOR: self.tr("M · performed with major challenges"),
            Rating.UNABLE: self.tr("U · unable to be performed"),
            Rating.NOT_RATED: self.tr("not rated: nothing under it was triggered"),
        }
        self._forms = {
            DrillForm.TABLETOP: self.tr("tabletop (桌面演练)"),
            DrillForm.FIELD: self.tr("field (实战演练)"),
        }
        self._scopes = {
            DrillScope.SINGLE: self.tr("single-function (单项演练)"),
            DrillScope.COMPREHENSIVE: self.tr("comprehensive (综合演练)"),
        }
        self._stages = {
            "register": self.tr("Register"),
            "dispatch": self.tr("Dispatch"),
            "sign": self.tr("Sign"),
            "handle": self.tr("Handle"),
            "close": self.tr("Close"),
        }
        self._hows = {
            "scheduled": self.tr("on time"),
            "sent_now": self.tr("sent now by the director"),
            "contingency": self.tr("contingency"),
            "logged": self.tr("logged by the intake officer"),
            "received": self.tr("order received"),
            "armed": self.tr("scripted answer ready"),
            "sign": self.tr("signed for"),
            "progress": self.tr("work started"),
            "handled": self.tr("reported handled"),
            "return_request": self.tr("asked to return the order"),
            "replayed": self.tr("replayed as recorded"),
            "applied": self.tr("applied as in real life"),
            "refused": self.tr("refused by the replay's case"),
            "no_case": self.tr("its case never opened"),
            "pause": self.tr("paused"),
            "resume": self.tr("resumed"),
            "send": self.tr("sent at once"),
            "skip": self.tr("skipped"),
            "stop": self.tr("ended early"),
        }
        self._kinds = {
            "event": self.tr("event"),
            "camera": self.tr("camera scene"),
            "call": self.tr("phone call"),
            "metric": self.tr("metric curve"),
            "cap": self.tr("CAP warning"),
            "unit_report": self.tr("unit report"),
            "order": self.tr("order"),
            "case_action": self.tr("case action"),
            "director": self.tr("director's command"),
        }

    def outcome(self, outcome: Outcome) -> str:
        return self._outcomes[outcome]

    def html(self, review: Review, chart_src: str, *, web: bool = False) -> str:
        """The whole review; `chart_src` is where the expectations chart image is (a resource or data URL).
        `web` adds a watermark the browser draws on every printed page (the PDF writer draws its own)."""
        title = fill(self.tr("After-action review: %1"), review.title)
        expected = self.tr("Expected actions")
        style = (
            "<style>body{font-family:sans-serif;} td,th{padding:3px 6px;} body::before{content:"
            + _css_string(self.watermark)
            + ";position:fixed;top:45%;left:5%;font-size:72px;opacity:.12;transform:rotate(-30deg);"
            "z-index:-1;white-space:nowrap;}</style>"
            if web
            else ""
        )
        parts = [
            f"<html><head><meta charset='utf-8'><title>{esc(title)}</title>{style}</head><body>",
            f"<p><b>{esc(self.watermark)}</b></p><h1>{esc(title)}</h1>",
            self._overview(review),
            self._objectives(review),
            f"<h2>{esc(expected)}</h2>",
            f"<p><img src='{esc(chart_src)}' width='680'></p>",
            self._expectations(review),
            self._timeline(review),
            self._stage_table(review),
            self._roles(review),
            self._findings(review),
            self._notes(review),
            self._plan(review),
            "</body></html>",
        ]
        return "".join(parts)

    # -- sections ----------------------------------------------------------------------------------

    def _overview(self, review: Review) -> str:
        start = datetime.fromtimestamp(review.origin).strftime("%Y-%m-%d %H:%M")
        rows = [
            (self.tr("Form"), self._forms[review.form]),
            (self.tr("Scope"), self._scopes[review.scope]),
            (self.tr("Started"), start),
            (self.tr("Scenario length"), fill(self.tr("%1 min"), _minutes(review.duration_s))),
            (self.tr("Speed"), fill(self.tr("%1×"), f"{review.speed:g}")),
            (self.tr("Injects sent"), str(len({line.inject for line in review.timeline if line.inject}))),
            (self.tr("Contingency injects"), ", ".join(review.contingencies) or self.tr("none")),
            (self.tr("Drill run"), review.tag),
        ]
        return _table((), rows)

    def _objectives(self, review: Review) -> str:
        heads = (self.tr("Objective"), self.tr("Met"), self.tr("Late"), self.tr("Missed"),
                 self.tr("Suggested rating"), self.tr("Evaluator's rating"))  # fmt: skip
        evaluation = review.evaluation
        rows = [
            (f"{o.objective.id} {o.objective.text}", str(o.counts[Outcome.MET]), str(o.counts[Outcome.LATE]),
             str(o.counts[Outcome.MISSED]), self._ratings[o.rating], self._rated(evaluation, o.objective.id))
            for o in review.objectives
        ]  # fmt: skip
        note = self.tr("The rating is suggested from the targets; the evaluator decides it.")
        head = self.tr("Objectives")
        return f"<h2>{esc(head)}</h2>{_table(heads, rows)}<p><i>{esc(note)}</i></p>"

    def _expectations(self, review: Review) -> str:
        heads = (self.tr("Expected"), self.tr("Inject"), self.tr("Action"), self.tr("Target"),
                 self.tr("Done after"), self.tr("Result"))  # fmt: skip
        rows = [
            (f"{v.expected.id} {v.expected.text}", v.expected.inject, self._action(v.expected.action),
             fill(self.tr("%1 min"), _minutes(v.expected.within_s)), self._delay(v), self.outcome(v.outcome))
            for v in review.verdicts
        ]  # fmt: skip
        return _table(heads, rows)

    def _timeline(self, review: Review) -> str:
        heads = (self.tr("Time"), self.tr("Inject"), self.tr("What"), self.tr("How"), self.tr("By"),
                 self.tr("Detail"))  # fmt: skip
        rows = [
            (_clock(line.scenario_s), line.inject, self._kinds.get(line.kind, line.kind),
             self._hows.get(line.how, line.how), line.by, line.detail)
            for line in review.timeline
        ]  # fmt: skip
        head = self.tr("Timeline of injects and answers")
        return f"<h2>{esc(head)}</h2>{_table(heads, rows)}"

    def _stage_table(self, review: Review) -> str:
        heads = (self.tr("Case"), self.tr("Inject"), *(self._stages[name] for name, _ in STAGES))
        rows = [
            (f"{case.code} {case.title}", case.inject, *(_maybe_minutes(d) for d in case.durations()))
            for case in review.cases
        ]
        rows.append((self.tr("Median"), "", *(_maybe_minutes(d) for d in review.stage_median_s())))
        note = self.tr("Minutes each stage took: from the case's opening (or the stage before) to its end.")
        head = self.tr("Stage durations")
        return f"<h2>{esc(head)}</h2><p>{esc(note)}</p>{_table(heads, rows)}"

    def _roles(self, review: Review) -> str:
        heads = (self.tr("Role"), self.tr("Actions"), self.tr("Expected actions met"))
        rows = [(self._role(r.role), str(r.actions), str(r.expectations_met)) for r in review.roles]
        head = self.tr("Results by role")
        return f"<h2>{esc(head)}</h2>{_table(heads, rows)}"

    def _findings(self, review: Review) -> str:
        met = self.tr("%1 (%2) within %3 min, after %4")
        missed = self.tr("%1 (%2, target %3 min): %4")
        strengths = "".join(
            _item(fill(met, v.expected.id, self._action(v.expected.action), _minutes(v.expected.within_s),
                       self._delay(v)))
            for v in review.strengths
        )  # fmt: skip
        gaps = "".join(
            _item(fill(missed, v.expected.id, self._action(v.expected.action), _minutes(v.expected.within_s),
                       self._gap(v)))
            for v in review.improvements
        )  # fmt: skip
        none = _item(self.tr("none"))
        good, weak = self.tr("Strengths"), self.tr("Areas for improvement")
        return f"<h2>{esc(good)}</h2><ul>{strengths or none}</ul><h2>{esc(weak)}</h2><ul>{gaps or none}</ul>"

    def _notes(self, review: Review) -> str:
        notes = review.evaluation.notes if review.evaluation is not None else ()
        heads = (self.tr("Time"), self.tr("About"), self.tr("Evaluator"), self.tr("Note"))
        rows = [
            (_clock(n.scenario_s), n.case_code or n.inject or self.tr("the drill"), n.by, n.text)
            for n in notes
        ]
        head = self.tr("Evaluator notes")
        body = _table(heads, rows) if rows else f"<p>{esc(self.tr('No notes were taken.'))}</p>"
        return f"<h2>{esc(head)}</h2>{body}"

    def _rated(self, evaluation: Evaluation | None, objective: str) -> str:
        rating = evaluation.rating_of(objective) if evaluation is not None else None
        return "—" if rating is None else self._ratings[rating]

    def _plan(self, review: Review) -> str:
        heads = (self.tr("Improvement action"), self.tr("Owner"), self.tr("Due"))
        plan = review.evaluation.plan if review.evaluation is not None else ()
        if plan:
            head = self.tr("Improvement plan")
            return f"<h2>{esc(head)}</h2>{_table(heads, [(r.action, r.owner, r.due) for r in plan])}"
        review_item = self.tr("Review %1: %2")
        rows = [
            (fill(review_item, v.expected.id, v.expected.text or self._action(v.expected.action)), "", "")
            for v in review.improvements
        ]
        rows += [("", "", "")] * 3
        note = self.tr("Filled in by the evaluator.")
        head = self.tr("Improvement plan")
        return f"<h2>{esc(head)}</h2><p>{esc(note)}</p>{_table(heads, rows)}"

    # -- words -------------------------------------------------------------------------------------

    def _action(self, action: Action) -> str:
        return self._case_words.action(action)

    def _role(self, role: str) -> str:
        try:
            return self._case_words.shift.role(Role(role))
        except ValueError:
            return role

    def _delay(self, verdict: Verdict) -> str:
        delay = verdict.delay_s
        return "—" if delay is None else fill(self.tr("%1 min"), _minutes(delay))

    def _gap(self, verdict: Verdict) -> str:
        if verdict.outcome is Outcome.LATE and verdict.delay_s is not None:
            return fill(self.tr("done after %1 min"), _minutes(verdict.delay_s))
        return self.tr("not done")


def _table(heads: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th align='left'>{esc(h)}</th>" for h in heads)
    body = "".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    top = f"<tr>{head}</tr>" if heads else ""
    return f"<table border='1' cellspacing='0' cellpadding='3' width='100%'>{top}{body}</table>"


def _css_string(text: str) -> str:
    """Text as a CSS string inside a <style> element (which HTML entities do not reach)."""
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return f'"{quoted}"'


def _item(text: str) -> str:
    return f"<li>{esc(text)}</li>"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}".removesuffix(".0")


def _maybe_minutes(seconds: float | None) -> str:
    return "—" if seconds is None else _minutes(seconds)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"+{whole // 3600:d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
