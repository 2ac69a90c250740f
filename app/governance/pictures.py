"""The dashboard's charts as PNG pictures for the Word board pack, drawn from the same layout as the SVG.

Pillow draws the rectangles and text that `charts.Chart` has already placed, at three times the SVG's
scale for print. Its own bundled font is used, so a server with no fonts installed draws the same pictures.
Imported only when a pack is built, so the workers serving pages never load it.
"""
from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from app.governance.charts import BAR_H, LABEL_W, WIDTH, Chart

SCALE = 3
COLOURS = {0: (29, 58, 95), 1: (91, 143, 199)}
INK, SOFT, GRID, TARGET = (27, 31, 36), (74, 82, 92), (201, 208, 215), (176, 30, 35)


def _plain(text: str) -> str:
    """Pillow's bundled font has no en dash."""
    return text.replace("\u2013", "-").replace("\u2026", "...")


def png(chart: Chart) -> bytes:
    s = SCALE
    legend_h = 20 if len(chart.series) > 1 or chart.target is not None else 0
    width, height = WIDTH * s, int((chart.height + legend_h) * s)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=12 * s)
    small = ImageFont.load_default(size=11 * s)

    x = 0
    for i, name in enumerate(chart.series if legend_h else []):
        draw.rectangle([x, 4 * s, x + 12 * s, 16 * s], fill=COLOURS[i % 2])
        draw.text((x + 16 * s, 3 * s), _plain(name), fill=INK, font=font)
        x += int(draw.textlength(name, font=font)) + 34 * s
    if legend_h and chart.target is not None:
        draw.line([x, 10 * s, x + 14 * s, 10 * s], fill=TARGET, width=2 * s)
        draw.text((x + 18 * s, 3 * s), f"Target ({chart.fmt(chart.target)} {chart.unit})", fill=INK, font=font)
    top = legend_h * s

    for tx, text in chart.ticks():
        draw.line([tx * s, top + 4 * s, tx * s, top + chart.plot_height * s], fill=GRID, width=s)
        w = draw.textlength(text, font=small)
        draw.text((tx * s - w / 2, top + (chart.plot_height + 4) * s), text, fill=SOFT, font=small)
    for row in chart.rows():
        label = _plain(row.short)
        w = draw.textlength(label, font=font)
        mid = row.y + len(row.bars) * BAR_H / 2
        draw.text(((LABEL_W - 8) * s - w, top + (mid - 7) * s), label, fill=INK, font=font)
        for b in row.bars:
            if b.w:
                draw.rectangle([b.x * s, top + b.y * s, (b.x + b.w) * s, top + (b.y + 12) * s],
                               fill=COLOURS[b.series % 2])
            draw.text(((b.x + b.w + 4) * s, top + (b.y - 1) * s), _plain(b.text), fill=INK, font=small)
    if chart.target_x is not None:
        y, end = top + 2 * s, top + chart.plot_height * s
        while y < end:  # dashed, as on the page
            draw.line([chart.target_x * s, y, chart.target_x * s, min(y + 5 * s, end)], fill=TARGET, width=2 * s)
            y += 8 * s
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
