"""The question-set pages: the list, one set's outline, and the admin page for custom sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from convo.questions.loader import SHIPPED_DIR, set_files
from tests.unit.questions.samples import SAMPLE, replace

CUSTOM = replace(replace(SAMPLE, "id: sample", "id: our_surgery"),
                 "title: Sample set", "title: Our surgery's own set")
BROKEN = replace(replace(CUSTOM, "id: our_surgery", "id: broken"),
                 "addressed_to: agency", "addressed_to: partner")


@pytest.fixture
def custom_sets() -> dict[str, str]:
    """Files to put in the custom folder before the app starts (parametrise to change)."""
    return {}


@pytest.fixture
def config_overrides(tmp_path_factory: pytest.TempPathFactory,
                     custom_sets: dict[str, str]) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("custom_sets")
    for name, text in custom_sets.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {"QUESTION_SETS_DIR": str(folder)}


@pytest.fixture
def signed_in(auth, make_facilitator):  # type: ignore[no-untyped-def]
    person = make_facilitator()
    auth.sign_in_as(person)
    return person


@pytest.fixture
def admin_signed_in(auth, make_facilitator):  # type: ignore[no-untyped-def]
    person = make_facilitator(admin=True)
    auth.sign_in_as(person)
    return person


def page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_index_lists_sets_by_agency_type(client, signed_in):
    html = page(client, "/question-sets")
    assert html.count("<h1>") == 1
    for heading in ("Local authority", "Housing association", "School or college",
                    "Health agency", "Other public agency"):
        assert f">{heading}</h2>" in html
    assert 'href="/question-sets/health"' in html
    assert "minutes" in html and "questions" in html
    assert 'style="' not in html and "<script>" not in html


def test_show_page_outlines_a_set(client, signed_in):
    html = page(client, "/question-sets/health")
    assert html.count("<h1>") == 1
    assert "Stage 1:" in html
    assert "Follow-up prompts" in html and "Why it matters" in html
    assert "Big Local relationships with public agencies (2022)" in html
    assert "Both parties" in html
    assert 'id="ratings"' in html and "Scale from 1 to 5" in html
    assert 'id="relationship-types"' in html and "Powerful allies" in html
    assert 'id="glossary"' in html and "<abbr>ICB</abbr>" in html
    assert 'style="' not in html


@pytest.mark.parametrize("set_id", [path.stem for path in set_files(SHIPPED_DIR)])
def test_every_shipped_set_renders(client, signed_in, set_id):
    html = page(client, f"/question-sets/{set_id}")
    assert html.count("<h1>") == 1
    assert html.count('class="qs-question"') >= 10


def test_questions_css_is_served(client):
    with client.get("/static/questions.css") as response:
        assert response.status_code == 200
        assert b".qs-question" in response.data


@pytest.mark.parametrize("url", ["/question-sets", "/question-sets/health",
                                 "/admin/question-sets"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_unknown_set_is_404(client, signed_in):
    assert client.get("/question-sets/no_such_set").status_code == 404


def test_admin_page_is_for_admins_only(client, signed_in):
    assert client.get("/admin/question-sets").status_code == 403


def test_admin_page_shows_the_folder(client, admin_signed_in, app):
    html = page(client, "/admin/question-sets")
    assert html.count("<h1>") == 1
    assert app.config["QUESTION_SETS_DIR"] in html
    assert "There are no question sets in this folder." in html


@pytest.mark.parametrize("custom_sets", [{"broken.yaml": BROKEN}])
def test_broken_custom_set_is_unavailable_and_shown_to_admins(client, admin_signed_in):
    index = page(client, "/question-sets")
    assert 'href="/question-sets/health"' in index  # the shipped sets are still served
    assert 'href="/question-sets/broken"' not in index
    assert "One of your own question sets has problems and is not available." in index
    assert client.get("/question-sets/broken").status_code == 404
    admin = page(client, "/admin/question-sets")
    assert "broken.yaml" in admin
    assert "Not available" in admin
    line = BROKEN.splitlines().index("        addressed_to: partner") + 1
    assert f"at line {line}:" in admin
    assert ("stage &#39;get_to_know&#39;, question &#39;know_week&#39;: addressed_to must be one "
            "of both, partnership, agency") in admin


@pytest.mark.parametrize("custom_sets", [{"our_surgery.yaml": CUSTOM}])
def test_valid_custom_set_appears_in_the_index(client, signed_in):
    index = page(client, "/question-sets")
    assert 'href="/question-sets/our_surgery"' in index
    assert "Our surgery&#39;s own set" in index
    assert "Your own set" in index
    html = page(client, "/question-sets/our_surgery")
    assert "What are you each working towards this year?" in html


@pytest.mark.parametrize("custom_sets", [{"our_surgery.yaml": CUSTOM}])
def test_admin_sees_a_valid_custom_set_as_available(client, admin_signed_in):
    admin = page(client, "/admin/question-sets")
    assert "our_surgery.yaml" in admin and "Available" in admin
    assert 'href="/question-sets/our_surgery"' in admin
    # the page says when a new or changed file shows: the default interval, no restart
    assert "Within 30 seconds of a file being added, changed or removed" in admin


def test_broken_custom_folder_contents_never_break_the_app(app, client, signed_in,
                                                           tmp_path: Path):
    folder = Path(app.config["QUESTION_SETS_DIR"])
    (folder / "garbage.yaml").write_bytes(b"\xff\xfe\x00 not yaml")
    (folder / "list.yaml").write_text("- a\n- b\n")
    app.extensions["convo.question_sets"].reload()
    assert 'href="/question-sets/health"' in page(client, "/question-sets")


@pytest.mark.parametrize("config_overrides", [{"QUESTION_SETS_RECHECK_SECONDS": 0}])
def test_a_set_added_while_the_app_runs_appears_without_a_restart(
        app, client, signed_in):  # type: ignore[no-untyped-def]
    """Not debug mode: the app looks again once its interval has passed (0 here), and the
    default custom folder need not exist when it starts."""
    assert not app.debug
    folder = Path(app.config["QUESTION_SETS_DIR"])
    assert not folder.exists()
    assert "Our surgery" not in page(client, "/question-sets")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "our_surgery.yaml").write_text(CUSTOM, encoding="utf-8")
    assert "Our surgery&#39;s own set" in page(client, "/question-sets")
    assert page(client, "/question-sets/our_surgery")
    (folder / "our_surgery.yaml").unlink()
    assert "Our surgery" not in page(client, "/question-sets")
    assert client.get("/question-sets/our_surgery").status_code == 404
