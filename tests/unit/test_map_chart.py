"""The relationship map's picture and the scores-over-time chart, as pure functions: people's
words isolated (a right-to-left name cannot reorder what is around it), escaped, presentation
attributes only, titled and described, and the distance rule."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from convo import create_app
from convo.partnerships.map import MapRow, MapView, map_svg, radius_of
from convo.ratings.over_time import Occasion, Trend, TrendRow, trend_svg

FSI, PDI = "\u2068", "\u2069"


def _app():  # type: ignore[no-untyped-def]
    return create_app({"TESTING": True, "SECRET_KEY": "x"})


def _row(number: int, agency: str, average: float | None) -> MapRow:
    return MapRow(number, number, agency, "Local authority", "powerful_allies",
                  "Powerful allies", "", (), "", "", "develop" if number == 1 else None,
                  (("Trust", 4),), average, 0)


def test_the_map_isolates_escapes_and_describes():
    view = MapView("שכונה <Big> Local", "", ("Trust",),
                   (_row(1, "מועצה & Council", 4.0), _row(2, "Plain agency", None)))
    with _app().test_request_context():
        svg = str(map_svg(view, "Map <title>"))
    assert f"{FSI}מועצה &amp; Council{PDI}" in svg
    assert "&lt;Big&gt;" in svg and "<Big>" not in svg
    assert "style=" not in svg and "<title" in svg and "<desc" in svg
    assert "not rated yet" in svg and "(to develop)" in svg
    assert radius_of(5) < radius_of(3) < radius_of(1) < radius_of(None)


def test_scores_over_time_are_drawn_and_described():
    when = datetime(2026, 3, 10, tzinfo=timezone.utc)
    trend = Trend("eight_criteria", "How well", 1, 5, ("now",),
                  (Occasion(1, when, "10 Mar 2026"), Occasion(2, when, "9 Jun 2026")),
                  (TrendRow("trust", "Trust", "now", (2.0, 4.0), (4.0, None)),))
    with _app().test_request_context():
        svg = str(trend_svg(trend, partnership_label="שכונה", agency_label="Council",
                            title="Scores"))
    desc = re.search(r"<desc[^>]*>(.*)</desc>", svg, re.S).group(1)
    assert "Trust: שכונה 2, 4; Council 4, not rated." in desc
    assert f"{FSI}שכונה{PDI}" in svg and "style=" not in svg
    assert svg.count("<polyline") == 1  # the agency's one score makes no line


def test_no_agency_name_is_cut_off_at_the_edges():
    """Agencies on the outer (not rated) ring have their names beyond the rings' square: the
    picture widens to hold every name, left and right (a name cut off was seen on the page)."""
    from convo.ratings.chart import text_width

    rows = tuple(_row(n, f"Exampletown Primary Care Network {n}", None) for n in range(1, 9))
    with _app().test_request_context():
        svg = str(map_svg(MapView("Riverside", "", ("Trust",), rows), "Map"))
    left, _top, width, _height = (float(v) for v in re.search(
        r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"', svg).groups())
    assert left < 0 and left + width > 1000
    texts = re.findall(r'<text x="([-\d.]+)"[^>]*font-size="(\d+)"[^>]*text-anchor="(start|end)"'
                       r'[^>]*>([^<]+)</text>', svg)
    assert len(texts) >= 16
    for x, size, anchor, words in texts:
        reach = text_width(words.strip("\u2068\u2069"), int(size))
        if anchor == "start":
            assert float(x) + reach <= left + width, words
        else:
            assert float(x) - reach >= left, words
