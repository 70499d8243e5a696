"""Question sets: the YAML format, its loader and checker, the app's registry and pages.

The rest of the app uses the registry (see registry.py)::

    from convo.questions.registry import registry
    registry().get("health")          # QuestionSet | None
    registry().all()                  # every available set, shipped and custom
    registry().for_agency_type("health")
"""
