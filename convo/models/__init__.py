"""The models, one aggregate per file.  Importing this module registers them all."""

from convo.models.capture import ActionUpdate, Item, ItemRevision
from convo.models.conversation import (AddedQuestion, AskedQuestion, Conversation,
                                       ConversationStage, Device, Participant)
from convo.models.facilitator import AccountToken, Facilitator, FacilitatorSession
from convo.models.history import TextRevision
from convo.models.mapping import MappingMember, MappingScore, MappingSession
from convo.models.partnership import (MapPrint, MapScore, Partnership, PartnershipFacilitator,
                                      PartnershipRevision, Relationship)
from convo.models.rating import Rating, RelationshipChoice
from convo.models.queue import QueueWorker
from convo.models.reminder import CalendarInvite, ReminderLink, ReminderOptOut, ReminderSend
from convo.models.snapshot import QuestionSetSnapshot
from convo.models.summary import (SummaryApproval, SummaryDraft, SummaryIssue, SummarySend,
                                  SummaryVersion)
from convo.models.throttle import JoinGuesses, Throttle

__all__ = [
    "AccountToken", "ActionUpdate", "AddedQuestion", "AskedQuestion", "CalendarInvite",
    "Conversation",
    "ConversationStage", "Device", "Facilitator", "FacilitatorSession", "Item", "ItemRevision",
    "JoinGuesses", "MapPrint", "MappingMember", "MappingScore", "MappingSession", "MapScore", "Participant", "Partnership", "PartnershipFacilitator",
    "PartnershipRevision", "QuestionSetSnapshot", "QueueWorker", "Rating", "Relationship",
    "RelationshipChoice", "ReminderLink", "ReminderOptOut", "ReminderSend", "SummaryApproval",
    "SummaryDraft", "SummaryIssue", "SummarySend", "SummaryVersion", "TextRevision", "Throttle",
]
