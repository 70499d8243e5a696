"""The relationship map: every agency a partnership relates to, as plain data (build) and as
a picture (map_svg), with the same content as a table.

The picture puts the partnership at the centre and each agency around it: the nearer the
centre, the higher the relationship rates on the partnership's own criteria (the average of
its scores, 1 to 5); agencies not yet rated sit on a dashed outer ring.  The shape of each mark
is the relationship's type now (a circle for powerful allies, a square for friends and
acquaintances, a diamond for clients and contractors, a dashed circle when not said), and a
thick ring with a word beside the name marks "a good relationship" or "one to develop": colour
is never the only cue.  Every mark carries its number, which the table repeats; with many
agencies the names are left to the table so the picture stays readable.

A pure function of plain data, drawn as convo/ratings/chart.py draws (presentation
attributes only, text escaped and isolated, <title> and <desc>).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select

from convo.extensions import db
from convo.models import Conversation, Partnership
from convo.partnerships.labels import FOCUS_SHORT, PURPOSE_LABELS
from convo.partnerships.service import score_of
from convo.questions.labels import AGENCY_TYPE_LABELS
from convo.questions.registry import registry
from convo.questions.schema import RatingInstrument, text_in
from convo.ratings.chart import (AGENCY, GRID, MUTED, PARTNERSHIP, TEXT, clean,
                                 escape_text, isolate, number, svg_text, text_width, wrap)

CRITERIA_INSTRUMENT = "eight_criteria"
NAMES_UP_TO = 24  # with more agencies than this, the picture shows numbers and the table names
SCALE = (1, 5)


def eight_criteria() -> RatingInstrument:
    """The eight criteria of an effective relationship (seed 001 §3.1), as the shipped
    question sets word them."""
    for question_set in registry().all():
        for instrument in question_set.ratings:
            if instrument.id == CRITERIA_INSTRUMENT:
                return instrument
    raise LookupError("no question set carries the eight criteria")


def criteria_titles(locale: str = "en_GB") -> dict[str, str]:
    return {c.id: text_in(c.title, locale, "en_GB") for c in eight_criteria().criteria}


def relationship_types(locale: str = "en_GB") -> dict[str, str]:
    """The three types (seed 001 §2.4), as the shipped question sets word them."""
    for question_set in registry().all():
        if question_set.relationship_types:
            return {t.id: text_in(t.title, locale, question_set.locale)
                    for t in question_set.relationship_types}
    return {}


@dataclass(frozen=True)
class MapRow:
    number: int
    relationship_id: int
    agency: str
    kind: str
    type_now_id: str | None
    type_now: str
    type_wanted: str
    purposes: tuple[str, ...]
    partnership_holders: str
    agency_holders: str
    focus: str | None  # "good", "develop" or None
    scores: tuple[tuple[str, int | None], ...]  # (criterion title, score) per chosen criterion
    average: float | None
    conversations: int


@dataclass(frozen=True)
class MapView:
    partnership: str
    area: str
    criteria: tuple[str, ...]  # titles of the partnership's chosen criteria
    rows: tuple[MapRow, ...]

    @property
    def rated(self) -> int:
        return sum(1 for row in self.rows if row.average is not None)


def build(partnership: Partnership, words: Callable[[object], str] = str,
          locale: str = "en_GB") -> MapView:
    """The map as plain data.  `words` puts people's words as they may be shown: the
    facilitator's own page shows them as typed; documents pass the not-named rule."""
    titles = criteria_titles(locale)
    chosen = [c for c in partnership.criteria_ids if c in titles]
    types = relationship_types(locale)
    counts = dict(db.session.execute(
        select(Conversation.relationship_id, func.count()).where(
            Conversation.partnership_id == partnership.id)
        .group_by(Conversation.relationship_id)).all())
    rows = []
    for number_, relationship in enumerate(partnership.relationships, start=1):
        scores = tuple((titles[c], score_of(relationship, c)) for c in chosen)
        given = [s for _t, s in scores if s is not None]
        rows.append(MapRow(
            number=number_, relationship_id=relationship.id,
            agency=words(relationship.agency_name),
            kind=str(AGENCY_TYPE_LABELS.get(relationship.agency_type, relationship.agency_type)),
            type_now_id=relationship.type_now if relationship.type_now in types else None,
            type_now=types.get(relationship.type_now or "", ""),
            type_wanted=types.get(relationship.type_wanted or "", ""),
            purposes=tuple(str(PURPOSE_LABELS[p]) for p in relationship.purpose_ids
                           if p in PURPOSE_LABELS),
            partnership_holders=words(relationship.partnership_holders or ""),
            agency_holders=words(relationship.agency_holders or ""),
            focus=relationship.focus,
            scores=scores,
            average=round(sum(given) / len(given), 1) if given else None,
            conversations=counts.get(relationship.id, 0),
        ))
    return MapView(partnership=words(partnership.name), area=words(partnership.area or ""),
                   criteria=tuple(titles[c] for c in chosen), rows=tuple(rows))


# --- the picture ---------------------------------------------------------------------------------

SIZE = 1000
CENTRE = SIZE / 2
INNER, OUTER, UNRATED = 150.0, 380.0, 445.0
MARK = 22
SMALL_MARK = 17  # with many agencies
NAME_SIZE = 20
NAME_LINE = 23
NAME_WIDTH = 190
LEGEND_SIZE = 22
TYPE_COLOURS = {"powerful_allies": PARTNERSHIP, "friends_acquaintances": AGENCY,
                "clients_contractors": "#4b4f54"}


def radius_of(average: float | None) -> float:
    """How far from the centre: a 5 sits nearest, a 1 farthest; unrated on the outer ring."""
    if average is None:
        return UNRATED
    low, high = SCALE
    return INNER + (high - average) / (high - low) * (OUTER - INNER)


def _mark(x: float, y: float, type_id: str | None, focus: str | None, label: str,
          size: float | None = None) -> str:
    mark = size or MARK
    colour = TYPE_COLOURS.get(type_id or "", "#ffffff")
    stroke = TEXT
    parts = []
    if focus:  # a thick ring: solid for a good relationship, dashed for one to develop
        dash = ' stroke-dasharray="7 5"' if focus == "develop" else ""
        parts.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{mark + 9}" fill="none" '
                     f'stroke="{TEXT}" stroke-width="4"{dash}/>')
    if type_id == "friends_acquaintances":
        parts.append(f'<rect x="{x - mark * 0.85:.0f}" y="{y - mark * 0.85:.0f}" '
                     f'width="{mark * 1.7:.0f}" height="{mark * 1.7:.0f}" fill="{colour}" '
                     f'stroke="{stroke}" stroke-width="2"/>')
    elif type_id == "clients_contractors":
        points = " ".join(f"{x + dx:.0f},{y + dy:.0f}" for dx, dy in
                          ((0, -mark * 1.15), (mark * 1.15, 0), (0, mark * 1.15),
                           (-mark * 1.15, 0)))
        parts.append(f'<polygon points="{points}" fill="{colour}" stroke="{stroke}" '
                     f'stroke-width="2"/>')
    elif type_id == "powerful_allies":
        parts.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{mark}" fill="{colour}" '
                     f'stroke="{stroke}" stroke-width="2"/>')
    else:
        parts.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{mark}" fill="#ffffff" '
                     f'stroke="{stroke}" stroke-width="2" stroke-dasharray="4 3"/>')
    ink = "#ffffff" if type_id in TYPE_COLOURS else TEXT
    parts.append(svg_text(x, y + mark * 0.32, label, size=round(mark * 0.86), weight="bold",
                          anchor="middle", fill=ink, kind="mark-number"))
    return "".join(parts)


def describe(view: MapView, locale: str = "en_GB") -> str:
    """The picture in words, for its <desc>: every agency, how it rates, its type and mark."""
    sentences = [_("%(partnership)s is at the centre; the nearer the centre an agency is, "
                   "the higher the relationship rates on the partnership's own criteria "
                   "(1 to 5).", partnership=isolate(clean(view.partnership)))]
    for row in view.rows:
        rated = (_("rated %(score)s on average", score=number(row.average, locale))
                 if row.average is not None else _("not rated yet"))
        sentence = _("%(number)d. %(agency)s: %(rated)s", number=row.number,
                     agency=isolate(clean(row.agency)), rated=rated)
        if row.type_now:
            sentence += "; " + _("now %(type)s", type=row.type_now.lower())
        if row.focus:
            sentence += "; " + str(FOCUS_SHORT[row.focus])
        sentences.append(sentence + ".")
    return " ".join(sentences)


def map_svg(view: MapView, title: str, locale: str = "en_GB",
            types: dict[str, str] | None = None) -> Markup:
    """The map as a self-contained SVG (see the module's docstring)."""
    types = types if types is not None else relationship_types(locale)
    parts: list[str] = [f'<rect width="{SIZE}" height="{SIZE}" fill="#ffffff"/>']
    # The rings: where a score of 5, 4, 3, 2 and 1 would sit, and the unrated ring.
    for score in range(SCALE[1], SCALE[0] - 1, -1):
        r = radius_of(score)
        parts.append(f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{r:.0f}" fill="none" '
                     f'stroke="{GRID}" stroke-width="2"/>')
        parts.append(svg_text(CENTRE + 6, CENTRE - r - 6, number(score, locale), size=18,
                              fill=MUTED, kind="ring"))
    parts.append(f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{UNRATED:.0f}" fill="none" '
                 f'stroke="{GRID}" stroke-width="2" stroke-dasharray="10 8"/>')
    # The partnership at the centre.
    parts.append(f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{INNER - 30:.0f}" fill="#eef3f6" '
                 f'stroke="{PARTNERSHIP}" stroke-width="4"/>')
    lines = wrap(view.partnership, 2 * (INNER - 40), 24, 3)
    top = CENTRE - (len(lines) - 1) * 14 + 8
    for n, line in enumerate(lines):
        parts.append(svg_text(CENTRE, top + n * 28, isolate(line), size=24, weight="bold",
                              anchor="middle", kind="partnership"))
    # The agencies, evenly around, each at its distance.
    with_names = len(view.rows) <= NAMES_UP_TO
    left, far = 0.0, float(SIZE)  # how far the drawing reaches, left and right
    count = max(len(view.rows), 1)
    for index, row in enumerate(view.rows):
        # Half a step round from the top, where the rings' numbers are.
        angle = -math.pi / 2 + 2 * math.pi * (index + 0.5) / count
        r = radius_of(row.average)
        if not with_names:  # many marks: every other one a little out, so they overlap less
            r += 14 if index % 2 else -10
        x, y = CENTRE + r * math.cos(angle), CENTRE + r * math.sin(angle)
        parts.append(f'<g class="agency" data-relationship="{row.relationship_id}">')
        parts.append(_mark(x, y, row.type_now_id, row.focus, str(row.number),
                           MARK if with_names else SMALL_MARK))
        if with_names:
            name = wrap(row.agency, NAME_WIDTH, NAME_SIZE, 2)
            if row.focus:
                name.append(f"({FOCUS_SHORT[row.focus]})")
            right = math.cos(angle) >= -0.05
            nx = x + (MARK + 14 if right else -(MARK + 14))
            ny = y - (len(name) - 1) * NAME_LINE / 2 + 7
            # The names of agencies on the outer rings reach past the square: the picture
            # widens to hold them (it never cuts a name off).
            widest = max(text_width(line, NAME_SIZE) for line in name) + 8
            left = min(left, nx - widest if not right else left)
            far = max(far, nx + widest if right else far)
            for n, line in enumerate(name):
                content = isolate(line) if n < len(name) - (1 if row.focus else 0) else line
                parts.append(svg_text(nx, ny + n * NAME_LINE, content, size=NAME_SIZE,
                                      anchor="start" if right else "end",
                                      weight="bold" if row.focus and n == len(name) - 1
                                      else "normal", kind="agency-name"))
        parts.append("</g>")
    # The key: shapes for types, rings for marks, and what the distance means.
    y = SIZE + 20
    key: list[tuple[str, str]] = [(t, types.get(t, "")) for t in TYPE_COLOURS if t in types]
    key.append(("", _("Type not said")))
    x = 30.0
    for type_id, label in key:
        parts.append(_mark(x + MARK, y + MARK, type_id or None, None, ""))
        parts.append(svg_text(x + 2 * MARK + 12, y + MARK + 8, label, size=LEGEND_SIZE))
        far = max(far, x + 2 * MARK + 20 + text_width(label, LEGEND_SIZE))
        x += 2 * MARK + 40 + text_width(label, LEGEND_SIZE)
    y += 2 * MARK + 24
    x = 30.0
    for focus in ("good", "develop"):
        parts.append(_mark(x + MARK + 9, y + MARK + 9, None, focus, ""))
        label = str(FOCUS_SHORT[focus]).capitalize()
        parts.append(svg_text(x + 2 * MARK + 30, y + MARK + 17, label, size=LEGEND_SIZE))
        x += 2 * MARK + 60 + text_width(label, LEGEND_SIZE)
    parts.append(f'<line x1="{x:.0f}" y1="{y + MARK + 9:.0f}" x2="{x + 50:.0f}" '
                 f'y2="{y + MARK + 9:.0f}" stroke="{GRID}" stroke-width="3" '
                 f'stroke-dasharray="10 8"/>')
    parts.append(svg_text(x + 60, y + MARK + 17, _("Outer ring: not rated yet"),
                          size=LEGEND_SIZE))
    far = max(far, x + 68 + text_width(_("Outer ring: not rated yet"), LEGEND_SIZE))
    y += 2 * MARK + 56
    parts.append(svg_text(30, y, _("Nearer the centre: rated higher on your criteria (1 to 5)."),
                          size=LEGEND_SIZE, fill=MUTED))
    if not with_names:
        parts.append(svg_text(30, y + 30, _("The numbers are the rows of the table."),
                              size=LEGEND_SIZE, fill=MUTED))
        y += 30
    height = y + 24
    left, width = math.floor(left), math.ceil(far) - math.floor(left)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="relationship-map" role="img" '
            f'width="{width}" height="{height:.0f}" '
            f'viewBox="{left} 0 {width} {height:.0f}" '
            f'aria-labelledby="map-title map-desc">'
            f'<title id="map-title">{escape_text(title)}</title>'
            f'<desc id="map-desc">{escape_text(describe(view, locale))}</desc>'
            f'<rect x="{left}" width="{width}" height="{height:.0f}" fill="#ffffff"/>')
    return Markup(head + "".join(parts) + "</svg>")
