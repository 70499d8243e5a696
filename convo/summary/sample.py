"""A complete Summary with realistic content, made without a database: for renderer tests,
template previews and benchmarks.  `hostile=True` fills it with text that tries to break
documents: markup, ampersands and quotes, emoji, right-to-left names, a 2,000-character word
and control characters."""

from __future__ import annotations

from convo.ratings.chart import describe, ratings_svg
from convo.ratings.compare import Comparison, ComparisonRow
from convo.summary.model import (ActionRow, AppendixStage, Approval, PartyPeople, Person,
                                 Point, RatingRow, RatingsBlock, RelationshipView, Section,
                                 Summary)

LABELS_EN = {
    "who_took_part": "Who took part",
    "facilitator": "Facilitator",
    "date": "Date",
    "time": "Time",
    "place": "Place",
    "introduction": "Introduction",
    "purpose": "Why we met",
    "ground_rules": "What we agreed about the conversation",
    "how_well": "How well we work together",
    "ratings_intro": "Each side rated the relationship separately, before seeing the other's "
                     "ratings. The scale runs from {low} to {high}.",
    "criterion": "What we rated",
    "difference": "Difference",
    "biggest": "The biggest differences",
    "rating_column": "When",
    "relationship_type": "What kind of relationship",
    "relationship_now": "It is now",
    "relationship_wanted": "We want it to become",
    "actions": "Agreed actions",
    "action": "Action",
    "owner": "Who",
    "party": "Which side",
    "by_when": "By when",
    "first_step": "First step",
    "agreed_by_both": "Agreed by both sides",
    "keeping_in_touch": "How we keep in touch",
    "contacts": "Points of contact",
    "meeting_rhythm": "How often we meet",
    "next_conversation": "Next conversation",
    "approvals": "Approval",
    "appendix": "Appendix: the questions we used",
    "appendix_asked": ("The questions we asked in each stage, and how long each stage took "
                       "against the plan. For the facilitator's own learning."),
    "appendix_added": "added on the day",
    "appendix_minutes": "Planned {planned} min, took {actual} min",
    "appendix_not_reached": "Not reached",
    "page": "Page",
    "of": "of",
    "raised_by": "Raised by",
    "not_said": "Not said",
    "no_score": "No score",
    "last_time": "Last time: {score}",
    "earlier_actions": "Actions from last time",
    "action_stands": "How it stands",
    "chart_alt": "Chart of both sides' ratings",
    "status": "Status",
    "change_note": "What changed",
    "biggest_marker": "Biggest difference",
    "commitment": "How sure: {score} out of 10",
    "both_low_marker": "Both see a weakness",
    "both_low": "Where both sides see a weakness",
    "biggest_one": "The biggest difference",
    "details": "About this conversation",
    "chart_alt_biggest": "The biggest differences are in {list}.",
    "chart_alt_close": "The two sides' scores are close.",
    "chart_alt_both_low": "Both sides see a weakness in {list}.",
    "chart_alt_table": "Every score is in the table below.",
    "keywords": "facilitated conversation; community partnership; agreed actions; summary",
}


def _comparison(hostile: bool) -> Comparison:
    criteria = [
        ("mutual_knowledge", "Mutual knowledge", 3, 2),
        ("understanding", "Understanding", 3, 3),
        ("trust", "Trust", 2, 4),
        ("respect", "Respect", 4, 4),
        ("common_language", "Common language", 2, 3),
        ("shared_goals", "Shared goals", 4, 4),
        ("defined_roles", "Defined roles, willing to be flexible", 2, 2),
        ("capacity", "Capacity to follow through", 1, 3),
    ]
    if hostile:
        criteria[0] = ("mutual_knowledge", "<b>Knowledge</b> & \"trust\" ⚖️ معرفة", 3, 2)
    rows = tuple(ComparisonRow(cid, title, "", "now", float(p), float(a))
                 for cid, title, p, a in criteria)
    return Comparison(instrument=None, title="How well are we working together?",  # type: ignore[arg-type]
                      columns=("now",), scale_min=1, scale_max=5,
                      labels={1: "Not at all", 2: "A little", 3: "Partly", 4: "Mostly",
                              5: "Fully"},
                      rows=rows, biggest=("trust", "capacity"))


def sample_summary(hostile: bool = False) -> Summary:
    partnership = "Riverside Big Local"
    agency = "Exampletown Primary Care Network"
    weird = ""
    if hostile:
        partnership = "<script>alert('x')</script> Riverside & Co \"Big\" Local 🎉"
        agency = "שירותי בריאות Exampletown"
        weird = " " + "A" * 2000 + " tab\there nul\x00 bell\x07 end"
    comparison = _comparison(hostile)
    svg = ratings_svg(comparison, partnership_label=partnership, agency_label=agency,
                      title=comparison.title, id_prefix="sample")
    description = describe(comparison, partnership_label=partnership, agency_label=agency)
    block = RatingsBlock(
        title=comparison.title, scale_min=1, scale_max=5,
        scale_labels=tuple(sorted(comparison.labels.items())), columns=("Now",),
        rows=tuple(RatingRow(r.title, "One short plain description.", "", r.partnership,
                             r.agency, r.difference, r.criterion_id in comparison.biggest)
                   for r in comparison.rows),
        biggest=("Trust", "Capacity to follow through"), chart_svg=str(svg),
        chart_title=comparison.title, chart_description=str(description))

    def section(key: str, title: str, narrative: str, points: list[tuple[str, str]]) -> Section:
        return Section(key, title, narrative + weird if narrative else "",
                       tuple(Point(text + (weird if hostile and i == 0 else ""), by)
                             for i, (text, by) in enumerate(points)))

    return Summary(
        title=f"{partnership} and {agency}",
        subtitle="Summary of our conversation",
        partnership=partnership,
        agency=agency,
        agency_kind="Health agency: Primary Care Network (PCN)",
        date_text="Tuesday 14 September 2021",
        time_text="10:00",
        place="Riverside Community Hub",
        facilitator="Sam Facilitator",
        locale="en_GB",
        status_text="Draft",
        version=None,
        change_note="",
        file_stem="summary-riverside-big-local-exampletown-primary-care-network",
        people=(
            PartyPeople("partnership", partnership, (
                Person("Pat Okafor", "Partnership chair", True),
                Person("Sam Reid", "Community worker", True))),
            PartyPeople("agency", agency, (
                Person("Dr Alex Moore", "Clinical director", True),
                Person("Primary Care Network manager", "Primary Care Network manager", False))),
        ),
        introduction=("This is the summary of the first facilitated conversation between the "
                      "partnership and the Primary Care Network. Both sides read it together "
                      "at the end of the conversation and approved it." + weird),
        purpose="To understand each other's priorities, and what we can ask each other for.",
        ground_rules="No individual patients' cases. History is heard, not unpicked. "
                     "Nothing is sent until both sides approve the summary.",
        working_towards=section("working_towards", "What each of us is working towards",
                                "Both sides want people to wait well and to stay well.", [
                                    ("Residents to be heard early, not after a crisis", partnership),
                                    ("Understanding that health is wider than the surgery", agency)]),
        community=section("community", "What is happening in the community", "", [
            ("Long waits for procedures, with little news while people wait", partnership),
            ("The hub is trusted and busy on weekday mornings", "Both")]),
        how_well=section("how_well", "How well we work together",
                         "We talked most about trust and capacity, where our ratings differed.",
                         [("Trust is growing, but it rests on two people", partnership)]),
        ratings=(block,),
        relationship=(RelationshipView(partnership, "Clients and contractors", "Powerful allies"),
                      RelationshipView(agency, "Friends and acquaintances", "Powerful allies")),
        challenges=section("challenges", "Challenges", "", [
            ("'Waiting well' while the backlog of appointments is cleared", "Both"),
            ("Long COVID", agency), ("The crisis in homecare", "Both")]),
        opportunities=section("opportunities", "Opportunities", "", [
            ("Strengthen social prescribing and prevent deterioration", agency),
            ("Support community assets, including people's own experience", partnership),
            ("A new shared culture based on trust", "Both")]),
        actions=(
            ActionRow("Invite the social prescribing link worker to the hub", "Pat Okafor",
                      partnership, "15 October 2021", "Email the practice manager", True,
                      "Agreed"),
            ActionRow("Share the PCN's plan for waiting well", "Primary Care Network manager",
                      agency, "By the next conversation", "", True, "Agreed"),
            ActionRow("Map health-related groups that meet at the hub" + weird, "Sam Reid",
                      partnership, "", "", False, "In progress"),
        ),
        actions_narrative="Start small: three things we can do before we meet again.",
        keeping_in_touch=section("keeping_in_touch", "How we keep in touch", "", []),
        contacts="Pat Okafor for the partnership; the Primary Care Network manager for the PCN.",
        meeting_rhythm="Every two months, at the hub.",
        next_conversation="January 2022",
        follow_ups=section("follow_ups", "Questions to follow up", "", [
            ("Who funds the social prescribing posts after March?", partnership)]),
        other=Section("other", "Other points"),
        closing=section("closing", "To close", "Both sides said the conversation was a real "
                        "start.", [("Take the jigsaw pieces and see the picture", agency)]),
        approvals=(Approval(partnership, True, "Approved on 14 September 2021"),
                   Approval(agency, True, "Approved on 15 September 2021")),
        appendix=(
            AppendixStage("What is happening here", (
                "What is happening in the community right now that affects people's health "
                "and wellbeing?",)),
            AppendixStage("Challenges", ("What are the most pressing health issues here?",)),
        ),
        labels=dict(LABELS_EN),
    )


_SUBJECTS = ("Residents want to hear more about", "The practice manager will look into",
             "Both sides agreed to keep an eye on", "The hub's volunteers can help with",
             "The council's team mentioned", "Nobody yet knows who leads on",
             "Young carers raised", "The Tuesday group asked about", "Older residents worry about",
             "The link worker offered to explain")
_TOPICS = ("waiting times for hip and knee operations", "the walking group on Thursdays",
           "transport to the hospital", "the food bank's new opening hours",
           "how to book a GP appointment online", "the damp in the flats on Mill Road",
           "loneliness after a stay in hospital", "the community fridge",
           "mental health support for teenagers", "the pharmacy closing at lunchtime",
           "the hub's heating bills", "the bus that no longer runs on Sundays",
           "the school holiday lunch club", "who answers the phone at the surgery",
           "the leaflet about social prescribing", "parking at the health centre",
           "the benefits advice sessions", "a space for carers to meet",
           "long COVID clinic referrals", "the garden project's volunteers",
           "translation at appointments", "the men's shed", "repeat prescriptions",
           "the defibrillator outside the hub", "what the PCN's new roles do",
           "the dementia café", "flu jabs at the hub", "the youth club's future",
           "the health walk leaders' training", "the allotment waiting list")


def large_summary(points: int = 300, actions: int = 40) -> Summary:
    """The sample grown to a long conversation: `points` points spread over the sections
    and `actions` agreed actions (for document checks and benchmarks)."""
    import dataclasses

    base = sample_summary()
    keys = ("working_towards", "community", "how_well", "challenges", "opportunities",
            "follow_ups", "closing")
    sides = (base.partnership, base.agency, "Both")
    grown = {}
    for index, key in enumerate(keys):
        section: Section = getattr(base, key)
        share = points // len(keys) + (1 if index < points % len(keys) else 0)
        extra = tuple(Point(f"{_SUBJECTS[n % len(_SUBJECTS)]} {_TOPICS[n // len(_SUBJECTS) % len(_TOPICS)]}"
                            f" ({section.title.lower()}, point {n + 1})", sides[n % 3])
                      for n in range(share - len(section.points)))
        grown[key] = dataclasses.replace(section, points=section.points + extra)
    owners = ("Pat Okafor", "Sam Reid", "Dr Alex Moore", "Primary Care Network manager")
    rows = tuple(ActionRow(f"Find out more about {_TOPICS[n % len(_TOPICS)]} ({n + 1})",
                           owners[n % 4], sides[n % 3], f"{n % 28 + 1} October 2021",
                           "Email the practice manager" if n % 2 else "", n % 3 == 0,
                           "Agreed", n % 11 if n % 4 else None)
                 for n in range(actions))
    return dataclasses.replace(base, actions=rows, **grown)


def arabic_summary() -> Summary:
    """The sample with the parties, people and what was said in Arabic (right to left); the
    document's own words stay in English, as when a conversation is held in English with an
    Arabic-speaking community and its words recorded as said."""
    import dataclasses

    base = sample_summary()
    partnership, agency = "شراكة ريفرسايد المحلية", "شبكة الرعاية الأولية في إكزامبل تاون"
    said = ("نريد أن يسمع صوت السكان مبكرا، لا بعد الأزمة",
            "فترات الانتظار طويلة والأخبار قليلة",
            "المركز موثوق ومزدحم في صباح أيام الأسبوع",
            "الثقة تنمو لكنها تعتمد على شخصين")

    def arabic(section: Section) -> Section:
        if section.empty:
            return section
        points = tuple(Point(said[n % len(said)], (partnership, agency, "Both")[n % 3])
                       for n in range(max(2, len(section.points))))
        return dataclasses.replace(section, narrative="تحدثنا عن الانتظار والمركز والثقة."
                                   if section.narrative else "", points=points)

    keys = ("working_towards", "community", "how_well", "challenges", "opportunities",
            "follow_ups", "closing")
    people = (
        PartyPeople("partnership", partnership, (Person("فاطمة حسن", "رئيسة الشراكة", True),
                                                 Person("يوسف علي", "عامل مجتمعي", True))),
        PartyPeople("agency", agency, (Person("د. سارة خان", "المديرة السريرية", True),)),
    )
    return dataclasses.replace(
        base, title=f"{partnership} و{agency}", partnership=partnership, agency=agency,
        people=people, place="مركز ريفرسايد المجتمعي", purpose="أن نفهم أولويات بعضنا.",
        relationship=(RelationshipView(partnership, "عملاء ومقاولون", "حلفاء أقوياء"),
                      RelationshipView(agency, "أصدقاء ومعارف", "حلفاء أقوياء")),
        actions=(ActionRow("دعوة عامل الوصفات الاجتماعية إلى المركز", "فاطمة حسن", partnership,
                           "15 October 2021", "مراسلة مدير العيادة", True, "Agreed"),
                 ActionRow("مشاركة خطة الانتظار الجيد", "د. سارة خان", agency,
                           "By the next conversation", "", True, "Agreed")),
        contacts="فاطمة حسن للشراكة", meeting_rhythm="كل شهرين في المركز",
        approvals=(Approval(partnership, True, "Approved on 14 September 2021"),
                   Approval(agency, True, "Approved on 15 September 2021")),
        **{key: arabic(getattr(base, key)) for key in keys})
