"""YAML that remembers the line of every key and value.

PyYAML composes a document into a node tree whose nodes carry their start marks; we build
the plain Python data from that tree ourselves and keep, beside it, a map from each value's
path (a tuple of mapping keys and list indices, e.g. ("stages", 2, "questions", 0, "text"))
to its 1-based line.  For a mapping entry the line is the key's, which names the thing the
author has to fix; for a list item it is the item's first line.

Two mistakes YAML itself lets through or words badly are put in plain words here: a syntax
error becomes what went wrong at which line and how to fix it (see `explain`), and a key
indented too far under a `>` or `|` text, which YAML silently reads as more of that text, is
noted as a `Suspect` for the loader to report where it is.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import re

import yaml
from flask_babel import gettext as _

Loc = tuple[Hashable, ...]

MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class YamlProblem:
    line: int
    message: str


@dataclass(frozen=True)
class Suspect:
    """A line inside a `>` or `|` text at `loc` that looks like `key: ...`: perhaps a key
    indented too far, which YAML has read as more of the text."""

    loc: Loc
    key: str
    line: int


@dataclass(frozen=True)
class Source:
    """A parsed file: its data, the line of every path in it, structural problems
    (duplicate keys and the like) that plain YAML lets through, and suspected over-indented
    keys."""

    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    problems: tuple[YamlProblem, ...] = ()
    suspects: tuple[Suspect, ...] = ()

    def line(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest enclosing value when `loc` is absent."""
        while loc not in self.lines and loc:
            loc = loc[:-1]
        return self.lines.get(loc, 1)


class YamlSyntaxError(Exception):
    """The file is not valid YAML (or not one document)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message


def read(path: Path) -> Source:
    """Parse a file.  Raises YamlSyntaxError, or OSError when it cannot be read."""
    return parse(path.read_text(encoding="utf-8"))


def parse(text: str) -> Source:
    """Parse YAML text into data plus a line map."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        builder = _Builder(loader, text.splitlines())
        data = builder.build(node, ()) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        line, message = explain(text, exc)
        raise YamlSyntaxError(line, _("YAML syntax: %(problem)s", problem=message)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, _("YAML syntax: %(problem)s", problem=str(exc))) from None
    finally:
        loader.dispose()
    return Source(data=data, lines=builder.lines, problems=tuple(builder.problems),
                  suspects=tuple(builder.suspects))


# ---------------------------------------------------------------------------- plain words

KEY_LINE = re.compile(r"^(?P<indent> *)(?:- +)?(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?: |$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key_above(lines: list[str], index: int) -> tuple[str, int] | None:
    """The nearest key above line `index` (0-based) and its indentation."""
    for number in range(index - 1, -1, -1):
        match = KEY_LINE.match(lines[number])
        if match:
            offset = match.group(0).index(match["key"])
            return match["key"], offset
    return None


def explain(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """A YAML error as (1-based line, what is wrong in plain words, and a hint)."""
    lines = text.splitlines()
    problem = str(exc.problem or "")
    context = str(exc.context or "")
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    context_line = exc.context_mark.line + 1 if exc.context_mark is not None else line
    here = lines[line - 1] if 0 < line <= len(lines) else ""

    if "'\\t'" in problem or "\t" in problem:
        return line, _("this line is indented with a tab: indent with spaces only")
    if problem.startswith("mapping values are not allowed"):
        match = KEY_LINE.match(here)
        above = _key_above(lines, line - 1)
        key_colon = match.end("key") if match else -1
        if match and above and mark is not None and mark.column == key_colon:
            return line, _(
                "'%(key)s' is indented further than '%(above)s' above it, so it reads as "
                "more of that line: line it up with '%(above)s'", key=match["key"],
                above=above[0])
        return line, _(
            "this text has a colon followed by a space, which YAML reads as a new key: put "
            "the whole text in double quotes, e.g. title: \"Open: agree the space\"")
    if "quoted scalar" in context and "end of stream" in problem:
        return context_line, _(
            "a quotation mark on this line is never closed: close it (inside single quotes "
            "write an apostrophe twice, or use double quotes)")
    if "unknown escape" in problem:
        return line, _(
            "a backslash inside double quotes starts a special character: write the text in "
            "single quotes instead, or write \\\\ for a backslash")
    if "flow sequence" in context or "flow mapping" in context:
        bracket = "[" if "sequence" in context else "{"
        return context_line, _(
            "a list or mapping opened with '%(bracket)s' on this line is not closed where "
            "expected: close it, and put any text that starts with '%(bracket)s' or holds "
            "commas in quotes", bracket=bracket)
    if "another document" in problem:
        return line, _("a file holds one set or part: remove the '---' line and whatever "
                       "follows it, or move it to its own file")
    if "alias" in context or "undefined alias" in problem:
        return line, _("a text starting with '*' reads as a YAML alias: put the text in "
                       "quotes")
    cannot_start = re.search(r"found character '(.)' that cannot start any token", problem)
    if cannot_start:
        return line, _("a text cannot start with '%(char)s': put the text in quotes",
                       char=cannot_start[1])
    if "could not find expected ':'" in problem:
        return context_line, _(
            "this line has no colon, so it is neither a key nor a list item: write "
            "'key: value', or if it continues the text above, start that text with '>' on "
            "its key's line and indent every line of it")
    if "expected <block end>" in problem:
        if "'-'" in problem or "block sequence start" in problem:
            return line, _(
                "this list item ('-') does not line up with the lines above: indent it "
                "under its key, level with the other items of the same list")
        if "<scalar>" in problem:
            return line, _(
                "there is more text after a closing quotation mark: if the text holds an "
                "apostrophe, put the whole text in double quotes instead")
        above = _key_above(lines, line - 1)
        if above:
            return line, _(
                "this line's indentation does not match the lines above it: keys of the "
                "same item line up exactly (check it against '%(above)s' on the lines "
                "above)", above=above[0])
        return line, _("this line's indentation does not match the lines above it")
    words = problem or context or str(exc)
    return line, _("YAML cannot read this line (%(words)s): check its indentation, and "
                   "put any text holding ': ', '#' or quotation marks in quotes", words=words)


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, text_lines: list[str]) -> None:
        self.loader = loader
        self.text_lines = text_lines
        self.lines: dict[Loc, int] = {}
        self.problems: list[YamlProblem] = []
        self.suspects: list[Suspect] = []
        self._open: set[int] = set()  # nodes being built: an alias back into one is a loop

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if id(node) in self._open:
            self.problems.append(YamlProblem(node.start_mark.line + 1,
                                             _("an alias refers to itself")))
            return None
        if isinstance(node, yaml.MappingNode):
            self._open.add(id(node))
            try:
                return self._mapping(node, loc)
            finally:
                self._open.discard(id(node))
        if isinstance(node, yaml.SequenceNode):
            self._open.add(id(node))
            try:
                return [self.build(item, loc + (index,)) for index, item in enumerate(node.value)]
            finally:
                self._open.discard(id(node))
        if isinstance(node, yaml.ScalarNode) and node.style in (">", "|"):
            self._look_inside(node, loc)
        return self.loader.construct_object(node, deep=True)

    def _look_inside(self, node: yaml.ScalarNode, loc: Loc) -> None:
        """Note the lines of a block text that look like a key ("sources: [...]")."""
        first, last = node.start_mark.line + 1, node.end_mark.line
        body = [n for n in range(first, min(last + 1, len(self.text_lines)))
                if self.text_lines[n].strip()]
        if not body:
            return
        depth = _indent(self.text_lines[body[0]])  # the text's own indentation
        for number in body:
            line = self.text_lines[number]
            match = KEY_LINE.match(line)
            if match and _indent(line) >= depth and not line.lstrip().startswith("-"):
                self.suspects.append(Suspect(loc, match["key"], number + 1))

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == MERGE_TAG:
                self.problems.append(YamlProblem(line, _("merge keys (<<) are not supported: "
                                                         "write the keys out")))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(YamlProblem(line, _("a key must be plain text")))
                continue
            key = self.loader.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                self.problems.append(YamlProblem(line, _("a key must be plain text")))
                continue
            if key in result:
                self.problems.append(YamlProblem(line, _(
                    "duplicate key '%(key)s' (first at line %(first)s)",
                    key=key, first=self.lines.get(loc + (key,), "?"))))
                continue
            self.lines[loc + (key,)] = line
            result[key] = self.build(value_node, loc + (key,))
        return result
