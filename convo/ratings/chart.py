"""The ratings chart: both parties' scores side by side, as a self-contained SVG.

A pure function of a compare.Comparison: no database, no request.  The same SVG is drawn on
the shared screen and, rasterised by resvg, in the Word summary, so it carries explicit
width, height and viewBox, uses presentation attributes only (a strict
Content-Security-Policy forbids inline styles), and names itself with <title> and <desc>.
The PDF summary draws its scores as bars inside the ratings table instead: WeasyPrint lays
out an SVG's text one letter at a time, which reverses Hebrew and breaks Arabic joining.

Colour is never the only cue: the partnership's bars are solid, the agency's hatched with a
solid edge, always in the same order (partnership first); every bar is labelled with its
score; the rows with the biggest differences, and those both sides score low, are marked in
words (compare.differences decides which).

With one column of scores ("now") each criterion gets a pair of bars, one per party.  With
"at the start" and "now" (the LTO review) the parties get a panel each, side by side, and
each criterion two bars per panel: "at the start" thinner, lighter and dashed, "now" full.

In a conversation that follows on from an earlier one, each "now" bar also carries a mark
where that party's score was last time: a black upright edged in white, so it shows on any
bar, named in the legend and in the description.

Every text that reaches the SVG is escaped, stripped of characters XML cannot hold, and
wrapped in Unicode directional isolates so right-to-left names cannot reorder what is
around them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel.numbers import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

if TYPE_CHECKING:
    from convo.ratings.compare import Comparison

# Characters XML 1.0 cannot hold (control characters, lone surrogates, non-characters).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_FSI, _PDI = "\u2068", "\u2069"  # first-strong isolate ... pop directional isolate

# Geometry, in SVG units.  Drawn about 1:1 on a 1920-wide screen the words are 30–32 px, and
# eight criteria fit under a heading at 1920×1080.
MARGIN = 16
LABEL_WIDTH = 520                  # criterion titles
MARKER_WIDTH = 290                 # "Biggest difference" on the right
NUMBER_ROOM = 64                   # the score printed after a full-length bar
PANEL_GAP = 40
FONT = "Noto Sans, DejaVu Sans, Verdana, Arial, sans-serif"

TEXT = "#0b0c0c"
MUTED = "#3b3d3f"
GRID = "#b1b4b6"
HIGHLIGHT = "#fff1b8"
PARTNERSHIP = "#1b3a4b"            # deep navy, 12.0:1 on white
PARTNERSHIP_LIGHT = "#c9d7e0"
AGENCY = "#9c4300"                 # dark orange, 6.5:1 on white
AGENCY_LIGHT = "#f3d2b8"

LABEL_SIZE = 34
LABEL_LINE = 40
LEGEND_SIZE = 30
LEGEND_LINE = 46
SMALL_SIZE = 28
SMALL_LINE = 32
NUMBER_SIZE = 32
MARKER_SIZE = 30
MARKER_LINE = 35
ROW_PAD = 10
SWATCH = 52


@dataclass(frozen=True)
class _Layout:
    two_columns: bool
    width: int
    panels: tuple[tuple[tuple[str, str], ...], ...]  # per panel, its bars: (party, column)
    panel_left: tuple[float, ...]
    plot_width: float
    marker_x: float
    heights: dict[str, int]
    gap_same: int                  # between a party's two bars
    gap_party: int                 # between the parties' bars in one panel


def _layout(columns: tuple[str, ...]) -> _Layout:
    two = "at_start" in columns and "now" in columns
    if two:
        panels = tuple(tuple((party, column) for column in ("at_start", "now"))
                       for party in ("partnership", "agency"))
        width, heights = 1700, {"at_start": 22, "now": 28}
    else:
        panels = (tuple((party, columns[-1]) for party in ("partnership", "agency")),)
        width, heights = 1400, {columns[-1]: 30}
    first = MARGIN + LABEL_WIDTH + 24
    marker_x = width - MARGIN - MARKER_WIDTH
    panel_width = (marker_x - first - PANEL_GAP * (len(panels) - 1)) / len(panels)
    return _Layout(
        two_columns=two, width=width, panels=panels,
        panel_left=tuple(first + i * (panel_width + PANEL_GAP) for i in range(len(panels))),
        plot_width=panel_width - NUMBER_ROOM, marker_x=marker_x, heights=heights,
        gap_same=4, gap_party=8,
    )


def clean(text: object) -> str:
    """Text safe to put in XML: printable, one line, no stray controls."""
    value = _XML_INVALID.sub("", str(text if text is not None else ""))
    return _SPACES.sub(" ", value).strip()


def _isolate(text: str) -> str:
    return f"{_FSI}{text}{_PDI}" if text else text


def _esc(text: object) -> str:
    return str(escape(clean(text)))


def _char_width(ch: str) -> float:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0.0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in "il.,;:'|!ftjI ":
        return 0.34
    if ch.isupper() or ch in "mwMW":
        return 0.72
    return 0.58


# Room for readers who widen the spacing of text (WCAG 1.4.12: letters 0.12em apart, words
# 0.16em): a drawing's words can't reflow, so each line is measured as if it were spaced so,
# and a bar or the next word never covers it.
LETTER_ROOM, WORD_ROOM = 0.12, 0.16


def text_width(text: str, size: float) -> float:
    """A cautious estimate of how wide the text is drawn at this font size, with room for
    wider letter and word spacing."""
    drawn = [ch for ch in text if _char_width(ch) > 0]
    return (sum(_char_width(ch) for ch in drawn) + LETTER_ROOM * len(drawn)
            + WORD_ROOM * text.count(" ")) * size


def wrap(text: str, width: float, size: float, max_lines: int) -> list[str]:
    """Break text into lines that fit the width; the last line ends in "…" if cut short.
    A word longer than a whole line is split."""
    lines: list[str] = []
    line = ""
    for word in clean(text).split(" "):
        while text_width(word, size) > width:
            cut = len(word)
            while cut > 1 and text_width(word[:cut], size) > width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines or [""]


def _fits(text: str, width: float, size: float, max_lines: int) -> bool:
    """Whether the text fits in max_lines without splitting a word or cutting it short."""
    words = clean(text).split(" ")
    return (all(text_width(w, size) <= width for w in words)
            and len(wrap(text, width, size, max_lines + 1)) <= max_lines)


def number(value: float, locale: str) -> str:
    """A score as people write it (4, 3.5) in the locale's way.  Kept once worked out: there
    are few distinct scores, and the console and screens show them on every change.  (Adding
    0.0 makes -0.0 plain 0, which the cache would otherwise confuse with it.)"""
    return _number(value + 0.0, locale)


@functools.lru_cache(maxsize=1024)
def _number(value: float, locale: str) -> str:
    return format_decimal(value, format="#,##0.#", locale=locale)


def _id_prefix(comparison: object, given: str | None) -> str:
    raw = given or f"chart-{getattr(getattr(comparison, 'instrument', None), 'id', 'ratings')}"
    return re.sub(r"[^A-Za-z0-9_-]", "", raw) or "chart"


def _text(x: float, y: float, content: str, *, size: int = LABEL_SIZE, weight: str = "normal",
          anchor: str = "start", fill: str = TEXT, italic: bool = False,
          kind: str | None = None) -> str:
    style = ' font-style="italic"' if italic else ""
    if kind:
        style += f' class="{kind}"'
    return (f'<text x="{x:.0f}" y="{y:.0f}" font-family="{FONT}" font-size="{size}" '
            f'font-weight="{weight}" fill="{fill}" text-anchor="{anchor}"{style}>'
            f"{_esc(content)}</text>")


def _defs(prefix: str) -> str:
    """Hatching for the agency's bars: a dense pattern for "now", a light one for "at the start"."""
    return (
        "<defs>"
        f'<pattern id="{prefix}-hatch" width="12" height="12" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="12" height="12" fill="#ffffff"/>'
        f'<rect width="6" height="12" fill="{AGENCY}"/></pattern>'
        f'<pattern id="{prefix}-hatch-light" width="12" height="12" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="12" height="12" fill="#ffffff"/>'
        f'<rect width="4" height="12" fill="{AGENCY_LIGHT}"/></pattern>'
        "</defs>"
    )


def _bar_style(party: str, column: str, layout: _Layout, prefix: str) -> tuple[str, str, str]:
    """(fill, stroke, extra attributes) for one bar: solid for the partnership, hatched for
    the agency; "at the start" lighter and dashed."""
    start = layout.two_columns and column == "at_start"
    if party == "partnership":
        fill = PARTNERSHIP_LIGHT if start else PARTNERSHIP
        stroke = PARTNERSHIP
    else:
        fill = f"url(#{prefix}-hatch-light)" if start else f"url(#{prefix}-hatch)"
        stroke = AGENCY
    extra = ' stroke-dasharray="8 5"' if start else ""
    return fill, stroke, extra


def _last_time_mark(x: float, top: float, height: float, kind: str, above: float = 7) -> str:
    """The mark for last time's score: a black upright with a white edge, a little taller
    than the bar it stands on (by `above` over it, where a bar close above leaves less room)."""
    y1, y2 = top - above, top + height + 7
    return (f'<g class="last-time {kind}"><line x1="{x:.0f}" y1="{y1:.0f}" x2="{x:.0f}" '
            f'y2="{y2:.0f}" stroke="#ffffff" stroke-width="11"/>'
            f'<line x1="{x:.0f}" y1="{y1:.0f}" x2="{x:.0f}" y2="{y2:.0f}" stroke="{TEXT}" '
            f'stroke-width="5"/></g>')


def _swatch(x: float, y: float, party: str, column: str, layout: _Layout, prefix: str) -> str:
    fill, stroke, extra = _bar_style(party, column, layout, prefix)
    height = layout.heights[column]
    return (f'<rect class="swatch" x="{x:.0f}" y="{y + (34 - height) / 2:.0f}" width="{SWATCH}" '
            f'height="{height}" fill="{fill}" stroke="{stroke}" stroke-width="3"{extra}/>')


def ratings_svg(comparison: Comparison, *, partnership_label: str, agency_label: str,
                title: str, locale: str = "en_GB", id_prefix: str | None = None) -> Markup:
    """A horizontal bar chart of a compare.Comparison, one row per criterion.

    partnership_label and agency_label name the parties in the legend and description; title
    becomes the SVG's <title>.  id_prefix keeps element ids unique when one page shows
    several charts (default: from the instrument's id).
    """
    prefix = _id_prefix(comparison, id_prefix)
    layout = _layout(tuple(comparison.columns))
    width = layout.width
    names = {"partnership": clean(partnership_label), "agency": clean(agency_label)}
    lo, hi = comparison.scale_min, comparison.scale_max
    origin = min(0, lo)
    span = max(1, hi - origin)
    points = list(range(lo, hi + 1))
    spacing = layout.plot_width / span
    labels = {int(k): clean(v) for k, v in comparison.labels.items() if clean(v)}

    def x_of(panel: int, value: float) -> float:
        return layout.panel_left[panel] + (value - origin) / span * layout.plot_width

    parts: list[str] = []
    y = MARGIN

    # Legend: what each kind of bar is, flowing across and wrapping when the line is full.
    entries: list[tuple[tuple[tuple[str, str], ...], str]] = []
    if layout.two_columns:
        entries = [((("partnership", "at_start"), ("agency", "at_start")), _("at the start")),
                   ((("partnership", "now"), ("agency", "now")), _("now"))]
    else:
        column = comparison.columns[-1]
        entries = [(((party, column),), _isolate(names[party]))
                   for party in ("partnership", "agency")]
    earlier = comparison.earlier
    if earlier:
        entries.append(((("last_time", ""),), _("last time")))
    x = MARGIN
    for swatches, label in entries:
        room = width - 2 * MARGIN - len(swatches) * (SWATCH + 8) - 8
        text = wrap(label, room, LEGEND_SIZE, 1)[0]
        entry_width = len(swatches) * (SWATCH + 8) + 8 + text_width(text, LEGEND_SIZE) + 48
        if x > MARGIN and x + entry_width > width - MARGIN:
            x, y = MARGIN, y + LEGEND_LINE
        for n, (party, col) in enumerate(swatches):
            if party == "last_time":
                parts.append(_last_time_mark(x + n * (SWATCH + 8) + SWATCH / 2, y + 9, 16,
                                             "key"))
                continue
            parts.append(_swatch(x + n * (SWATCH + 8), y, party, col, layout, prefix))
        parts.append(_text(x + len(swatches) * (SWATCH + 8) + 8, y + 28, text,
                           size=LEGEND_SIZE))
        x += entry_width
    y += LEGEND_LINE

    # The scale's words: under each tick if they fit there, else once as a key.
    under_ticks = all(_fits(text, spacing - 4, SMALL_SIZE, 2) for text in labels.values())
    if labels and not under_ticks:
        x = MARGIN
        for point in points:
            if point not in labels:
                continue
            text = f"{number(point, locale)} {labels[point]}"
            entry_width = text_width(text, SMALL_SIZE) + 36
            if x > MARGIN and x + entry_width > width - MARGIN:
                x, y = MARGIN, y + SMALL_LINE
            parts.append(_text(x, y + 24, text, size=SMALL_SIZE, fill=MUTED, kind="scale"))
            x += entry_width
        y += SMALL_LINE + 8
    y += 12

    # Panel headings: whose scores each panel holds (only when the parties have a panel each).
    if len(layout.panels) > 1:
        heading_lines = 1
        for panel, bars in enumerate(layout.panels):
            lines = wrap(names[bars[0][0]], layout.plot_width + NUMBER_ROOM, LEGEND_SIZE, 2)
            heading_lines = max(heading_lines, len(lines))
            for n, line in enumerate(lines):
                parts.append(_text(layout.panel_left[panel], y + 28 + n * LEGEND_LINE * 0.8,
                                   _isolate(line), size=LEGEND_SIZE, weight="bold"))
        y += 12 + heading_lines * LEGEND_LINE * 0.8

    # Tick numbers (and words, when they fit under the ticks).
    word_lines = 0
    for panel in range(len(layout.panels)):
        for point in points:
            px = x_of(panel, point)
            parts.append(_text(px, y + 26, number(point, locale), size=NUMBER_SIZE,
                               weight="bold", anchor="middle"))
            if under_ticks and point in labels:
                lines = wrap(labels[point], spacing - 4, SMALL_SIZE, 2)
                word_lines = max(word_lines, len(lines))
                for n, line in enumerate(lines):
                    parts.append(_text(px, y + 26 + SMALL_LINE * (n + 1), line,
                                       size=SMALL_SIZE, anchor="middle", fill=MUTED,
                                       kind="scale"))
    y += 26 + SMALL_LINE * word_lines + 14
    rows_top = y

    # One row per criterion, in the instrument's order.
    by_criterion: dict[str, dict[str, object]] = {}
    for row in comparison.rows:
        by_criterion.setdefault(row.criterion_id, {"title": row.title})[row.column] = row
    biggest = set(comparison.biggest)
    both_low = set(comparison.both_low)
    last_column = comparison.columns[-1]
    bars_block = max(
        sum(layout.heights[col] for _party, col in bars)
        + sum(layout.gap_same if bars[i][0] == bars[i - 1][0] else layout.gap_party
              for i in range(1, len(bars)))
        for bars in layout.panels)
    bands: list[str] = []
    row_parts: list[str] = []
    for criterion_id, entry in by_criterion.items():
        title_lines = wrap(str(entry["title"]), LABEL_WIDTH, LABEL_SIZE, 3)
        difference = getattr(entry.get(last_column), "difference", None)
        marker_lines: list[str] = []
        if criterion_id in biggest:
            marker = (_("Biggest difference: %(difference)s",
                        difference=number(difference, locale))
                      if difference is not None else _("Biggest difference"))
            marker_lines = wrap(marker, MARKER_WIDTH, MARKER_SIZE, 3)
        if criterion_id in both_low:
            marker_lines += wrap(_("Both see a weakness"), MARKER_WIDTH, MARKER_SIZE, 2)
        inner = max(bars_block, LABEL_LINE * len(title_lines), MARKER_LINE * len(marker_lines))
        row_height = inner + 2 * ROW_PAD
        if marker_lines:
            bands.append(f'<rect x="0" y="{y:.0f}" width="{width}" height="{row_height:.0f}" '
                         f'fill="{HIGHLIGHT}"/>')
            bands.append(f'<rect x="0" y="{y:.0f}" width="8" height="{row_height:.0f}" '
                         f'fill="{TEXT}"/>')
            top = y + ROW_PAD + (inner - MARKER_LINE * len(marker_lines)) / 2
            for n, line in enumerate(marker_lines):
                row_parts.append(_text(layout.marker_x, top + 25 + n * MARKER_LINE, line,
                                       size=MARKER_SIZE, weight="bold", kind="marker"))
        top = y + ROW_PAD + (inner - LABEL_LINE * len(title_lines)) / 2
        for n, line in enumerate(title_lines):
            row_parts.append(_text(MARGIN + 8, top + 29 + n * LABEL_LINE, _isolate(line),
                                   kind="criterion"))
        for panel, bars in enumerate(layout.panels):
            left = layout.panel_left[panel]
            bar_y = y + ROW_PAD + (inner - bars_block) / 2
            for n, (party, column) in enumerate(bars):
                if n:
                    bar_y += layout.gap_same if bars[n - 1][0] == party else layout.gap_party
                height = layout.heights[column]
                value = getattr(entry.get(column), party, None)
                before = earlier.get(criterion_id, (None, None))[
                    0 if party == "partnership" else 1] if column == last_column else None
                # over a "now" bar with its own "at the start" bar just above: a shorter reach
                above = layout.gap_same - 1 if n and bars[n - 1][0] == party else 7
                if value is None:
                    row_parts.append(_text(left + 10, bar_y + height / 2 + 9, _("Not rated"),
                                           size=SMALL_SIZE, fill=MUTED, italic=True,
                                           kind=f"missing {party} {column}"))
                    if before is not None:  # last time's score still shows where it was
                        row_parts.append(_last_time_mark(x_of(panel, before), bar_y, height,
                                                         party, above))
                else:
                    fill, stroke, extra = _bar_style(party, column, layout, prefix)
                    bar_width = max(x_of(panel, value) - left, 4)
                    row_parts.append(
                        f'<rect class="bar {party} {column}" x="{left:.0f}" y="{bar_y:.0f}" '
                        f'width="{bar_width:.0f}" '
                        f'height="{height}" fill="{fill}" stroke="{stroke}" '
                        f'stroke-width="3"{extra}/>')
                    size = NUMBER_SIZE if height >= 26 else SMALL_SIZE
                    label_x = left + bar_width + 10
                    if before is not None:
                        mark_x = x_of(panel, before)
                        row_parts.append(_last_time_mark(mark_x, bar_y, height, party, above))
                        if label_x - 14 <= mark_x <= label_x + text_width(
                                number(value, locale), size) + 10:
                            label_x = mark_x + 14  # the number clear of the mark
                    row_parts.append(_text(label_x, bar_y + height / 2 + size * 0.36,
                                           number(value, locale), size=size, weight="bold",
                                           kind=f"score {party} {column}"))
                bar_y += height
        y += row_height
        row_parts.append(f'<line x1="0" y1="{y:.0f}" x2="{width}" y2="{y:.0f}" '
                         f'stroke="{GRID}" stroke-width="1"/>')
    rows_bottom = y

    # Highlight bands first, then grid lines, then bars and words on top of both.
    grid: list[str] = []
    for panel in range(len(layout.panels)):
        grid.extend(f'<line x1="{x_of(panel, p):.1f}" y1="{rows_top:.0f}" '
                    f'x2="{x_of(panel, p):.1f}" y2="{rows_bottom:.0f}" stroke="{GRID}" '
                    f'stroke-width="2"/>' for p in points)
        left = layout.panel_left[panel]
        grid.append(f'<line x1="{left:.0f}" y1="{rows_top:.0f}" x2="{left:.0f}" '
                    f'y2="{rows_bottom:.0f}" stroke="{TEXT}" stroke-width="3"/>')
    parts.extend(bands + grid + row_parts)

    height = rows_bottom + MARGIN
    description = describe(comparison, partnership_label=partnership_label,
                           agency_label=agency_label, locale=locale)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ratings-chart" role="img" '
        f'width="{width}" height="{height:.0f}" viewBox="0 0 {width} {height:.0f}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc">'
        f'<title id="{prefix}-title">{_esc(title)}</title>'
        f'<desc id="{prefix}-desc">{_esc(description)}</desc>'
        + _defs(prefix)
        + f'<rect width="{width}" height="{height:.0f}" fill="#ffffff"/>'
    )
    return Markup(head + "".join(parts) + "</svg>")


def describe(comparison: Comparison, *, partnership_label: str, agency_label: str,
             locale: str = "en_GB") -> str:
    """The chart in words, for its <desc> (screen readers, and the PDF's alternative text)."""
    two_columns = "at_start" in comparison.columns and "now" in comparison.columns
    p_name, a_name = clean(partnership_label), clean(agency_label)
    labels = {int(k): clean(v) for k, v in comparison.labels.items()}
    lo, hi = comparison.scale_min, comparison.scale_max
    scale = _("Scores from %(low)s to %(high)s.",
              low=_scored(lo, labels, locale), high=_scored(hi, labels, locale))
    rows: dict[str, dict[str, object]] = {}
    for row in comparison.rows:
        rows.setdefault(row.criterion_id, {"title": clean(row.title)})[row.column] = row
    not_rated = _("not rated")

    def score(row: object, party: str) -> str:
        value = getattr(row, party, None) if row is not None else None
        return not_rated if value is None else number(value, locale)

    sentences = [scale]
    for criterion_id, entry in rows.items():
        if two_columns:
            start, now = entry.get("at_start"), entry.get("now")
            sentence = _("%(criterion)s: %(partnership)s %(p_start)s at the start, %(p_now)s now; "
                         "%(agency)s %(a_start)s at the start, %(a_now)s now.",
                         criterion=entry["title"], partnership=p_name, agency=a_name,
                         p_start=score(start, "partnership"), p_now=score(now, "partnership"),
                         a_start=score(start, "agency"), a_now=score(now, "agency"))
        else:
            row = entry.get(comparison.columns[-1])
            sentence = _("%(criterion)s: %(partnership)s %(p_score)s, %(agency)s %(a_score)s.",
                         criterion=entry["title"], partnership=p_name, agency=a_name,
                         p_score=score(row, "partnership"), a_score=score(row, "agency"))
        before = comparison.earlier.get(criterion_id)
        if before is not None:
            sentence += " " + _("Last time: %(partnership)s %(p_score)s, %(agency)s %(a_score)s.",
                                partnership=p_name, agency=a_name,
                                p_score=not_rated if before[0] is None
                                else number(before[0], locale),
                                a_score=not_rated if before[1] is None
                                else number(before[1], locale))
        if criterion_id in comparison.biggest:
            sentence += " " + (_("The biggest difference.") if len(comparison.biggest) == 1
                               else _("One of the biggest differences."))
        if criterion_id in comparison.both_low:
            sentence += " " + _("Both sides scored this low.")
        sentences.append(sentence)
    return " ".join(sentences)


def _scored(point: int, labels: dict[int, str], locale: str) -> str:
    if point in labels and labels[point]:
        return f"{number(point, locale)} ({labels[point]})"
    return number(point, locale)


# Drawing shared with convo's other charts (the relationship map, scores over time): one
# escaping, one isolation of people's words, one way of writing text.
svg_text = _text
isolate = _isolate
escape_text = _esc
