"""`convo question-sets check` and `show`, run through the app's CLI runner.

These build their own app (the CLI never touches the database), so they run once rather
than once per database.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from convo import create_app
from tests.conftest import base_config
from tests.unit.questions.samples import SAMPLE, line_of, replace, write


@pytest.fixture
def custom_dir(tmp_path: Path) -> Path:
    return tmp_path / "custom"


@pytest.fixture
def cli_app(tmp_path: Path, custom_dir: Path) -> Flask:
    config = base_config(tmp_path, f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    config["QUESTION_SETS_DIR"] = str(custom_dir)
    return create_app(config)


def run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["question-sets", *args])


def test_shipped_sets_pass_strict_check(cli_app):
    result = run(cli_app, "check", "--strict")
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output


def test_check_reports_file_and_line_and_fails(cli_app, tmp_path):
    text = replace(SAMPLE, "addressed_to: agency", "addressed_to: partner")
    path = write(tmp_path, "sample.yaml", text)
    result = run(cli_app, "check", str(path))
    assert result.exit_code == 1
    assert (f"{path}:{line_of(text, 'partner')}: stage 'get_to_know', question 'know_week': "
            "addressed_to must be one of both, partnership, agency") in result.output
    assert "1 files checked: 1 errors, 0 warnings." in result.output


def test_warnings_pass_unless_strict(cli_app, tmp_path):
    text = replace(SAMPLE, "What are you each working towards this year?", "Is it going well?")
    path = write(tmp_path, "sample.yaml", text)
    line = line_of(text, "Is it going well?")
    relaxed = run(cli_app, "check", str(path))
    assert relaxed.exit_code == 0, relaxed.output
    assert f"{path}:{line}: warning: stage 'get_to_know', question 'know_goals': text begins " \
           "with 'Is'" in relaxed.output
    strict = run(cli_app, "check", "--strict", str(path))
    assert strict.exit_code == 1
    assert f"{path}:{line}: stage 'get_to_know', question 'know_goals': text begins with 'Is'" \
        in strict.output
    assert "--strict: style warnings count as errors" in strict.output


def test_check_a_folder_checks_its_sets_and_parts(cli_app, tmp_path):
    folder = tmp_path / "sets"
    write(folder, "sample.yaml", SAMPLE)
    write(folder / "shared", "bits.yaml", "part: bobs\nquestions: []\n")
    result = run(cli_app, "check", str(folder))
    assert result.exit_code == 1
    assert f"{folder / 'shared' / 'bits.yaml'}:1: part 'bobs' must match the file name" \
        in result.output
    assert "2 files checked" in result.output


def test_check_without_paths_includes_the_custom_folder(cli_app, custom_dir):
    write(custom_dir, "mine.yaml", replace(SAMPLE, "id: sample", "id: mine"))
    write(custom_dir, "health.yaml", replace(SAMPLE, "id: sample", "id: health"))
    result = run(cli_app, "check")
    assert result.exit_code == 1
    assert (f"{custom_dir / 'health.yaml'}:1: id 'health' is already the id of a shipped set"
            in result.output)
    assert "mine.yaml" not in result.output


def test_missing_path_is_a_usage_error(cli_app, tmp_path):
    result = run(cli_app, "check", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2


def test_show_prints_an_outline(cli_app):
    result = run(cli_app, "show", "health")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.splitlines()[0] == "Health agency"
    assert re.search(r"^1\. .+ \(\d+ minutes\) \[open\]$", out, re.MULTILINE)
    assert "Asked to both parties" in out
    assert "Follow-ups:" in out and "Why:" in out
    assert "Big Local relationships with public agencies (2022)" in out
    assert "Rating instruments" in out and "Scale 1 to 5:" in out
    assert "Relationship types" in out and "Powerful allies" in out
    assert "Glossary" in out and "ICB:" in out


def test_show_a_custom_set(cli_app, custom_dir):
    write(custom_dir, "mine.yaml", replace(SAMPLE, "id: sample", "id: mine"))
    cli_app.extensions["convo.question_sets"].reload()
    result = run(cli_app, "show", "mine")
    assert result.exit_code == 0, result.output
    assert "1.1 What are you each working towards this year?" in result.output
    assert "Asked to the agency, core [know_week]" in result.output


def test_show_unknown_set(cli_app):
    result = run(cli_app, "show", "nope")
    assert result.exit_code == 1
    assert "There is no available question set 'nope'" in result.output
