"""How much time a stage's core questions need: the rule behind the default plan.

A stage is planned around its two or three core questions; the optional ones are asked if
time allows.  The rule, used by the checker (a set's own minutes) and by the plan page (a
conversation's chosen minutes), is deliberately simple so a facilitator can do it in their
head:

* **4 minutes for each core question**: about a minute for each side's first answer, and two
  for a follow-up and for capturing what was said;
* **5 more minutes in a stage with a rating**, for each side to score on its own;
* a break needs only its own minutes.

A stage "fits" when its minutes are at least what its core questions need.  The rest of its
minutes are for the optional questions, or for a conversation that runs long.
"""

from __future__ import annotations

MINUTES_PER_CORE_QUESTION = 4
MINUTES_TO_SCORE = 5
# Conversations longer than this need a break.
BREAK_AFTER_MINUTES = 75


def core_minutes(core_questions: int, rated: bool) -> int:
    """The fewest minutes a stage with this many core questions (and a rating, if `rated`)
    should have."""
    return core_questions * MINUTES_PER_CORE_QUESTION + (MINUTES_TO_SCORE if rated else 0)
