"""The facilitator's toolkit of a set as plain data: ground rules to propose, notes for when
the room is stuck (and the rest), and the preparation-call questions for each side.

Built once per page from a set (or a conversation's snapshot of one), in the reader's
language and for one kind of agency: items meant only for other subtypes are left out.
The set's own page and a conversation's printable toolkit render the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

from convo.questions.schema import QuestionSet, text_in

SIDES = ("partnership", "agency")


@dataclass(frozen=True)
class Note:
    id: str
    title: str
    text: str
    borrowed_from: str
    sources: tuple[str, ...]
    only_for: tuple[str, ...]


@dataclass(frozen=True)
class PrepQuestion:
    id: str
    text: str
    follow_ups: tuple[str, ...]
    why: str
    sources: tuple[str, ...]
    only_for: tuple[str, ...]


@dataclass(frozen=True)
class Toolkit:
    ground_rules: tuple[str, ...]
    notes: tuple[Note, ...]
    # Each side's preparation call, in order; a question asked of both is in both lists.
    preparation: dict[str, tuple[PrepQuestion, ...]]

    @property
    def empty(self) -> bool:
        return not (self.ground_rules or self.notes or any(self.preparation.values()))


def build(question_set: QuestionSet, locale: str, subtype: str | None = None) -> Toolkit:
    """The toolkit in `locale` (else the set's own language) for an agency of `subtype`
    (None: every item, as on the set's own page)."""
    fallback = question_set.locale

    def t(value: str | dict[str, str] | None) -> str:
        return text_in(value, locale, fallback) if value is not None else ""

    notes = tuple(
        Note(n.id, t(n.title), t(n.text), t(n.borrowed_from), tuple(n.sources),
             tuple(n.only_for))
        for n in question_set.toolkit if n.applies_to(subtype))
    preparation: dict[str, tuple[PrepQuestion, ...]] = {}
    for side in SIDES:
        preparation[side] = tuple(
            PrepQuestion(q.id, t(q.text), tuple(t(f) for f in q.follow_ups), t(q.why),
                         tuple(q.sources), tuple(q.only_for))
            for q in question_set.preparation
            if q.asked_of in (side, "both") and q.applies_to(subtype))
    return Toolkit(tuple(t(rule) for rule in question_set.ground_rules), notes, preparation)
