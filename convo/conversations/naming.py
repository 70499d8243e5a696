"""Who may be named: people who asked not to be named appear by their role, in every output.

Anonymiser(participants) is the one place that turns a conversation's words into words fit to
leave the facilitator's own pages: the summary (PDF, Word and on screen), file names and
document properties, emails, the shared screen and participants' phones.  Wherever a not-named
person's full name was typed — in any case, across a line break, as a possessive — it becomes
their role, written as a reader would expect it:

    "Jordan Lee said the surgery..."        -> "The Primary Care Network manager said ..."
    "as agreed with Jordan Lee's team"      -> "as agreed with the Primary Care Network
                                                 manager's team"
    "Owner: jordan lee (Primary Care Network manager)"
                                            -> "Owner: the Primary Care Network manager"
    "Jordan Lee" (standing alone: an owner)  -> "Primary Care Network manager"

A role keeps its capitals where it starts with a name ("Primary Care Network manager") and is
lowered where it is an ordinary phrase ("Neighbourhood housing officer" -> "the neighbourhood
housing officer"); "the" is added unless the role already starts with a determiner, and is
capitalised at the start of a sentence.  A role written straight after the name in brackets is
not repeated.  First names alone are not replaced: a first name is too often also a word or
someone else's name to be found safely.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol

_DETERMINERS = {"the", "a", "an", "our", "their", "its", "his", "her", "your", "my", "this",
                "that"}
# What comes before a name that starts a sentence: nothing, an end of sentence, a new line or
# a list's bullet, then perhaps an opening quote or bracket.
_SENTENCE_END = re.compile(r"(?:^|[.!?][\"”’)]?|\n)\s*(?:[-•*]\s+)?[\"“(]?$")


class _Person(Protocol):
    name: str
    role: str
    may_be_named: bool


def _looks_proper(word: str) -> bool:
    """A word written with capitals of its own: an acronym (GP, NHS) or a name (McLean)."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and any(c.isupper() for c in letters[1:])


def role_phrase(role: str, sentence_start: bool) -> str:
    """A role as it reads in the middle of a sentence, or at its start."""
    role = " ".join(role.split())
    if not role:
        return role
    words = role.split(" ")
    first = words[0]
    if first.lower() in _DETERMINERS:
        phrase = role if sentence_start else first.lower() + role[len(first):]
    else:
        title_case = len(words) > 1 and words[1][:1].isupper()
        if _looks_proper(first) or title_case:
            body = role
        else:
            body = first[:1].lower() + role[1:]
        phrase = f"the {body}"
    return phrase[:1].upper() + phrase[1:] if sentence_start else phrase


class Anonymiser:
    """Replaces the full names of people who asked not to be named with their roles."""

    def __init__(self, participants: Iterable[_Person]) -> None:
        hidden = [(" ".join(p.name.split()), " ".join(p.role.split())) for p in participants
                  if not p.may_be_named and p.name and p.name.strip()]
        # Longest names first, so "Jo Smith-Jones" is replaced before "Jo Smith".
        hidden.sort(key=lambda pair: len(pair[0]), reverse=True)
        self._patterns = []
        for name, role in hidden:
            name_pattern = r"\s+".join(re.escape(part) for part in name.split(" "))
            role_pattern = r"\s+".join(re.escape(part) for part in role.split(" ")) if role else None
            pattern = (r"(?<!\w)(?P<name>" + name_pattern + r")(?P<poss>['’]s(?!\w))?(?!\w)"
                       + (r"(?P<again>\s*\(\s*(?:" + role_pattern + r")\s*\))?"
                          if role_pattern else ""))
            self._patterns.append((re.compile(pattern, re.IGNORECASE), role))

    @property
    def active(self) -> bool:
        return bool(self._patterns)

    def __call__(self, text: Any) -> str:
        text = "" if text is None else str(text)
        for pattern, role in self._patterns:
            text = pattern.sub(lambda match: self._replace(match, role), text)
        return text

    @staticmethod
    def _replace(match: re.Match[str], role: str) -> str:
        before, after = match.string[:match.start()], match.string[match.end():]
        if not before.strip() and not after.strip():
            phrase = role  # the name stands alone (an owner, a label): the role as written
        else:
            phrase = role_phrase(role, bool(_SENTENCE_END.search(before))) if role else ""
        possessive = match.group("poss")
        if possessive:
            phrase += possessive[0] + "s"
        return phrase

    def each(self, texts: Iterable[Any]) -> tuple[str, ...]:
        return tuple(self(text) for text in texts)


class _Conversation(Protocol):
    partnership_name: str
    agency_name: str
    participants: Any


class Public:
    """A conversation's words as they may leave the facilitator's own pages: the parties'
    names and any text, with people who asked not to be named by their role."""

    def __init__(self, conversation: _Conversation,
                 anonymise: Callable[[Any], str] | None = None) -> None:
        self.anonymise = anonymise or Anonymiser(list(conversation.participants))
        self.partnership = self.anonymise(conversation.partnership_name)
        self.agency = self.anonymise(conversation.agency_name)

    def __call__(self, text: Any) -> str:
        return self.anonymise(text)

    def party(self, party: str | None) -> str:
        return self.partnership if party == "partnership" else self.agency

    def raised_by(self, raised_by: str | None) -> str:
        """Who raised a point, in the parties' own names."""
        from flask_babel import gettext as _

        return {"partnership": self.partnership, "agency": self.agency, "both": _("Both"),
                "facilitator": _("Facilitator")}.get(raised_by or "", raised_by or "")

    def person(self, participant: _Person) -> str:
        """Someone as they may be shown: their name, or their role if they asked."""
        return self.anonymise(participant.name if participant.may_be_named else participant.role)

    def person_in_sentence(self, participant: _Person) -> str:
        """Someone as a sentence names them: "Pat Okafor", or "the Primary Care Network
        manager" for someone who asked not to be named ("You are ...", "I am ...")."""
        if participant.may_be_named:
            return self.anonymise(participant.name)
        return role_phrase(self.anonymise(participant.role), sentence_start=False)
