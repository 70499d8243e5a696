"""Worked out once and kept by everything it was worked out from (convo.core.kept)."""

from __future__ import annotations

from markupsafe import Markup

from convo.core.kept import Kept


def test_a_part_is_drawn_once_per_key_and_the_oldest_go_first():
    drawn = Kept(2)
    calls: list[str] = []

    def draw(text: str):  # type: ignore[no-untyped-def]
        def go() -> Markup:
            calls.append(text)
            return Markup("<p>{}</p>").format(text)
        return go

    assert drawn.get(("a", 1), draw("one")) == Markup("<p>one</p>")
    assert drawn.get(("a", 1), draw("ignored")) == Markup("<p>one</p>")  # kept
    assert drawn.get(("a", 2), draw("two")) == Markup("<p>two</p>")  # a new key: drawn
    assert calls == ["one", "two"]
    drawn.get(("a", 1), draw("ignored"))  # used: now the newest
    drawn.get(("b", 1), draw("three"))  # over the size: the oldest, ("a", 2), goes
    assert len(drawn) == 2
    drawn.get(("a", 1), draw("ignored"))
    drawn.get(("a", 2), draw("two again"))
    assert calls == ["one", "two", "three", "two again"]


def test_what_is_kept_stays_markup_and_hostile_text_stays_escaped():
    drawn = Kept(4)
    kept = drawn.get("k", lambda: Markup("<li>{}</li>").format("<script>x</script>"))
    assert isinstance(kept, Markup)
    assert str(kept) == "<li>&lt;script&gt;x&lt;/script&gt;</li>"
    drawn.clear()
    assert len(drawn) == 0
