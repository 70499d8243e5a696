"""Build the demo conversation through the same functions the app uses, then issue its summary."""

from __future__ import annotations

import shutil
from typing import Any
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from convo.conversations import capture, service
from convo.extensions import db
from convo.live import state
from convo.models import Conversation, Participant
from convo.questions.registry import registry
from convo.ratings import service as ratings

DEMO_FILE = Path(__file__).with_name("ccg_conversation.yaml")


def load_demo() -> dict:  # type: ignore[type-arg]
    with DEMO_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def add_people_and_start(conversation: Conversation, data: dict,  # type: ignore[type-arg]
                         participants: list[dict]) -> list[Participant]:  # type: ignore[type-arg]
    """Invite the people, start the conversation and record the demo's agreement; the
    participants, in order."""
    people = [service.add_participant(
        conversation, name=person["name"], role=person["role"], party=person["party"],
        email=person.get("email"), may_be_named=person.get("named", True))
        for person in participants]
    service.start(conversation)
    agreement = data["agreement"]
    conversation.ground_rules = agreement["ground_rules"]
    conversation.contacts = agreement["contacts"]
    conversation.meeting_rhythm = agreement["meeting_rhythm"]
    conversation.next_conversation = agreement["next_conversation"]
    return people


def create_demo_conversation() -> Conversation:
    """The demo conversation, stored in the current app's database (a throwaway one)."""
    from convo.auth import service as accounts
    from convo.models import Facilitator

    data = load_demo()
    facilitator = accounts.create_facilitator("demo@convo.invalid", data["facilitator"])
    question_set = registry().get(data["question_set"])
    assert question_set is not None, "the shipped health set is missing"
    starts = datetime.fromisoformat(data["starts_at"]).replace(tzinfo=ZoneInfo("Europe/London"))
    conversation = service.create(facilitator, service.Details(
        partnership_name=data["partnership"]["name"],
        partnership_area=data["partnership"].get("area"),
        agency_name=data["agency"]["name"], agency_type=data["agency"]["type"],
        agency_subtype=data["agency"].get("subtype"), purpose=data["purpose"],
        starts_at=starts.astimezone(ZoneInfo("UTC")), place=data.get("place"), video_link=None,
        question_set_id=question_set.id), question_set)
    people = {p.name: p for p in add_people_and_start(conversation, data, data["participants"])}
    author = capture.Author(facilitator_id=db.session.get(Facilitator, facilitator.id).id)
    for n, (stage, kind, raised_by, text) in enumerate(data["points"]):
        state.go_to(conversation, stage, None)
        capture.add(conversation, client_id=f"demo-{n}", text=text, kind=kind,
                    raised_by=raised_by, stage_id=stage, question_id=None, author=author)
    state.go_to(conversation, "actions", None)
    for n, action in enumerate(data["actions"]):
        item, _ = capture.add(conversation, client_id=f"demo-action-{n}", text=action["what"],
                              kind="action", raised_by="both", stage_id="actions",
                              question_id=None, author=author)
        linked = people.get(action.get("owner_participant", ""))
        capture.set_action(conversation, item, capture.ActionDetails(
            owner_name=action.get("owner") or (linked.public_name if linked else None),
            owner_participant_id=linked.id if linked else None,
            owner_party=action.get("party"),
            due_date=date.fromisoformat(action["due"]) if action.get("due") else None,
            due_by_next=bool(action.get("due_by_next")), first_step=action.get("first_step"),
            agreed_by_both=bool(action.get("agreed_by_both")), status="agreed"), author)
    plan = service.plan_for(conversation)
    instrument = plan.question_set.ratings[0]
    for criterion, (partnership, agency) in data["ratings"].items():
        ratings.set_score(conversation, instrument, criterion, "now", "partnership", partnership)
        ratings.set_score(conversation, instrument, criterion, "now", "agency", agency)
    for party, (now, wanted) in data["relationship"].items():
        ratings.set_relationship(conversation, plan, party, now, wanted)
    ratings.reveal(conversation, True)
    service.close(conversation)
    return conversation


def draft_words(words: dict[str, Any]) -> dict[str, str]:
    """The demo's summary words as the draft's fields (summary.service.draft_fields)."""
    fields = {"introduction": words["introduction"], "closing": words["closing"]}
    fields.update({f"narrative-{key}": text for key, text in words["narratives"].items()})
    return fields


def write_demo(out: Path) -> tuple[Path, Path]:
    """Create the demo conversation, approve and issue its summary, copy the files to out."""
    from convo.summary import service as summary_service

    data = load_demo()
    conversation = create_demo_conversation()
    words = data["summary"]
    summary_service.save_draft(conversation, draft_words(words), "facilitator:demo")
    for party in ("partnership", "agency"):
        summary_service.approve(conversation, party, "facilitator:demo")
    from convo.models import Facilitator

    version = summary_service.issue(conversation,
                                    db.session.get(Facilitator, conversation.facilitator_id))
    db.session.commit()
    out.mkdir(parents=True, exist_ok=True)
    root = summary_service.export_root()
    pdf, docx = out / "summary.pdf", out / "summary.docx"
    shutil.copyfile(root / version.pdf_file, pdf)
    shutil.copyfile(root / version.docx_file, docx)
    return pdf, docx
