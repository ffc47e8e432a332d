"""`review` prints what the evaluator recorded: the notes, each objective's rating and the improvement plan,
in the PDF (read back from it, in Chinese) and in the HTML."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pypdfium2
import pytest

from dispatch.drill.evaluation import add_note, rate, save_plan
from dispatch.drill.evaluation_model import Note, ObjectiveRating, PlanRow
from dispatch.drill.review_model import Rating
from tests.sim.drill.played import play_bundled

ROOT = Path(__file__).resolve().parents[2]
NOTE = "接警员两次复述地址不清，延误立案"
ACTION = "修订人员密集场所接警复述规范"


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("evaluated") / "drill.sqlite3"
    play_bundled("crowd_surge_event", db, step_s=3.0)
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        (run,) = conn.execute("SELECT id FROM drill_runs").fetchone()
        add_note(conn, run, Note(125.0, 0.0, "李明", NOTE, inject="I02"))
        objective = conn.execute("SELECT json_extract(objectives, '$[0][0]') FROM drill_runs").fetchone()[0]
        rate(conn, run, ObjectiveRating(str(objective), Rating.MAJOR, "李明", 0.0))
        save_plan(conn, run, [PlanRow(ACTION, "指挥中心", "2027-01-31"), PlanRow("  ")], "李明", 0.0)
    finally:
        conn.close()
    return db


def _review(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("TIANSHU_LANG", None)  # Simplified Chinese
    return subprocess.run(
        [sys.executable, "main.py", "review", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_the_pdf_and_html_show_the_notes_ratings_and_plan(evaluated: Path, tmp_path: Path) -> None:
    pdf, html = tmp_path / "review.pdf", tmp_path / "review.html"
    for out in (pdf, html):
        done = _review("--db", str(evaluated), "--out", str(out))
        assert done.returncode == 0, done.stderr
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        text = "".join(
            unicodedata.normalize("NFKC", document[n].get_textpage().get_text_range())
            for n in range(len(document))
        )
    finally:
        document.close()
    flat = "".join(text.split())  # lines break anywhere in a table cell
    for words in (
        "评估记录",
        NOTE,
        "李明",
        "评估人评定",
        "M·完成，存在重大问题",
        ACTION,
        "指挥中心",
        "2027-01-31",
    ):
        assert "".join(unicodedata.normalize("NFKC", words).split()) in flat, words
    page = html.read_text(encoding="utf-8")
    assert NOTE in page
    assert ACTION in page
    # The blank row the evaluator left is not a plan item; the suggestions make way for the plan.
    assert "复核" not in page.split("改进计划")[-1]
