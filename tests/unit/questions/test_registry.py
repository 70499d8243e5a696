"""The app's cache of sets: shipped and custom, available and not, rescanned when changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask

from convo.questions.registry import Registry, recheck_seconds
from tests.unit.questions.samples import SAMPLE, replace, write


def custom(text: str = SAMPLE, name: str = "sample") -> str:
    text = replace(text, "id: sample", f"id: {name}")
    return replace(text, "title: Sample set", f"title: {name.title()} set")


def test_shipped_sets_are_available(tmp_path):
    registry = Registry(tmp_path / "missing")
    ids = [qs.id for qs in registry.all()]
    assert {"local_authority", "health", "lto_review"} <= set(ids)
    assert registry.get("health").agency_type == "health"
    assert registry.get("nope") is None
    assert [qs.id for qs in registry.for_agency_type("health")] == ["health"]
    assert registry.custom_files() == []
    assert registry.unavailable() == []


def test_custom_set_appears_beside_the_shipped_ones(tmp_path):
    write(tmp_path, "mine.yaml", custom(name="mine"))
    registry = Registry(tmp_path)
    assert [qs.id for qs in registry.for_agency_type("health")] == ["health", "mine"]
    assert registry.is_custom("mine") and not registry.is_custom("health")
    [found] = registry.custom_files()
    assert found.available and found.problems == ()


def test_custom_set_may_include_shipped_parts(tmp_path):
    text = replace(custom(name="mine"), "stages:\n", "stages:\n  - include: opening\n")
    text = text[:text.index("relationship_types:")] + (
        "relationship_types:\n  include: relationship_types\n")
    write(tmp_path, "mine.yaml", text)
    qs = Registry(tmp_path).get("mine")
    assert qs is not None
    assert qs.stages[0].id == "open"
    assert len(qs.relationship_types) == 3


def test_broken_custom_set_is_unavailable_with_its_errors(tmp_path):
    write(tmp_path, "broken.yaml", replace(custom(name="broken"), "minutes: 25", "minutes: x"))
    write(tmp_path, "garbage.yaml", "id: [\n")
    registry = Registry(tmp_path)
    assert registry.get("broken") is None
    assert registry.get("health") is not None
    unavailable = {f.set_id: f for f in registry.unavailable()}
    assert set(unavailable) == {"broken", "garbage"}
    assert [p.message for p in unavailable["broken"].errors] == [
        "stage 'get_to_know': minutes must be a whole number"]
    assert unavailable["garbage"].errors[0].message.startswith("YAML syntax:")


def test_custom_set_with_style_warnings_is_available(tmp_path):
    write(tmp_path, "wordy.yaml", replace(custom(name="wordy"),
                                         "What are you each working towards this year?",
                                         "Do you have goals?"))
    registry = Registry(tmp_path)
    assert registry.get("wordy") is not None
    [found] = registry.custom_files()
    assert len(found.warnings) == 1 and not found.errors


def test_custom_set_may_not_take_a_shipped_id(tmp_path):
    write(tmp_path, "health.yaml", custom(name="health"))
    registry = Registry(tmp_path)
    assert registry.get("health").title != "Health set"  # the shipped one
    [clash] = registry.unavailable()
    assert clash.path == tmp_path / "health.yaml"
    assert [p.message for p in clash.errors] == [
        "id 'health' is already the id of a shipped set: choose another id and rename the file "
        "to match"]


def test_unexpected_failure_never_breaks_the_registry(tmp_path, monkeypatch):
    from convo.questions import loader

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    write(tmp_path, "mine.yaml", custom(name="mine"))
    monkeypatch.setattr(loader, "load_set", explode)
    from convo.questions import registry as registry_module

    found = registry_module.load_custom(tmp_path / "mine.yaml", set())
    assert not found.available
    assert found.errors[0].message == "could not be loaded: boom"


def _touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_a_registry_checking_on_every_use_rescans_when_files_change(tmp_path):
    registry = Registry(tmp_path, recheck_every=0)  # debug mode
    assert registry.get("mine") is None
    path = write(tmp_path, "mine.yaml", custom(name="mine"))
    assert registry.get("mine") is not None
    path.write_text(replace(custom(name="mine"), "minutes: 25", "minutes: x"))
    _touch_later(path)
    assert registry.get("mine") is None
    assert [f.path.name for f in registry.unavailable()] == ["mine.yaml"]
    path.unlink()
    assert registry.get("mine") is None and registry.unavailable() == []


def test_a_running_app_notices_new_sets_after_its_interval(tmp_path):
    now = [1000.0]
    registry = Registry(tmp_path, recheck_every=30, clock=lambda: now[0])
    write(tmp_path, "mine.yaml", custom(name="mine"))
    now[0] += 29
    assert registry.get("mine") is None  # not looked yet: no stat calls on every request
    now[0] += 1
    assert registry.get("mine") is not None
    scanned = registry.catalogue
    now[0] += 30
    assert registry.catalogue is scanned  # looked, nothing changed: the same scan is kept


def test_registry_never_rechecking_keeps_its_first_scan(tmp_path):
    registry = Registry(tmp_path, recheck_every=None)
    write(tmp_path, "mine.yaml", custom(name="mine"))
    assert registry.get("mine") is None
    registry.reload()
    assert registry.get("mine") is not None


def test_the_recheck_setting():

    app = Flask(__name__)
    assert recheck_seconds(app) == 30  # the default when unset
    for good, seconds in ((0, 0.0), ("5", 5.0), (2.5, 2.5)):
        app.config["QUESTION_SETS_RECHECK_SECONDS"] = good
        assert recheck_seconds(app) == seconds
    for bad in (-1, "soon", None, float("nan"), 10**9):
        app.config["QUESTION_SETS_RECHECK_SECONDS"] = bad
        with pytest.raises(ValueError, match="QUESTION_SETS_RECHECK_SECONDS must be"):
            recheck_seconds(app)
    app.debug = True
    assert recheck_seconds(app) == 0.0
