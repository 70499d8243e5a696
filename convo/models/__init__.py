"""The models, one aggregate per file.  Importing this module registers them all."""

from convo.models.facilitator import AccountToken, Facilitator
from convo.models.throttle import Throttle

__all__ = ["AccountToken", "Facilitator", "Throttle"]
