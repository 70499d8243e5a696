"""Alembic environment, run through Flask-Migrate (`convo db upgrade`) inside the app."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import convo.models  # noqa: F401  (registers every table on the metadata)

config = context.config

# Keep the app's own loggers working when migrations run inside the app (tests, make run).
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    return target_db.engine


config.set_main_option(
    "sqlalchemy.url",
    get_engine().url.render_as_string(hide_password=False).replace("%", "%%"),
)


def run_migrations_offline():
    """Write SQL to standard output instead of running it (`convo db upgrade --sql`)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # `convo db migrate` with no model changes writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    with get_engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode changes a SQLite table by copying it and dropping the old one; with
            # foreign keys on, that drop deletes every row hanging off it by ON DELETE
            # CASCADE (a conversation's stages, points, ratings...).  Off for the migration
            # (it can only be changed outside a transaction), checked and back on after.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            context.configure(connection=connection, target_metadata=target_db.metadata,
                              **conf_args)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left rows whose references are broken: "
                                       f"{broken[:5]}")
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
