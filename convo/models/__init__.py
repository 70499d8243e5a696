"""The models, one aggregate per file.  Importing this module registers them all."""

from convo.models.capture import Item, ItemRevision
from convo.models.conversation import (AddedQuestion, Conversation, ConversationStage, Device,
                                       Participant)
from convo.models.facilitator import AccountToken, Facilitator, FacilitatorSession
from convo.models.history import TextRevision
from convo.models.rating import Rating, RelationshipChoice
from convo.models.queue import QueueWorker
from convo.models.snapshot import QuestionSetSnapshot
from convo.models.summary import (SummaryApproval, SummaryDraft, SummaryIssue, SummarySend,
                                  SummaryVersion)
from convo.models.throttle import JoinGuesses, Throttle

__all__ = [
    "AccountToken", "AddedQuestion", "Conversation", "ConversationStage", "Device",
    "Facilitator", "FacilitatorSession", "Item", "ItemRevision", "JoinGuesses", "Participant",
    "QuestionSetSnapshot", "QueueWorker", "Rating", "RelationshipChoice", "SummaryApproval",
    "SummaryDraft", "SummaryIssue", "SummarySend", "SummaryVersion", "TextRevision", "Throttle",
]
