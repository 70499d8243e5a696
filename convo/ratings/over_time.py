"""Scores over time: every conversation of one relationship on the same instrument, side by
side, built from compare.compare() (each conversation's own comparison: the parties' scores
by the same rule as everywhere else), and drawn with chart.py's drawing.

A conversation counts when its scores were shown to both sides (revealed), as "last time"
does; and only conversations that rated on the same scale and columns as the latest are put
on one line, so every point means the same.  The LTO review's "at the start" and "now" both go
across reviews.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from markupsafe import Markup

from convo.conversations.plan import Plan
from convo.models import Conversation
from convo.ratings.chart import (AGENCY, GRID, MUTED, PARTNERSHIP, TEXT, clean, escape_text,
                                 isolate, number, svg_text, wrap)
from convo.ratings.compare import compare



def column_label(column: str) -> str:
    return _("at the start") if column == "at_start" else _("now")


@dataclass(frozen=True)
class Occasion:
    conversation_id: int
    when: datetime | None
    label: str  # "14 September 2021", or "Conversation 3" when it has no date


@dataclass(frozen=True)
class TrendRow:
    criterion_id: str
    title: str
    column: str  # "now" or "at_start"
    partnership: tuple[float | None, ...]  # one per occasion
    agency: tuple[float | None, ...]


@dataclass(frozen=True)
class Trend:
    instrument_id: str
    title: str
    scale_min: int
    scale_max: int
    columns: tuple[str, ...]
    occasions: tuple[Occasion, ...]
    rows: tuple[TrendRow, ...]


def trends(conversations: Sequence[tuple[Conversation, Plan, str]]) -> list[Trend]:
    """Each instrument's scores across these conversations (oldest first; each with its plan
    and the label of its date)."""
    found: dict[str, list[tuple[Occasion, object]]] = {}
    shape: dict[str, tuple[int, int, tuple[str, ...]]] = {}
    for conversation, plan, label in reversed(list(conversations)):  # newest decides
        if not conversation.ratings_revealed:
            continue
        for instrument in plan.question_set.ratings:
            key = (instrument.scale.min, instrument.scale.max, tuple(instrument.columns))
            if shape.setdefault(instrument.id, key) != key:
                continue  # another scale or other columns: not comparable with the latest
            comparison = compare(conversation, plan, instrument)
            if all(r.partnership is None and r.agency is None for r in comparison.rows):
                continue
            when = conversation.starts_at or conversation.started_at
            found.setdefault(instrument.id, []).append(
                (Occasion(conversation.id, when, label), comparison))
    result = []
    for instrument_id, entries in found.items():
        entries.reverse()  # oldest first
        latest = entries[-1][1]
        occasions = tuple(o for o, _c in entries)
        rows = []
        for column in latest.columns:  # type: ignore[attr-defined]
            for criterion in latest.rows:  # type: ignore[attr-defined]
                if criterion.column != column:
                    continue
                values = []
                for _occasion, comparison in entries:
                    row = next((r for r in comparison.rows  # type: ignore[attr-defined]
                                if r.criterion_id == criterion.criterion_id
                                and r.column == column), None)
                    values.append((row.partnership, row.agency) if row else (None, None))
                rows.append(TrendRow(criterion.criterion_id, criterion.title, column,
                                     tuple(v[0] for v in values), tuple(v[1] for v in values)))
        result.append(Trend(instrument_id, latest.title, latest.scale_min,  # type: ignore[attr-defined]
                            latest.scale_max, tuple(latest.columns), occasions,  # type: ignore[attr-defined]
                            tuple(rows)))
    return result


# --- the chart: one small panel per criterion, the conversations along the bottom --------------

PANEL_W, PANEL_H = 640, 240
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 56, 24, 62, 70
LABEL_EVERY_UP_TO = 8  # with more conversations, only the first and last points are labelled
GAP = 36
PER_ROW = 2


def _series(points: list[tuple[float, float]], colour: str, dashed: bool, square: bool,
            hollow: bool) -> str:
    parts = []
    if len(points) > 1:
        path = " ".join(f"{x:.0f},{y:.0f}" for x, y in points)
        dash = ' stroke-dasharray="10 6"' if dashed else ""
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                     f'stroke-width="{2 if hollow else 4}"{dash}/>')
    fill = "#ffffff" if hollow else colour
    for x, y in points:
        if square:
            parts.append(f'<rect x="{x - 8:.0f}" y="{y - 8:.0f}" width="16" height="16" '
                         f'fill="{fill}" stroke="{colour}" stroke-width="3"/>')
        else:
            parts.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="8" fill="{fill}" '
                         f'stroke="{colour}" stroke-width="3"/>')
    return "".join(parts)


def describe(trend: Trend, partnership_label: str, agency_label: str, locale: str) -> str:
    """The chart in words, for its <desc>."""
    p_name, a_name = clean(partnership_label), clean(agency_label)
    sentences = [_("Scores from %(low)s to %(high)s in each conversation: %(dates)s.",
                   low=number(trend.scale_min, locale), high=number(trend.scale_max, locale),
                   dates=", ".join(o.label for o in trend.occasions))]
    for row in trend.rows:
        def said(values: tuple[float | None, ...]) -> str:
            return ", ".join(_("not rated") if v is None else number(v, locale) for v in values)

        title = row.title if len(trend.columns) == 1 else f"{row.title} ({column_label(row.column)})"
        sentences.append(_("%(criterion)s: %(partnership)s %(p_scores)s; %(agency)s "
                           "%(a_scores)s.", criterion=title, partnership=p_name,
                           agency=a_name, p_scores=said(row.partnership),
                           a_scores=said(row.agency)))
    return " ".join(sentences)


def trend_svg(trend: Trend, *, partnership_label: str, agency_label: str, title: str,
              locale: str = "en_GB") -> Markup:
    """The scores over time as small multiples: a panel per criterion (per column for the
    LTO review), a line per side — the partnership solid with round marks, the agency dashed
    with square marks ("at the start" hollow and thin) — every point labelled."""
    count = len(trend.occasions)
    width = PER_ROW * PANEL_W + (PER_ROW - 1) * GAP + 32
    legend_h = 60
    panels = len(trend.rows)
    rows_of_panels = -(-panels // PER_ROW)
    height = 16 + legend_h + rows_of_panels * (PANEL_H + GAP)
    parts = [f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    # The legend.
    x = 16.0
    for colour, square, label in ((PARTNERSHIP, False, partnership_label),
                                  (AGENCY, True, agency_label)):
        parts.append(_series([(x + 12, 36.0)], colour, False, square, False))
        text = wrap(clean(label), 420, 24, 1)[0]
        parts.append(svg_text(x + 30, 44, isolate(text), size=24))
        x += 470
    if len(trend.columns) > 1:
        parts.append(svg_text(16, 74, _("Hollow marks and thin lines: at the start."),
                              size=20, fill=MUTED))
    span = max(1, trend.scale_max - trend.scale_min)
    for n, row in enumerate(trend.rows):
        left = 16 + (n % PER_ROW) * (PANEL_W + GAP)
        top = 16 + legend_h + (n // PER_ROW) * (PANEL_H + GAP)
        plot_w = PANEL_W - PLOT_LEFT - PLOT_RIGHT
        plot_h = PANEL_H - PLOT_TOP - PLOT_BOTTOM

        def x_of(index: int) -> float:
            return left + PLOT_LEFT + (plot_w / 2 if count == 1 else plot_w * index / (count - 1))

        def y_of(value: float) -> float:
            return top + PLOT_TOP + plot_h * (1 - (value - trend.scale_min) / span)

        heading = row.title if len(trend.columns) == 1 else (
            f"{row.title} ({column_label(row.column)})")
        parts.append(svg_text(left, top + 26, wrap(heading, PANEL_W, 24, 1)[0], size=24,
                              weight="bold", kind="criterion"))
        for value in (trend.scale_min, trend.scale_max):
            y = y_of(value)
            parts.append(f'<line x1="{left + PLOT_LEFT:.0f}" y1="{y:.0f}" '
                         f'x2="{left + PLOT_LEFT + plot_w:.0f}" y2="{y:.0f}" stroke="{GRID}" '
                         f'stroke-width="2"/>')
            parts.append(svg_text(left + PLOT_LEFT - 12, y + 7, number(value, locale), size=20,
                                  anchor="end", fill=MUTED))
        for index, occasion in enumerate(trend.occasions):
            if count <= 6 or index in (0, count - 1):
                anchor = "middle" if count <= 2 else (
                    "start" if index == 0 else "end" if index == count - 1 else "middle")
                parts.append(svg_text(x_of(index), top + PANEL_H - 10, occasion.label, size=18,
                                      anchor=anchor, fill=MUTED, kind="when"))
        hollow = row.column == "at_start" and len(trend.columns) > 1
        for values, colour, square, dashed in ((row.partnership, PARTNERSHIP, False, False),
                                               (row.agency, AGENCY, True, True)):
            points = [(x_of(i), y_of(v)) for i, v in enumerate(values) if v is not None]
            parts.append(_series(points, colour, dashed, square, hollow))
            shown = [v for v in values if v is not None]
            for n_point, ((px, py), value) in enumerate(zip(points, shown)):
                if count > LABEL_EVERY_UP_TO and n_point not in (0, len(points) - 1):
                    continue  # the table beside the chart gives every score
                dy = -14 if colour == PARTNERSHIP else 30
                parts.append(svg_text(px, py + dy, number(value, locale), size=20,
                                      weight="bold", anchor="middle", fill=TEXT, kind="score"))
    prefix = f"trend-{trend.instrument_id}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'aria-labelledby="{prefix}-title {prefix}-desc">'
            f'<title id="{prefix}-title">{escape_text(title)}</title>'
            f'<desc id="{prefix}-desc">'
            f'{escape_text(describe(trend, partnership_label, agency_label, locale))}</desc>')
    return Markup(head + "".join(parts) + "</svg>")
