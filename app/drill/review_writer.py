"""Writes the after-action review as PDF (Qt's writer, fonts embedded, DRILL on every page) or HTML."""

from __future__ import annotations

import base64
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument

from app.shell.theme import load_palette
from dispatch.drill.expectations import Outcome
from dispatch.drill.review_model import Review
from widgets.drill.review_chart import ReviewChart
from widgets.drill.review_report import ReviewReport

CHART_URL = "review://expectations.png"
# Device pixels as on a screen: the HTML's sizes (the chart's 680 px) then mean the same on paper.
PDF_DPI = 96


def write_review(review: Review, out: Path) -> None:
    """`out` ending in .pdf or .html (anything else: ValueError); OSError when it cannot be written."""
    palette = load_palette()
    report, chart = ReviewReport(), ReviewChart(palette)
    words = {outcome: report.outcome(outcome) for outcome in Outcome}
    image = chart.image(review, words)
    suffix = out.suffix.lower()
    if suffix == ".pdf":
        ink = palette.color("paper_ink")
        _write_pdf(report.html(review, CHART_URL), image, out, review.title, report.watermark, ink)
    elif suffix in (".html", ".htm"):
        out.write_text(report.html(review, _data_url(image), web=True), encoding="utf-8")
    else:
        raise ValueError(f"{out.name}: the review is written as .pdf or .html")


def _write_pdf(html: str, chart: QImage, out: Path, title: str, watermark: str, ink: QColor) -> None:
    writer = QPdfWriter(str(out))
    writer.setTitle(title)
    writer.setCreator("Tianshu")
    writer.setResolution(PDF_DPI)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    page = writer.pageLayout().paintRectPixels(PDF_DPI)
    document = QTextDocument()
    document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(CHART_URL), chart)
    document.setHtml(html)
    document.setPageSize(QSizeF(page.width(), page.height()))
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"could not write {out}")
    try:
        height = float(page.height())
        for number in range(document.pageCount()):
            if number:
                writer.newPage()
            painter.save()
            painter.translate(0, -number * height)
            document.drawContents(painter, QRectF(0, number * height, page.width(), height))
            painter.restore()
            _mark_page(painter, QRectF(0, 0, page.width(), height), watermark, ink)
    finally:
        painter.end()
    if not out.is_file() or out.stat().st_size == 0:
        raise OSError(f"could not write {out}")


def _mark_page(painter: QPainter, page: QRectF, text: str, ink: QColor) -> None:
    """The DRILL mark across the page, light enough to read the text under it."""
    painter.save()
    painter.setOpacity(0.12)
    painter.setPen(ink)
    font = QFont(painter.font())
    font.setPixelSize(int(page.width() / 14))
    font.setBold(True)
    painter.setFont(font)
    painter.translate(QPointF(page.center()))
    painter.rotate(-30)
    painter.drawText(QRectF(-page.width(), -page.width() / 10, 2 * page.width(), page.width() / 5),
                     Qt.AlignmentFlag.AlignCenter, text)  # fmt: skip
    painter.restore()


def _data_url(image: QImage) -> str:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub says bytes, PySide6 wants str
    buffer.close()
    return "data:image/png;base64," + base64.b64encode(bytes(data.data())).decode("ascii")
