"""`review`: a drill store becomes a PDF (rendered back to PNG here: CJK text, embedded fonts, the DRILL
mark on every page) or an HTML page; a wrong file type or a store without a drill is one line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import cv2
import numpy as np
import pypdfium2
import pytest

from tests.sim.drill.played import SLOW, play_bundled

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def drill_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("review") / "drill.sqlite3"
    play_bundled("crowd_surge_event", db, step_s=3.0, pace=SLOW)
    return db


def _review(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("TIANSHU_LANG", None)  # the default: Simplified Chinese
    return subprocess.run(
        [sys.executable, "main.py", "review", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def _text(page: pypdfium2.PdfPage) -> str:
    # PDFium reads some shared glyphs back as Kangxi radicals (⼴ for 广); NFKC folds them back.
    return unicodedata.normalize("NFKC", page.get_textpage().get_text_range())


@pytest.mark.slow
def test_the_pdf_shows_the_review_in_chinese_with_fonts_embedded_and_the_drill_mark(
    drill_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "review.pdf"
    done = _review("--db", str(drill_store), "--out", str(out))
    assert done.returncode == 0, done.stderr
    raw = out.read_bytes()
    # The CJK face is embedded (a font file inside the PDF), not left for the reader's machine to find.
    assert b"/FontFile2" in raw or b"/FontFile3" in raw
    assert b"CJK" in raw
    document = pypdfium2.PdfDocument(str(out))
    try:
        assert len(document) >= 2
        for number in range(len(document)):
            assert "演练记录" in _text(document[number])  # the mark on every page
        first = _text(document[0])
        assert "演练评估报告" in first
        assert "钟楼广场跨年活动" in first
        assert "预期行动" in first
        pixels = document[0].render(scale=1.0).to_numpy()[:, :, :3]
    finally:
        document.close()
    png = tmp_path / "page1.png"
    assert cv2.imwrite(str(png), pixels)
    image = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
    ink = float(np.mean(image < 128))
    assert 0.01 < ink < 0.5  # text, tables and the chart; not a blank or black page


@pytest.mark.slow
def test_the_html_carries_its_chart_and_the_drill_mark(drill_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.html"
    done = _review("--db", str(drill_store), "--out", str(out))
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    assert page.count("演练 · 演练记录，非真实事件") >= 2  # heading and the printed-page mark
    assert "C01" in page  # the contingency the slow officers earned


def test_a_wrong_file_type_or_a_store_without_a_drill_is_one_line(tmp_path: Path) -> None:
    from cli.main import main

    store = tmp_path / "empty.sqlite3"
    store.write_bytes(b"")
    with pytest.raises(SystemExit) as caught:
        main(["review", "--db", str(store)])
    assert caught.value.code == 2
    assert main(["review", "--db", str(store), "--out", str(tmp_path / "r.docx")]) == 2
    assert main(["review", "--db", str(store), "--out", str(tmp_path / "r.pdf")]) == 2
    assert not (tmp_path / "r.pdf").exists()
