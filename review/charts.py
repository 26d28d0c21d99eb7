"""Charts drawn on the server as inline SVG: no script, no chart library, nothing fetched, so
the page works offline and under a strict Content-Security-Policy. Each chart has a title and
a description for screen readers, and the page shows its figures as a table as well."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

# Colour-blind-safe (Okabe-Ito), each at least 3:1 against white.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#56595c", "#b8004f")
WIDTH = 640
BAR_HEIGHT, GAP, LABEL_WIDTH = 26, 10, 190


def _label(code: object) -> str:
    return str(code).replace("_", " ")


def bar_chart(values: Mapping[str, int | float], title: str) -> Markup:
    """Horizontal bars, one per key, longest scaled to the chart's width."""
    items = [(k, v) for k, v in values.items() if v is not None]
    if not items:
        return Markup("")
    largest = max(v for _, v in items) or 1
    span = WIDTH - LABEL_WIDTH - 60
    height = len(items) * (BAR_HEIGHT + GAP) + GAP
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" aria-labelledby="{_id(title)}-t '
             f'{_id(title)}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{_id(title)}-t">{escape(title)}</title>',
             f'<desc id="{_id(title)}-d">'
             + escape("; ".join(f"{_label(k)}: {v}" for k, v in items)) + "</desc>"]
    for index, (key, value) in enumerate(items):
        y = GAP + index * (BAR_HEIGHT + GAP)
        length = max(1, round(span * value / largest)) if value else 0
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * 0.7:.0f}" '
                     f'text-anchor="end" fill="#0b0c0c">{escape(_label(key))}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" '
                     f'height="{BAR_HEIGHT}" fill="{colour}"></rect>')
        parts.append(f'<text x="{LABEL_WIDTH + length + 6}" y="{y + BAR_HEIGHT * 0.7:.0f}" '
                     f'fill="#0b0c0c">{escape(str(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bars(rows: Sequence[Mapping[str, Any]], title: str, key: str = "month") -> Markup:
    """Vertical bars per row (a month), stacked by every other key (the categories), with a
    legend; an empty year draws nothing."""
    series = sorted({k for row in rows for k in row if k != key})
    totals = [sum(int(row.get(s, 0) or 0) for s in series) for row in rows]
    if not rows or not series or not any(totals):
        return Markup("")
    height, top, bottom, left = 300, 20, 60, 40
    plot = height - top - bottom
    largest = max(totals)
    step = (WIDTH - left - 10) / len(rows)
    bar = step * 0.7
    legend_y = height + 10
    full_height = legend_y + 24 * ((len(series) + 2) // 3)
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {full_height}" '
             f'width="{WIDTH}" height="{full_height}" aria-labelledby="{_id(title)}-t '
             f'{_id(title)}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{_id(title)}-t">{escape(title)}</title>',
             f'<desc id="{_id(title)}-d">' + escape("; ".join(
                 f"{row[key]}: " + ", ".join(f"{_label(s)} {row.get(s, 0)}" for s in series
                                             if row.get(s))
                 for row, total in zip(rows, totals, strict=True) if total)) + "</desc>",
             f'<line x1="{left}" y1="{top + plot}" x2="{WIDTH - 5}" y2="{top + plot}" '
             f'stroke="#0b0c0c"></line>',
             f'<text x="{left - 6}" y="{top + 5}" text-anchor="end" fill="#0b0c0c">'
             f'{largest}</text>',
             f'<text x="{left - 6}" y="{top + plot}" text-anchor="end" fill="#0b0c0c">0</text>']
    for index, (row, total) in enumerate(zip(rows, totals, strict=True)):
        x = left + index * step + (step - bar) / 2
        y = top + plot
        for number, name in enumerate(series):
            value = int(row.get(name, 0) or 0)
            if not value:
                continue
            h = plot * value / largest
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[number % len(PALETTE)]}"></rect>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot + 16}" text-anchor="middle" '
                     f'font-size="11" fill="#0b0c0c">{escape(str(row[key])[-5:])}</text>')
        if total:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                         f'font-size="11" fill="#0b0c0c">{total}</text>')
    for number, name in enumerate(series):
        lx = left + (number % 3) * 200
        ly = legend_y + 24 * (number // 3)
        parts.append(f'<rect x="{lx}" y="{ly}" width="14" height="14" '
                     f'fill="{PALETTE[number % len(PALETTE)]}"></rect>')
        parts.append(f'<text x="{lx + 20}" y="{ly + 12}" fill="#0b0c0c">'
                     f'{escape(_label(name))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _id(title: str) -> str:
    return "chart-" + "".join(ch if ch.isalnum() else "-" for ch in title.lower())[:40]
