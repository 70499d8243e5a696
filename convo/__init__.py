"""convo: facilitated conversations between community partnerships and public agencies."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from convo.version import __version__

__all__ = ["create_app", "__version__"]

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints — nothing else."""
    from convo import cli, config
    from convo.auth import blueprint as auth_blueprint
    from convo.core import errors, health, i18n, inputs, requestlog, security, storage
    from convo.extensions import babel, csrf, db, login_manager, migrate
    from convo.jobs import queue
    from convo.conversations import blueprint as conversations_blueprint
    from convo.live import blueprint as live_blueprint
    from convo.partnerships import blueprint as partnerships_blueprint
    from convo.partnerships import mapping_views
    from convo.reminders import blueprint as reminders_blueprint
    from convo.questions import blueprint as questions_blueprint
    from convo.summary import blueprint as summary_blueprint

    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "CONVO_INSTANCE_PATH"
    )
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    config.load(app, test_config)

    db.init_app(app)
    storage.init_app(app)
    queue.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    inputs.init_app(app)  # before CSRF, which reads the form
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)

    i18n.init_app(app)
    security.init_app(app)
    requestlog.init_app(app)
    errors.init_app(app)

    app.register_blueprint(health.bp)
    app.register_blueprint(auth_blueprint.bp)
    app.register_blueprint(auth_blueprint.admin_bp)
    app.register_blueprint(questions_blueprint.bp)
    app.register_blueprint(live_blueprint.bp)
    app.register_blueprint(conversations_blueprint.bp)
    app.register_blueprint(summary_blueprint.bp)
    app.register_blueprint(summary_blueprint.assets)
    app.register_blueprint(partnerships_blueprint.bp)
    app.register_blueprint(mapping_views.bp)
    app.register_blueprint(reminders_blueprint.bp)
    questions_blueprint.init_app(app)
    cli.init_app(app)
    return app
