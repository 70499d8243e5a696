"""The convo command's own subcommands."""

from __future__ import annotations

from tests.conftest import DEFAULT_PASSWORD


def test_create_facilitator_prompts_without_echo(app, runner, auth):
    result = runner.invoke(args=["create-facilitator", "Lead@Example.org", "--admin",
                                 "--name", "Lead Facilitator"],
                           input=f"{DEFAULT_PASSWORD}\n{DEFAULT_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert DEFAULT_PASSWORD not in result.output
    assert "Created admin account for lead@example.org." in result.output
    assert auth.sign_in("lead@example.org", DEFAULT_PASSWORD).status_code == 302


def test_create_facilitator_refuses_bad_email_and_duplicates(runner, make_facilitator):
    bad = runner.invoke(args=["create-facilitator", "not an email", "--name", "X"],
                        input="x\n")
    assert bad.exit_code == 2
    person = make_facilitator()
    dup = runner.invoke(args=["create-facilitator", person.email, "--name", "X"],
                        input=f"{DEFAULT_PASSWORD}\n{DEFAULT_PASSWORD}\n")
    assert dup.exit_code == 1
    assert "already an account" in dup.output


def test_create_facilitator_refuses_short_password(app, runner):
    result = runner.invoke(args=["create-facilitator", "a@example.org", "--name", "A"],
                           input="short\nshort\n")
    assert result.exit_code != 0
    assert "Use at least 10 characters." in result.output
    with app.app_context():
        from convo.models import Facilitator

        assert Facilitator.count() == 0


def test_create_facilitator_refuses_mismatched_confirmation(app, runner):
    result = runner.invoke(args=["create-facilitator", "a@example.org", "--name", "A"],
                           input=f"{DEFAULT_PASSWORD}\nsomething else entirely\n")
    assert result.exit_code != 0
    with app.app_context():
        from convo.models import Facilitator

        assert Facilitator.count() == 0
