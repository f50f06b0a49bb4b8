"""The dashboard's pictures: SVG drawn on the server, readable without JavaScript.

Each chart is an <svg role="img"> named by its <title> and described by its <desc>; the page
puts the same figures in a table next to it (docs/product.md §8, RGAA 1.1 and 1.3). Colours keep a
3:1 contrast with the white background (WCAG 1.4.11).
"""

import math

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .selectors import CHANNELS

COLOURS = {"email": "#0b5e5a", "post": "#b5451b", "review": "#5b3f8c"}
FUNNEL_COLOURS = {"step": "#0b5e5a", "complete": "#00703c", "abandon": "#b00020"}
TEXT = "#1b1b1b"
GRID = "#767676"


def _n(value: float) -> str:
    """A coordinate, to a tenth of a pixel."""
    return f"{value:.1f}"


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def registrations_chart(rows, *, chart_id: str = "chart-registrations") -> str:
    """Stacked bars: completed registrations per day, by channel (email, post, review)."""
    width, height = 760, 300
    left, right, top, bottom = 48, 12, 40, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_ceiling(max((row.total for row in rows), default=0))
    slot = plot_w / max(len(rows), 1)
    bar = slot * 0.7
    parts = []
    for fraction in (0, 0.5, 1):
        value = peak * fraction
        y = top + plot_h - plot_h * fraction
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"'
                ' stroke-dasharray="{}"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="{}">{}</text>',
                left,
                _n(y),
                width - right,
                _n(y),
                GRID,
                "0" if fraction == 0 else "3 3",
                left - 6,
                _n(y + 4),
                TEXT,
                number_format(value, decimal_pos=0 if value == int(value) else 1),
            )
        )
    for i, row in enumerate(rows):
        x = left + i * slot + (slot - bar) / 2
        base = top + plot_h
        for key, _label in CHANNELS:
            count = row.counts.get(key, 0)
            if not count:
                continue
            h = plot_h * count / peak
            base -= h
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    _n(x),
                    _n(base),
                    _n(bar),
                    _n(h),
                    COLOURS[key],
                )
            )
        if i % 5 == 0 or i == len(rows) - 1:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}</text>',
                    _n(x + bar / 2),
                    height - bottom + 18,
                    TEXT,
                    row.day.strftime("%d/%m"),
                )
            )
    legend_x = left
    for key, label in CHANNELS:
        parts.append(
            format_html(
                '<rect x="{}" y="12" width="14" height="14" fill="{}"/>'
                '<text x="{}" y="24" font-size="13" fill="{}">{}</text>',
                legend_x,
                COLOURS[key],
                legend_x + 20,
                TEXT,
                label,
            )
        )
        legend_x += 40 + 8 * len(str(label))
    totals = {key: sum(row.counts.get(key, 0) for row in rows) for key, _l in CHANNELS}
    title = _("Inscriptions finalisées par jour et par canal, sur 30 jours")
    desc = _("Total sur la période : %(details)s. Les chiffres sont dans le tableau qui suit.") % {
        "details": ", ".join(f"{label} {totals[key]}" for key, label in CHANNELS)
    }
    return _svg(chart_id, width, height, title, desc, parts)


def funnel_chart(rows, *, chart_id: str = "chart-funnel") -> str:
    """Horizontal bars: how many registrations reached each step, finished, abandoned."""
    label_w, bar_w, row_h, top = 300, 330, 30, 8
    width = label_w + bar_w + 120
    height = top * 2 + row_h * len(rows)
    peak = max((row.count for row in rows), default=0) or 1
    parts = []
    for i, row in enumerate(rows):
        y = top + i * row_h
        w = bar_w * row.count / peak
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="13" fill="{}">{} ({} %)</text>',
                label_w - 8,
                y + 19,
                TEXT,
                row.label,
                label_w,
                y + 5,
                _n(w),
                row_h - 10,
                FUNNEL_COLOURS[row.kind],
                _n(label_w + w + 6),
                y + 19,
                TEXT,
                number_format(row.count, force_grouping=True),
                row.share,
            )
        )
    title = _("Parcours d'inscription sur 30 jours")
    started = rows[0].count if rows else 0
    desc = _(
        "%(started)s inscriptions commencées ; chaque barre donne le nombre de personnes arrivées "
        "à l'étape. Les chiffres sont dans le tableau qui suit."
    ) % {"started": started}
    return _svg(chart_id, width, height, title, desc, parts)


def _svg(chart_id, width, height, title, desc, parts) -> str:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="{w}"'
        ' height="{h}" role="img" aria-labelledby="{id}-title {id}-desc" font-family="sans-serif">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        w=width,
        h=height,
        id=chart_id,
        title=title,
        desc=desc,
        body=mark_safe("".join(parts)),  # noqa: S308 - every part went through format_html
    )
