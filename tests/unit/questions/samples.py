"""A small, valid, self-contained question set for tests to break one line at a time."""

from __future__ import annotations

from pathlib import Path

SAMPLE = """\
id: sample
title: Sample set
version: 1
locale: en_GB
agency_type: health
subtypes:
  - id: pcn
    title: Primary Care Network (PCN)
description: A small set for tests.
duration_minutes: 60
glossary:
  PCN: Primary Care Network, a group of GP practices that work together.
  GP: General practitioner, a family doctor.
stages:
  - id: get_to_know
    title: Get to know each other
    purpose: Learn what each side does.
    minutes: 25
    facilitator_notes: Keep it light.
    questions:
      - id: know_goals
        text: What are you each working towards this year?
        addressed_to: both
        core: true
        follow_ups:
          - What would success look like for you?
        why: Trust grows when each side knows the other's goals.
        sources: ["001:5.1"]
        surfaces: [strength, opportunity]
      - id: know_week
        text: What does a normal week look like for your team?
        addressed_to: agency
        core: true
        follow_ups:
          - Tell us more about the busy times.
        why: People often do not know what the other side does.
        sources: ["001:5.1"]
        surfaces: [strength]
  - id: how_well
    title: How well are we working together
    purpose: Rate the relationship, then talk about the gaps.
    minutes: 35
    facilitator_notes: Show both sets of scores side by side.
    rating: eight_criteria
    relationship_type: true
    questions:
      - id: how_gap
        text: Where do your scores differ the most?
        addressed_to: both
        core: true
        follow_ups:
          - What might explain the gap?
        why: Talking about the gaps builds a shared picture.
        sources: ["001:3.1"]
        surfaces: [challenge]
ratings:
  - id: eight_criteria
    title: How well are we working together?
    instructions: Give each one a score from 1 to 5.
    separate: true
    columns: [now]
    scale:
      min: 1
      max: 3
      labels:
        1: Not at all
        2: Partly
        3: Fully
    criteria:
      - id: trust
        title: Trust
        description: We can rely on each other.
      - id: respect
        title: Respect
        description: We value what each side brings.
relationship_types:
  - id: powerful_allies
    title: Powerful allies
    description: Able to turn shared ideas into action.
"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th line containing `needle`."""
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


def replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
