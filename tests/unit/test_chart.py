"""The ratings chart: well-formed SVG whatever people typed, every score written, the biggest
differences marked in words, and "at the start" drawn beside "now"."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from convo.ratings.chart import clean, number, ratings_svg, wrap
from convo.ratings.compare import Comparison, ComparisonRow
from convo.questions.schema import RatingInstrument

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = [
    "<script>alert('x')</script>",
    'Fish & chips "quoted" \'single\' </text></svg>',
    "مرحبا بالعالم (right to left)",
    "Emoji 🏠🤝🏽 and a zero-width joiner 👩‍👩‍👧",
    "Control\x00characters\x0bhere\x1f and ]]> and <!-- comment -->",
]


def instrument(columns: tuple[str, ...] = ("now",), titles: list[str] | None = None,
               ids: list[str] | None = None) -> RatingInstrument:
    titles = titles or ["Mutual knowledge", "Trust", "Respect", "Shared goals"]
    ids = ids or [f"c{n}" for n in range(len(titles))]
    return RatingInstrument.model_validate({
        "id": "eight_criteria",
        "title": "How well are we working together?",
        "instructions": "Rate each on your own side.",
        "separate": True,
        "columns": list(columns),
        "scale": {"min": 1, "max": 5, "labels": {1: "Not at all", 3: "Partly", 5: "Fully"}},
        "criteria": [{"id": i, "title": t, "description": "d"} for i, t in zip(ids, titles)],
    }, strict=False)


Scores = dict[tuple[str, str], tuple[float | None, float | None]]


def comparison(inst: RatingInstrument, scores: Scores, biggest: tuple[str, ...] = ()) -> Comparison:
    rows = tuple(
        ComparisonRow(criterion_id=c.id, title=str(c.title), description="", column=column,
                      partnership=scores.get((c.id, column), (None, None))[0],
                      agency=scores.get((c.id, column), (None, None))[1])
        for column in inst.columns for c in inst.criteria)
    return Comparison(instrument=inst, title=str(inst.title), columns=tuple(inst.columns),
                      scale_min=inst.scale.min, scale_max=inst.scale.max,
                      labels={k: str(v) for k, v in inst.scale.labels.items()},
                      rows=rows, biggest=biggest)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises if the SVG is not well-formed XML


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def by_class(root: ET.Element, *classes: str) -> list[ET.Element]:
    return [el for el in root.iter() if set(classes) <= set((el.get("class") or "").split())]


def joined(elements: list[ET.Element]) -> str:
    return " ".join("".join(el.itertext()) for el in elements)


def strip_isolates(value: str) -> str:
    return value.replace("\u2068", "").replace("\u2069", "")


def one_column(**kwargs: object) -> str:
    inst = instrument()
    comp = comparison(inst, {("c0", "now"): (4, 2), ("c1", "now"): (2, 5),
                             ("c2", "now"): (3.5, 3), ("c3", "now"): (None, 4)},
                      biggest=("c1", "c0"))
    return str(ratings_svg(comp, partnership_label="Riverside Big Local",
                           agency_label="Exampletown Primary Care Network",
                           title="How well are we working together?", **kwargs))


def test_the_svg_names_itself_and_has_an_explicit_size() -> None:
    root = parse(one_column())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    width, height = float(root.get("width", "0")), float(root.get("height", "0"))
    assert width > 0 and height > 0
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == "How well are we working together?"
    assert desc is not None and "Riverside Big Local 4" in (desc.text or "")
    labelled_by = (root.get("aria-labelledby") or "").split()
    assert labelled_by == [title.get("id"), desc.get("id")]


def test_no_inline_styles_or_scripts() -> None:
    svg = one_column()
    root = parse(svg)
    assert not any(el.get("style") for el in root.iter())
    assert root.find(f".//{SVG}style") is None
    assert root.find(f".//{SVG}script") is None


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_labels_stay_text(hostile: str) -> None:
    inst = instrument(titles=[hostile, "Trust"])
    comp = comparison(inst, {("c0", "now"): (1, 5), ("c1", "now"): (3, 3)}, biggest=("c0",))
    svg = str(ratings_svg(comp, partnership_label=hostile, agency_label=f"Agency {hostile}",
                          title=hostile))
    root = parse(svg)
    assert root.find(f".//{SVG}script") is None
    assert all(el.tag.startswith(SVG) for el in root.iter())
    words = " ".join(strip_isolates(t) for t in texts(root))
    expected = clean(hostile)
    # Every word of the label is there as text (titles may wrap onto several lines).
    for word in expected.split():
        assert word in words
    title = root.find(f"{SVG}title")
    assert title is not None and strip_isolates(title.text or "") == expected


def test_right_to_left_names_are_isolated() -> None:
    inst = instrument(titles=["مرحبا"])
    comp = comparison(inst, {("c0", "now"): (2, 3)})
    root = parse(str(ratings_svg(comp, partnership_label="شراكة", agency_label="Agency",
                                 title="t")))
    legend = [t for t in texts(root) if "شراكة" in t]
    assert legend and all(t.startswith("\u2068") and t.endswith("\u2069") for t in legend)


def test_every_score_is_written_beside_its_bar() -> None:
    root = parse(one_column())
    # Seven scores given: seven bars, each with its number; the eighth is "Not rated".
    assert len(by_class(root, "bar")) == 7
    assert [el.text for el in by_class(root, "score", "partnership")] == ["4", "2", "3.5"]
    assert [el.text for el in by_class(root, "score", "agency")] == ["2", "5", "3", "4"]
    assert [el.text for el in by_class(root, "missing", "partnership")] == ["Not rated"]
    # A bar's number sits just after the bar's end.
    for bar, score in zip(by_class(root, "bar", "partnership"),
                          by_class(root, "score", "partnership")):
        end = float(bar.get("x", 0)) + float(bar.get("width", 0))
        assert end < float(score.get("x", 0)) <= end + 20


def test_scale_ticks_carry_the_instruments_words() -> None:
    root = parse(one_column())
    written = texts(root)
    for point in ("1", "2", "3", "4", "5"):
        assert point in written
    # Under the ticks when the words fit between them (a label may take two lines) ...
    inst = instrument()
    comp = comparison(inst, {("c0", "now"): (3, 4)})
    comp = Comparison(**{**comp.__dict__, "labels": {1: "None", 3: "Some", 5: "Fully"}})
    root = parse(str(ratings_svg(comp, partnership_label="P", agency_label="A", title="t")))
    scale = by_class(root, "scale")
    assert joined(scale) == "None Some Fully"
    assert all(el.get("text-anchor") == "middle" for el in scale)  # centred on their ticks


def test_scale_words_too_long_for_the_ticks_become_a_key() -> None:
    inst = instrument(columns=("at_start", "now"))
    comp = comparison(inst, {("c0", "now"): (3, 4)})
    comp = Comparison(**{**comp.__dict__, "labels": {1: "Not at all", 3: "Somewhat",
                                                     5: "A great deal"}})
    root = parse(str(ratings_svg(comp, partnership_label="P", agency_label="A", title="t")))
    # ... or, where the panels are too narrow, once as a key: "1 Not at all", ...
    assert [el.text for el in by_class(root, "scale")] == ["1 Not at all", "3 Somewhat",
                                                          "5 A great deal"]


def test_the_biggest_differences_are_marked_in_words() -> None:
    root = parse(one_column())
    # The rows are marked in the instrument's order (c0 then c1), each with its difference.
    assert joined(by_class(root, "marker")) == "Biggest difference: 2 Biggest difference: 3"
    # ... and the marked rows are highlighted as well (never colour alone).
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#fff1b8"]) == 2
    desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert desc.count("One of the biggest differences.") == 2


def test_the_parties_bars_differ_in_pattern_not_only_colour() -> None:
    root = parse(one_column())
    assert {r.get("fill") for r in by_class(root, "bar", "partnership")} == {"#1b3a4b"}
    hatch = {r.get("fill") for r in by_class(root, "bar", "agency")}
    assert len(hatch) == 1 and hatch.pop().startswith("url(#")  # the agency's hatching
    assert root.find(f".//{SVG}pattern") is not None


def test_at_start_and_now_are_drawn_for_each_party() -> None:
    inst = instrument(columns=("at_start", "now"), titles=["Confidence", "Networks"])
    comp = comparison(inst, {
        ("c0", "at_start"): (1, 2), ("c0", "now"): (4, 3),
        ("c1", "at_start"): (2, 2), ("c1", "now"): (5, 2),
    }, biggest=("c1",))
    root = parse(str(ratings_svg(comp, partnership_label="Riverside", agency_label="Council",
                                 title="LTO review")))
    written = texts(root)
    assert "at the start" in written and "now" in written
    start_bars = by_class(root, "bar", "at_start")
    now_bars = by_class(root, "bar", "now")
    assert len(start_bars) == 4 and len(now_bars) == 4
    # "At the start" is thinner and dashed: a different shape, not only a lighter colour.
    assert all(b.get("stroke-dasharray") for b in start_bars)
    assert not any(b.get("stroke-dasharray") for b in now_bars)
    assert (max(float(b.get("height", 0)) for b in start_bars)
            < min(float(b.get("height", 0)) for b in now_bars))
    assert [el.text for el in by_class(root, "score", "partnership", "at_start")] == ["1", "2"]
    assert [el.text for el in by_class(root, "score", "partnership", "now")] == ["4", "5"]
    assert [el.text for el in by_class(root, "score", "agency", "at_start")] == ["2", "2"]
    assert [el.text for el in by_class(root, "score", "agency", "now")] == ["3", "2"]
    # One panel per party, side by side, each headed with the party's name.
    assert {strip_isolates(t) for t in written} >= {"Riverside", "Council"}
    p_left = {b.get("x") for b in by_class(root, "bar", "partnership")}
    a_left = {b.get("x") for b in by_class(root, "bar", "agency")}
    assert len(p_left) == 1 and len(a_left) == 1 and p_left != a_left
    assert joined(by_class(root, "marker")) == "Biggest difference: 3"
    desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "Riverside 2 at the start, 5 now" in desc


def test_ids_are_prefixed_and_safe() -> None:
    root = parse(one_column(id_prefix='x" onload="alert(1)'))
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    assert ids and all(i.startswith("xonloadalert1") for i in ids)
    assert not any(name.startswith("on") for el in root.iter() for name in el.attrib)


def test_wrap_splits_overlong_words_and_ends_with_an_ellipsis() -> None:
    lines = wrap("Supercalifragilisticexpialidocious " * 5, 200, 30, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert wrap("Trust", 400, 32, 3) == ["Trust"]


def test_last_time_is_marked_on_each_now_bar() -> None:
    """A follow-on conversation: a mark where each party's score was last time, named in
    the legend and told in the description; the number moves clear of a mark beside it."""
    import dataclasses

    from convo.ratings.chart import describe

    inst = instrument()
    comp = dataclasses.replace(
        comparison(inst, {("c0", "now"): (4, 2), ("c1", "now"): (2, 5), ("c2", "now"): (3, 3)}),
        earlier={"c0": (2, None), "c1": (2.2, 4), "c2": (5, 1)})
    svg = str(ratings_svg(comp, partnership_label="Riverside Big Local",
                          agency_label="Exampletown Primary Care Network", title="T"))
    root = parse(svg)
    marks = by_class(root, "last-time", "partnership") + by_class(root, "last-time", "agency")
    assert len(marks) == 5  # one per earlier score given: c0's agency had none
    assert len(by_class(root, "last-time", "key")) == 1
    assert "last time" in texts(root)

    def x(mark: ET.Element) -> float:
        return float(mark.find(f"{SVG}line").get("x1"))

    # the marks stand where the scores were, on the bars' own scale
    bars = by_class(root, "bar", "partnership")
    left = float(bars[0].get("x"))
    per_point = float(bars[0].get("width")) / 4  # c0's partnership bar is 4 long
    p_marks = by_class(root, "last-time", "partnership")
    assert [round((x(m) - left) / per_point, 1) for m in p_marks] == [2, 2.2, 5]
    # c1: now 2, last time 2.2 — the mark sits where the number would, so the number moves
    score = next(t for t in by_class(root, "score", "partnership") if "".join(t.itertext()) == "2")
    assert float(score.get("x")) >= x(p_marks[1]) + 10

    words = describe(comp, partnership_label="Riverside Big Local",
                     agency_label="Exampletown Primary Care Network")
    assert ("Last time: Riverside Big Local 2, Exampletown Primary Care Network not rated."
            in words)
    assert "Last time: Riverside Big Local 5, Exampletown Primary Care Network 1." in words


def test_no_marks_without_a_last_time() -> None:
    root = parse(one_column())
    assert not by_class(root, "last-time") and "last time" not in texts(root)


def test_last_time_marks_in_two_columns_stay_off_the_bar_above() -> None:
    """The LTO review: the mark on a "now" bar reaches no higher than the gap under its
    "at the start" bar, and a criterion not rated this time still shows last time's mark."""
    import dataclasses

    inst = instrument(columns=("at_start", "now"), titles=["Confidence", "Networks"])
    comp = dataclasses.replace(comparison(inst, {
        ("c0", "at_start"): (1, 2), ("c0", "now"): (4, 3),
        ("c1", "at_start"): (2, 2), ("c1", "now"): (None, 2),
    }), earlier={"c0": (3, 3), "c1": (4, 1)})
    root = parse(str(ratings_svg(comp, partnership_label="Riverside", agency_label="Council",
                                 title="LTO review")))
    marks = by_class(root, "last-time", "partnership")
    assert len(marks) == 2  # c1 is not rated now, and its mark is still there
    starts = by_class(root, "bar", "partnership", "at_start")
    for mark, start in zip(marks, starts, strict=True):
        top = float(mark.find(f"{SVG}line").get("y1"))
        assert top >= float(start.get("y")) + float(start.get("height"))
    assert len(by_class(root, "last-time", "agency")) == 2


def test_scores_are_written_plainly_whatever_was_formatted_before() -> None:
    from convo.ratings import chart

    chart._number.cache_clear()  # from nothing kept, so -0.0 is the first formatted
    # Formatted values are kept: -0.0 equals 0.0, so it must not leave "-0" behind for 0.
    assert number(-0.0, "en_GB") == "0"
    assert number(0.0, "en_GB") == "0"
    assert number(3.5, "en_GB") == "3.5"
    assert number(4, "en_GB") == number(4.0, "en_GB") == "4"
    assert number(1234.5, "en_GB") == "1,234.5"
    assert number(3.5, "de_DE") == "3,5"  # the locale is part of what is kept
