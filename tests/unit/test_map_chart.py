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
