"""YAML that remembers the line of every key and value.

PyYAML composes a document into a node tree whose nodes carry their start marks; we build
the plain Python data from that tree ourselves and keep, beside it, a map from each value's
path (a tuple of mapping keys and list indices, e.g. ("stages", 2, "questions", 0, "text"))
to its 1-based line.  For a mapping entry the line is the key's, which names the thing the
author has to fix; for a list item it is the item's first line.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _

Loc = tuple[Hashable, ...]

MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class YamlProblem:
    line: int
    message: str


@dataclass(frozen=True)
class Source:
    """A parsed file: its data, the line of every path in it, and structural problems
    (duplicate keys and the like) that plain YAML lets through."""

    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    problems: tuple[YamlProblem, ...] = ()

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
        builder = _Builder(loader)
        data = builder.build(node, ()) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = exc.problem or exc.context or str(exc)
        raise YamlSyntaxError(line, _("YAML syntax: %(problem)s", problem=message)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, _("YAML syntax: %(problem)s", problem=str(exc))) from None
    finally:
        loader.dispose()
    return Source(data=data, lines=builder.lines, problems=tuple(builder.problems))


class _Builder:
    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.lines: dict[Loc, int] = {}
        self.problems: list[YamlProblem] = []
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
        return self.loader.construct_object(node, deep=True)

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
