"""Files to question sets: parse, resolve includes, validate, check and lint.

`load_set(path)` returns the assembled `QuestionSet` (None when there is any error) and every
problem found, each with the file and line it belongs to.  Includes name shared parts,
looked up in the set's own `shared/` folder and then in the shipped `question_sets/shared/`;
a problem inside a part is reported at the part's file and line, naming the including set.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from convo import ROOT
from convo.questions import checks, lint, yamlsource
from convo.questions.checks import Finding
from convo.questions.problems import Problem
from convo.questions.schema import (
    LIST_KINDS, PART_KINDS, SLUG, Note, PrepQuestion, Question, QuestionSet, RatingInstrument,
    RelationshipType, Stage, Text,
)
from convo.questions.yamlsource import Loc, Source, YamlSyntaxError

log = logging.getLogger(__name__)

SHIPPED_DIR = ROOT / "question_sets"
SHARED_DIR = SHIPPED_DIR / "shared"
SUFFIX = ".yaml"

Kind = Literal["set", "part"]

# What an include must bring in at each place, in words for a message.
WANTED = {
    "stage": _l("a stage"),
    "questions": _l("a list of questions"),
    "rating": _l("a rating"),
    "relationship_types": _l("a list of relationship types"),
    "ground_rules": _l("a list of ground rules"),
    "toolkit": _l("a list of toolkit notes"),
    "preparation": _l("a list of preparation questions"),
}

PART_MODELS: dict[str, type[BaseModel]] = {
    "stage": Stage,
    "questions": Question,
    "rating": RatingInstrument,
    "relationship_types": RelationshipType,
    "toolkit": Note,
    "preparation": PrepQuestion,
}
_PART_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "stage": TypeAdapter(Stage),
    "questions": TypeAdapter(Annotated[list[Question], Field(min_length=1)]),
    "rating": TypeAdapter(RatingInstrument),
    "relationship_types": TypeAdapter(Annotated[list[RelationshipType], Field(min_length=1)]),
    "ground_rules": TypeAdapter(Annotated[list[Text], Field(min_length=1)]),
    "toolkit": TypeAdapter(Annotated[list[Note], Field(min_length=1)]),
    "preparation": TypeAdapter(Annotated[list[PrepQuestion], Field(min_length=1)]),
}


@dataclass(frozen=True)
class Origin:
    path: Path
    line: int


@dataclass(frozen=True)
class Loaded:
    """What loading one file gave: the set (for a valid set file) and the problems."""

    path: Path
    kind: Kind
    question_set: QuestionSet | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------- finding files


def shared_dirs_for(path: Path) -> tuple[Path, ...]:
    """Where a file's includes are looked up: its folder's shared/, then the shipped one."""
    own = path.parent / "shared" if path.parent.name != "shared" else path.parent
    dirs = [own] if own.is_dir() and own.resolve() != SHARED_DIR.resolve() else []
    return (*dirs, SHARED_DIR)


def set_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*" + SUFFIX) if p.is_file())


def is_part_file(path: Path) -> bool:
    return path.parent.name == "shared"


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files to check for the given files and folders: a folder gives its sets and the parts
    in its shared/ (or, for a shared/ folder, its parts)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += set_files(path)
            if path.name != "shared" and (path / "shared").is_dir():
                files += set_files(path / "shared")
        else:
            files.append(path)
    return list(dict.fromkeys(files))


def load_path(path: Path, shared_dirs: Sequence[Path] | None = None,
              style: bool = True) -> Loaded:
    if is_part_file(path):
        return load_part(path, shared_dirs, style)
    return load_set(path, shared_dirs, style)


# ---------------------------------------------------------------------------- loading


def load_set(path: Path, shared_dirs: Sequence[Path] | None = None,
             style: bool = True, reserved_ids: Collection[str] = ()) -> Loaded:
    """Load, check and (with `style`) lint one set file.  `reserved_ids`: ids already
    taken (by the shipped sets, when loading a facilitator's own set)."""
    assembly = _Assembly(path, tuple(shared_dirs or shared_dirs_for(path)))
    source = assembly.read(path)
    if source is None:
        return assembly.result("set", None)
    data = source.data
    if not isinstance(data, dict):
        assembly.problem(path, source.line(()), _(
            "a question set must be a mapping of keys (id, title, stages...)"))
        return assembly.result("set", None)
    assembled = assembly.assemble_set(source)
    if isinstance(assembled.get("id"), str) and assembled["id"] != path.stem:
        assembly.finding(assembled, Finding(("id",), _(
            "'%(id)s' must match the file name: use '%(stem)s' or rename the file",
            id=assembled["id"], stem=path.stem)))
    if assembled.get("id") in reserved_ids:
        assembly.finding(assembled, Finding(("id",), _(
            "'%(id)s' is already the id of a shipped set: choose another id and rename the "
            "file to match", id=assembled["id"])))
    question_set = assembly.validate(assembled, QuestionSet)
    for found in checks.check_set(assembled, frozenset(assembly.incomplete)):
        assembly.finding(assembled, found)
    if style:
        for found in lint.lint_set(assembled, frozenset(assembly.incomplete)):
            assembly.finding(assembled, found, "warning")
    ok = question_set is not None and not any(p.is_error for p in assembly.problems)
    return assembly.result("set", question_set if ok else None)


def load_part(path: Path, shared_dirs: Sequence[Path] | None = None,
              style: bool = True) -> Loaded:
    """Check a shared part on its own (its set-level rules are checked with each set)."""
    assembly = _Assembly(path, tuple(shared_dirs or shared_dirs_for(path)))
    source = assembly.read_part(path)
    if source is None:
        return assembly.result("part", None)
    assembled = assembly.assemble_part(source, (path.stem,))
    kind = next(k for k in PART_KINDS if k in assembled)
    assembly.validate_part(assembled, kind)
    for found in checks.check_part(assembled):
        assembly.finding(assembled, found)
    if style:
        for found in lint.lint_part(assembled):
            assembly.finding(assembled, found, "warning")
    return assembly.result("part", None)


# ---------------------------------------------------------------------------- assembling


def _include_of(item: Any) -> bool:
    return isinstance(item, dict) and "include" in item


class _Assembly:
    """Builds one file's assembled data and a map from each path in it to its origin."""

    def __init__(self, path: Path, shared_dirs: tuple[Path, ...]) -> None:
        self.path = path
        self.name = path.stem
        self.shared_dirs = shared_dirs
        self.problems: list[Problem] = []
        self.origins: dict[Loc, Origin] = {}
        self.incomplete: set[Loc] = set()  # lists that lost an item to a failed include
        # Keys read as text (path, line of their mapping, key): not reported as missing too.
        self.absorbed: set[tuple[Path, int, str]] = set()
        self._parts: dict[Path, Source | None] = {}

    # -- reporting

    def problem(self, path: Path, line: int, message: str,
                severity: Literal["error", "warning"] = "error") -> None:
        included_by = (self.name,) if path != self.path else ()
        self.problems.append(Problem(path, line, message, severity, included_by))

    def origin(self, loc: Loc) -> Origin:
        while loc not in self.origins and loc:
            loc = loc[:-1]
        return self.origins.get(loc, Origin(self.path, 1))

    def finding(self, data: Any, found: Finding,
                severity: Literal["error", "warning"] = "error") -> None:
        origin = self.origin(found.loc)
        message = checks.describe(data, found.loc, found.message, found.field)
        self.problem(origin.path, origin.line, message, severity)

    def result(self, kind: Kind, question_set: QuestionSet | None) -> Loaded:
        return Loaded(self.path, kind, question_set, tuple(self.problems))

    # -- reading

    def read(self, path: Path) -> Source | None:
        try:
            source = yamlsource.read(path)
        except YamlSyntaxError as exc:
            self.problem(path, exc.line, exc.message)
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(path, 0, _("cannot read the file: %(reason)s", reason=exc))
            return None
        for found in source.problems:
            self.problem(path, found.line, found.message)
        self.over_indented(path, source)
        return source

    def over_indented(self, path: Path, source: Source) -> None:
        """A key indented too far under a `>` text is read by YAML as more of the text:
        report it at its own line (instead of as a missing key) when the mapping it was
        meant for lacks it and takes such a key."""
        is_part = isinstance(source.data, dict) and "part" in source.data
        for suspect in source.suspects:
            meant_for = suspect.loc[:-1]
            mapping = checks.at(source.data, meant_for)
            if not isinstance(mapping, dict) or suspect.key in mapping:
                continue
            if is_part:
                kind = meant_for[0] if meant_for else None
                model = PART_MODELS.get(str(kind))
                keys = _keys_at(model, meant_for[1:]) if model else []
            else:
                keys = _keys_at(QuestionSet, meant_for)
            if suspect.key not in keys:
                continue
            text_key = str(suspect.loc[-1])
            self.problem(path, suspect.line, _(
                "'%(key)s' is indented too far, so YAML read it as more of the text of "
                "'%(text)s' above: line it up with '%(text)s'", key=suspect.key, text=text_key))
            self.absorbed.add((path, source.line(meant_for), suspect.key))

    def read_part(self, path: Path) -> Source | None:
        """A part file, its own structure checked (once, however often it is included)."""
        if path in self._parts:
            return self._parts[path]
        self._parts[path] = None
        source = self.read(path)
        if source is None:
            return None
        data = source.data
        kinds = ", ".join(PART_KINDS)
        if not isinstance(data, dict):
            self.problem(path, source.line(()), _(
                "a shared part must be a mapping with 'part' and one of %(kinds)s", kinds=kinds))
            return None
        if "part" not in data:
            self.problem(path, source.line(()), _("missing key 'part'"))
        elif data["part"] != path.stem:
            self.problem(path, source.line(("part",)), _(
                "part '%(part)s' must match the file name: use '%(stem)s' or rename the file",
                part=data["part"], stem=path.stem))
        for key in data:
            if key != "part" and key not in PART_KINDS:
                self.problem(path, source.line((key,)), _(
                    "unknown key '%(key)s' (a part holds 'part' and one of %(kinds)s)",
                    key=key, kinds=kinds))
        held = [k for k in PART_KINDS if k in data]
        if len(held) != 1:
            self.problem(path, source.line(()), _(
                "a part holds exactly one of %(kinds)s (this one has %(held)s)",
                kinds=kinds, held=", ".join(held) or _("none")))
            return None
        self._parts[path] = source
        return source

    def find_part(self, name: str) -> Path | None:
        for folder in self.shared_dirs:
            candidate = folder / (name + SUFFIX)
            if candidate.is_file():
                return candidate
        return None

    def resolve(self, item: dict[str, Any], kind: str, source: Source, path: Path,
                loc: Loc, chain: tuple[str, ...]) -> tuple[Source, Path, str] | None:
        """The part an include item names, if it exists, holds `kind` and closes no cycle."""
        line = source.line(loc + ("include",))
        others = [str(k) for k in item if k != "include"]
        if others:
            self.problem(path, source.line(loc + (others[0],)), _(
                "an include takes no other keys (found %(keys)s)", keys=", ".join(others)))
        name = item["include"]
        if not isinstance(name, str) or not SLUG.fullmatch(name):
            self.problem(path, line, _(
                "include must name a shared part, e.g. 'include: opening'"))
            return None
        if name in chain:
            cycle = " → ".join(chain[chain.index(name):] + (name,))
            self.problem(path, line, _("include cycle: %(cycle)s", cycle=cycle))
            return None
        part_path = self.find_part(name)
        if part_path is None:
            where = ", ".join(_display(d) for d in self.shared_dirs)
            message = _("unknown include '%(name)s': there is no %(file)s in %(dirs)s",
                        name=name, file=name + SUFFIX, dirs=where)
            close = difflib.get_close_matches(name, self.part_names(), n=1)
            if close:
                message += " " + _("(did you mean '%(name)s'?)", name=close[0])
            self.problem(path, line, message)
            return None
        part = self.read_part(part_path)
        if part is None:
            return None
        if kind not in part.data:
            held = next(k for k in PART_KINDS if k in part.data)
            self.problem(path, line, _(
                "part '%(name)s' holds %(held)s, but %(wanted)s is wanted here",
                name=name, held=held, wanted=WANTED[kind]))
            return None
        return part, part_path, name

    def part_names(self) -> list[str]:
        """Every part an include could name: the files in the shared folders."""
        return sorted({p.stem for folder in self.shared_dirs if folder.is_dir()
                       for p in set_files(folder)})

    # -- assembling: copy data, recording where each path came from

    def graft(self, source: Source, path: Path, src: Loc, dst: Loc) -> None:
        size = len(src)
        for loc, line in source.lines.items():
            if loc[:size] == src:
                self.origins[dst + loc[size:]] = Origin(path, line)

    def assemble_set(self, source: Source) -> dict[str, Any]:
        path = self.path
        out: dict[str, Any] = {}
        self.origins[()] = Origin(path, source.line(()))
        for key, value in source.data.items():
            loc = (key,)
            if key == "stages" and isinstance(value, list):
                out[key] = self.stages(value, source, path, loc, ())
            elif key == "ratings" and isinstance(value, list):
                out[key] = self.ratings(value, source, path, loc, ())
            elif key == "relationship_types" and _include_of(value):
                self.origins[loc] = Origin(path, source.line(loc))
                out[key] = self.whole(value, "relationship_types", source, path, loc, ())
            elif key in LIST_KINDS and isinstance(value, list):
                self.origins[loc] = Origin(path, source.line(loc))
                out[key] = []
                self.spliced(key, value, source, path, loc, out[key], loc, ())
            else:
                self.graft(source, path, loc, loc)
                out[key] = value
        return out

    def assemble_part(self, source: Source, chain: tuple[str, ...]) -> dict[str, Any]:
        path = self.path
        out: dict[str, Any] = {}
        self.origins[()] = Origin(path, source.line(()))
        for key, value in source.data.items():
            loc = (key,)
            if key == "stage":
                out[key] = self.stage(value, source, path, loc, loc, chain)
            elif key in LIST_KINDS and isinstance(value, list):
                self.origins[loc] = Origin(path, source.line(loc))
                out[key] = []
                self.spliced(key, value, source, path, loc, out[key], loc, chain)
            else:
                self.graft(source, path, loc, loc)
                out[key] = value
        return out

    def stages(self, items: list[Any], source: Source, path: Path, loc: Loc,
               chain: tuple[str, ...]) -> list[Any]:
        self.origins[("stages",)] = Origin(path, source.line(loc))
        out: list[Any] = []
        for index, item in enumerate(items):
            iloc = loc + (index,)
            dst = ("stages", len(out))
            if _include_of(item):
                found = self.resolve(item, "stage", source, path, iloc, chain)
                if found is None:
                    self.incomplete.add(("stages",))
                    continue
                part, part_path, name = found
                out.append(self.stage(part.data["stage"], part, part_path, ("stage",), dst,
                                      chain + (name,)))
            else:
                out.append(self.stage(item, source, path, iloc, dst, chain))
        return out

    def stage(self, item: Any, source: Source, path: Path, src: Loc, dst: Loc,
              chain: tuple[str, ...]) -> Any:
        if not isinstance(item, dict):
            self.graft(source, path, src, dst)
            return item
        self.origins[dst] = Origin(path, source.line(src))
        out: dict[str, Any] = {}
        for key, value in item.items():
            if key == "questions" and isinstance(value, list):
                self.origins[dst + (key,)] = Origin(path, source.line(src + (key,)))
                out[key] = []
                self.spliced(key, value, source, path, src + (key,), out[key], dst + (key,),
                             chain)
            else:
                self.graft(source, path, src + (key,), dst + (key,))
                out[key] = value
        return out

    def spliced(self, kind: str, items: list[Any], source: Source, path: Path, src: Loc,
                out: list[Any], dst: Loc, chain: tuple[str, ...]) -> None:
        """Append `items` to `out`, splicing in the lists that included parts of `kind`
        (questions, ground_rules, toolkit, preparation) hold."""
        for index, item in enumerate(items):
            iloc = src + (index,)
            if _include_of(item):
                found = self.resolve(item, kind, source, path, iloc, chain)
                if found is None:
                    self.incomplete.add(dst)
                    continue
                part, part_path, name = found
                included = part.data[kind]
                if isinstance(included, list):
                    self.spliced(kind, included, part, part_path, (kind,), out, dst,
                                 chain + (name,))
                continue
            self.graft(source, path, iloc, dst + (len(out),))
            out.append(item)

    def ratings(self, items: list[Any], source: Source, path: Path, loc: Loc,
                chain: tuple[str, ...]) -> list[Any]:
        self.origins[("ratings",)] = Origin(path, source.line(loc))
        out: list[Any] = []
        for index, item in enumerate(items):
            iloc = loc + (index,)
            if _include_of(item):
                found = self.resolve(item, "rating", source, path, iloc, chain)
                if found is None:
                    self.incomplete.add(("ratings",))
                    continue
                part, part_path, _name = found
                self.graft(part, part_path, ("rating",), ("ratings", len(out)))
                out.append(part.data["rating"])
            else:
                self.graft(source, path, iloc, ("ratings", len(out)))
                out.append(item)
        return out

    def whole(self, item: dict[str, Any], kind: str, source: Source, path: Path, loc: Loc,
              chain: tuple[str, ...]) -> Any:
        """A value included whole (relationship_types: {include: relationship_types})."""
        found = self.resolve(item, kind, source, path, loc, chain)
        if found is None:
            self.incomplete.add(loc)
            return []
        part, part_path, _name = found
        self.graft(part, part_path, (kind,), loc)
        return part.data[kind]

    # -- validating

    def validate(self, data: dict[str, Any], model: type[QuestionSet]) -> QuestionSet | None:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            self.schema_errors(data, exc, (), lambda loc: _keys_at(QuestionSet, loc))
            return None

    def validate_part(self, data: dict[str, Any], kind: str) -> None:
        try:
            _PART_ADAPTERS[kind].validate_python(data[kind])
        except ValidationError as exc:
            self.schema_errors(data, exc, (kind,),
                               lambda loc: _keys_at(PART_MODELS[kind], loc[1:]))

    def schema_errors(self, data: dict[str, Any], exc: ValidationError, prefix: Loc,
                      keys_at: Any) -> None:
        for error in exc.errors(include_url=False):
            loc = prefix + tuple(error["loc"])
            if error["type"] == "too_short" and loc in self.incomplete:
                continue  # the failed include has been reported
            if error["type"] == "missing":
                origin = self.origin(loc[:-1])
                if (origin.path, origin.line, str(loc[-1])) in self.absorbed:
                    continue  # reported where the key is, indented too far
            self.finding(data, schema_finding(data, error, loc, keys_at))


# ---------------------------------------------------------------------------- messages


def _keys_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys allowed in the mapping at `loc` inside `model`."""
    current: type[BaseModel] | None = model
    for key in loc:
        if isinstance(key, int) or current is None:
            continue
        info = _field(current, str(key))
        current = _inner_model(info.annotation) if info else None
    return [info.alias or name for name, info in current.model_fields.items()] if current else []


def _field(model: type[BaseModel], key: str) -> Any:
    """The field `key` names, by its name or its alias (a stage's `break`)."""
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info
    return None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found:
            return found
    return None


def _choices(expected: str) -> str:
    return ", ".join(re.findall(r"'([^']*)'", expected)) or expected


def _one_of(expected: str, given: Any) -> str:
    """"must be one of both, partnership, agency (did you mean 'partnership'?)"."""
    choices = re.findall(r"'([^']*)'", expected)
    message = _("must be one of %(choices)s", choices=_choices(expected))
    close = difflib.get_close_matches(str(given), choices, n=1) if isinstance(given, str) else []
    if close:
        message += " " + _("(did you mean '%(value)s'?)", value=close[0])
    return str(message)


def schema_finding(data: Any, error: Any, loc: Loc, keys_at: Any) -> Finding:
    """A pydantic error as a finding with a plain message."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("missing", "extra_forbidden"):
        key = loc[-1]
        if kind == "missing":
            # Reported on the mapping that lacks the key: "scale is missing key 'labels'",
            # or "question 'q1': missing key 'why'" when the mapping is a named thing.
            if checks.where(data, loc[:-1])[2]:
                return Finding(loc[:-1], _("is missing key '%(key)s'", key=key))
            return Finding(loc[:-1], _("missing key '%(key)s'", key=key), field=False)
        message = _("unknown key '%(key)s'", key=key)
        close = difflib.get_close_matches(str(key), keys_at(loc[:-1]), n=1)
        if close:
            message += " " + _("(did you mean '%(key)s'?)", key=close[0])
        return Finding(loc, message, field=False)
    messages = {
        "literal_error": lambda: _one_of(str(ctx.get("expected", "")), error.get("input")),
        "string_type": lambda: _("must be text"),
        "int_type": lambda: _("must be a whole number"),
        "int_parsing": lambda: _("must be a whole number"),
        "int_from_float": lambda: _("must be a whole number"),
        "bool_type": lambda: _("must be true or false"),
        "bool_parsing": lambda: _("must be true or false"),
        "list_type": lambda: _("must be a list"),
        "dict_type": lambda: _("must be a mapping of keys to values"),
        "model_type": lambda: _("must be a mapping of keys to values"),
        "model_attributes_type": lambda: _("must be a mapping of keys to values"),
        "too_short": lambda: (
            _("must not be empty: a stage needs at least one question")
            if len(loc) > 1 and loc[-1] == "questions" else _("must not be empty")
            if ctx.get("min_length") == 1 else
            _("must have at least %(n)s items", n=ctx.get("min_length"))),
        "too_long": lambda: _("must have at most %(n)s items", n=ctx.get("max_length")),
        "greater_than_equal": lambda: _("must be at least %(n)s", n=ctx.get("ge")),
        "less_than_equal": lambda: _("must be at most %(n)s", n=ctx.get("le")),
        "greater_than": lambda: _("must be more than %(n)s", n=ctx.get("gt")),
        "less_than": lambda: _("must be less than %(n)s", n=ctx.get("lt")),
        "slug": lambda: _("must be an id: lower-case letters, digits and _, starting with a "
                          "letter"),
        "locale": lambda: _("must be a locale code such as en_GB or cy"),
        "source": lambda: _("must be \"<seed>:<section>\" with seed one of %(seeds)s, e.g. "
                            "\"001:5.1\"", seeds=ctx.get("seeds", "")),
        "text_type": lambda: (
            _("must map each locale to its text (en_GB: ..., cy: ...)")
            if isinstance(error.get("input"), dict) else
            _("must be text (put it in quotes if it looks like a number, a date or "
              "true/false)")),
        "text_empty": lambda: _("must not be empty"),
    }
    make = messages.get(kind)
    return Finding(loc, make() if make else str(error.get("msg", kind)))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
