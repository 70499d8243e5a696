"""The summary documents: convo's PDF against WeasyPrint alone and against LibreOffice, the
Word file, and a large conversation's time and peak memory.

"convo's PDF" is the whole path from the stored conversation to bytes: a fresh database
session loads the issued conversation, build() makes the Summary, render_pdf() the PDF.
"WeasyPrint alone" renders the very HTML render_pdf gives it, with the same options
(convo.summary.render_pdf.pdf_options: the parsed stylesheet, the font configuration and
PDF/UA-1).  The two are timed turn about, so a noisy machine slows both alike.

The large conversation runs in a child process per document (`documents.py child ...`) so
that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a script: the child process
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Instance, Settings, log, make_app, median, timed  # noqa: E402

LARGE_ITEMS = 300
LARGE_ACTIONS = 40


# --- the stored conversation to bytes -----------------------------------------------------


def issued_summary(conversation_id: int):  # type: ignore[no-untyped-def]
    """The Summary of the conversation's latest issued version, loaded afresh (app context)."""
    from convo.extensions import db
    from convo.models import Conversation
    from convo.summary import service
    from convo.summary.build import build

    db.session.remove()  # a new session: everything is read from the database again
    conversation = db.session.get(Conversation, conversation_id)
    return build(conversation, service.latest(conversation))


def convo_pdf(app, conversation_id: int) -> bytes:  # type: ignore[no-untyped-def]
    from convo.summary.render_pdf import render_pdf

    with app.app_context():
        return render_pdf(issued_summary(conversation_id))


def convo_docx(app, conversation_id: int) -> bytes:  # type: ignore[no-untyped-def]
    from convo.summary.render_docx import render_docx

    with app.app_context():
        return render_docx(issued_summary(conversation_id))


def weasyprint_alone(html: str) -> bytes:
    import weasyprint

    from convo.summary.render_pdf import BASE_URL, pdf_options, url_fetcher

    return weasyprint.HTML(string=html, base_url=BASE_URL,
                           url_fetcher=url_fetcher()).write_pdf(**pdf_options())


# --- LibreOffice ---------------------------------------------------------------------------


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise RuntimeError("LibreOffice (soffice) is not installed: `scripts/system-packages.sh "
                           "test` installs libreoffice-writer-nogui")
    return found


def libreoffice_seconds(docx: Path, runs: int, work: Path) -> list[float]:
    """Time `soffice --headless --convert-to pdf` on the file; the first (profile-making)
    run is not counted.  Each run is its own process group, killed if it outlives 90 s."""
    profile = work / "lo-profile"
    out = work / "lo-out"
    out.mkdir(parents=True, exist_ok=True)
    command = [_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--convert-to", "pdf", "--outdir", str(out), str(docx)]
    times = []
    for n in range(runs + 1):
        t0 = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            process.wait(timeout=90)
        finally:
            try:  # anything it left behind in its own group (soffice.bin, oosplash)
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if process.poll() is None:
                process.wait()
        elapsed = time.perf_counter() - t0
        produced = out / (docx.stem + ".pdf")
        if process.returncode != 0 or not produced.exists():
            raise RuntimeError(f"LibreOffice failed to convert {docx} ({process.returncode})")
        produced.unlink()
        if n:
            times.append(elapsed)
    return times


# --- a large conversation ------------------------------------------------------------------


def create_large(app) -> int:  # type: ignore[no-untyped-def]
    """A conversation with 300 points (40 of them agreed actions), six people, ratings and a
    draft, stored through the app's own functions, approved and issued."""
    from convo.conversations import capture, service
    from convo.ratings import service as ratings
    from convo.demo.build import add_people_and_start, draft_words, load_demo
    from convo.extensions import db
    from convo.live import state
    from convo.models import Facilitator
    from convo.questions.registry import registry
    from convo.summary import service as summary_service

    data = load_demo()
    with app.app_context():
        facilitator = db.session.scalars(db.select(Facilitator)).first()
        question_set = registry().get(data["question_set"])
        starts = datetime(2021, 9, 14, 10, 0, tzinfo=ZoneInfo("Europe/London"))
        conversation = service.create(facilitator, service.Details(
            partnership_name="Northfield and Riverside Big Local",
            partnership_area="Northfield, Exampletown", agency_name="Exampletown Primary Care "
            "Network", agency_type=data["agency"]["type"], agency_subtype=None,
            purpose=data["purpose"], starts_at=starts.astimezone(ZoneInfo("UTC")),
            place=data.get("place"), video_link=None, question_set_id=question_set.id),
            question_set)
        people = add_people_and_start(conversation, data, data["participants"] + [
            {"name": "Morgan Ellis", "role": "Resident member", "party": "partnership"}])
        author = capture.Author(facilitator_id=facilitator.id)
        points = data["points"]
        for n in range(LARGE_ITEMS - LARGE_ACTIONS):
            stage, kind, raised_by, text = points[n % len(points)]
            state.go_to(conversation, stage, None)
            capture.add(conversation, client_id=f"large-{n}", text=f"{text} ({n + 1})",
                        kind=kind, raised_by=raised_by, stage_id=stage, question_id=None,
                        author=author)
        state.go_to(conversation, "actions", None)
        actions = data["actions"]
        for n in range(LARGE_ACTIONS):
            action = actions[n % len(actions)]
            item, _ = capture.add(conversation, client_id=f"large-action-{n}",
                                  text=f"{action['what']} ({n + 1})", kind="action",
                                  raised_by="both", stage_id="actions", question_id=None,
                                  author=author)
            owner = people[n % len(people)]
            capture.set_action(conversation, item, capture.ActionDetails(
                owner_name=None, owner_participant_id=owner.id, owner_party=owner.party,
                due_date=date(2021, 10, 1) + timedelta(days=7 * n) if n % 3 else None,
                due_by_next=n % 3 == 0, first_step=action.get("first_step"),
                agreed_by_both=True, status="agreed"), author)
        plan = service.plan_for(conversation)
        instrument = plan.question_set.ratings[0]
        for criterion, (partnership, agency) in data["ratings"].items():
            ratings.set_score(conversation, instrument, criterion, "now", "partnership",
                              partnership)
            ratings.set_score(conversation, instrument, criterion, "now", "agency", agency)
        for party, (now, wanted) in data["relationship"].items():
            ratings.set_relationship(conversation, plan, party, now, wanted)
        ratings.reveal(conversation, True)
        service.close(conversation)
        words = data["summary"]
        summary_service.save_draft(conversation, draft_words(words), "facilitator:bench")
        for party in ("partnership", "agency"):
            summary_service.approve(conversation, party, "facilitator:bench")
        summary_service.issue(conversation, facilitator)
        db.session.commit()
        return conversation.id


def run_sheet_seconds(app, conversation_id: int,  # type: ignore[no-untyped-def]
                      runs: int) -> tuple[list[float], int, int]:
    """The worker's job for *Make the run sheet*, its drawing part: every stage of the demo's
    plan used (ten), the sheet built from the stored conversation and drawn as PDF."""
    from flask_babel import force_locale

    from convo.conversations import runsheet
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        for row in conversation.stages:
            row.included = True
        db.session.commit()

    def once() -> bytes:
        with app.app_context():
            db.session.remove()
            row = db.session.get(Conversation, conversation_id)
            with force_locale(row.locale or "en_GB"):
                return runsheet.render_pdf(runsheet.build(row))

    data = once()  # warm: imports, fonts
    times = []
    for _ in range(runs):
        gc.collect()
        times.append(timed(once)[0])
    with app.app_context():
        stages = len(runsheet.build(db.session.get(Conversation, conversation_id)).stages)
    return times, pdf_pages(data), stages


def pdf_pages(data: bytes) -> int:
    """The page count in a PDF's page tree, looked for in the file and in its compressed
    object streams (WeasyPrint writes one /Pages root)."""
    pattern = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b")
    texts = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            texts.append(zlib.decompressobj().decompress(data[match.end():match.end() + 2**20]))
        except zlib.error:
            continue
    for text in texts:
        found = pattern.search(text)
        if found:
            return int(found.group(1) or found.group(2))
    return 0


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(instance_path: str, conversation_id: int, kind: str, repeat: int) -> dict[str, Any]:
    """In a fresh process: time `repeat` renders after one warm-up, then one more under
    tracemalloc for the Python heap's peak; the process's peak RSS comes last."""
    import tracemalloc

    app = make_app(Instance(Path(instance_path)))
    make = convo_pdf if kind == "pdf" else convo_docx
    rss_before = _rss_mb()
    first, data = timed(lambda: make(app, conversation_id))  # cold: fonts, stylesheet, imports
    times = []
    for _ in range(repeat):
        gc.collect()  # as in run(): no run pays for the one before
        times.append(timed(lambda: make(app, conversation_id))[0])
    tracemalloc.start()
    make(app, conversation_id)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds_median": median(times), "seconds_first": first, "runs": repeat,
        "bytes": len(data), "pages": pdf_pages(data) if kind == "pdf" else 0,
        "peak_python_mb": peak / 2**20, "rss_before_mb": rss_before,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(instance: Instance, conversation_id: int, kind: str, repeat: int) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "child", str(instance.path),
         str(conversation_id), kind, str(repeat)],
        capture_output=True, text=True, timeout=300, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"large-conversation child failed: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- the whole section ---------------------------------------------------------------------


def run(settings: Settings, work: Path) -> dict[str, Any]:
    from convo.demo.build import write_demo
    from convo.extensions import db
    from convo.models import Conversation
    from convo.summary.render_pdf import pdf_html

    instance = Instance(work / "documents")
    instance.path.mkdir(parents=True)
    app = make_app(instance, migrate=True)
    with app.app_context():
        write_demo(work / "demo-out")
        demo_id = db.session.scalar(db.select(Conversation.id))
        html = pdf_html(issued_summary(demo_id))

    pairs = settings.pick(15, 2)
    log(f"documents: PDF, convo vs WeasyPrint alone, {pairs} pairs")
    convo_pdf(app, demo_id)  # warm both paths: imports, fonts, parsed stylesheet
    weasyprint_alone(html)
    convo_times, alone_times, convo_cpu, alone_cpu = [], [], [], []
    for _ in range(pairs):
        # Each run starts from a collected heap: otherwise the garbage one document leaves
        # (WeasyPrint's box trees are full of cycles) is collected in the middle of the next
        # one, and whichever runs second pays for the first.
        gc.collect()
        c0 = time.process_time()
        t, pdf = timed(lambda: convo_pdf(app, demo_id))
        c1 = time.process_time()
        gc.collect()
        c2 = time.process_time()
        alone_times.append(timed(lambda: weasyprint_alone(html))[0])
        alone_cpu.append(time.process_time() - c2)
        convo_times.append(t)
        convo_cpu.append(c1 - c0)
    pdf_seconds = median(convo_times)
    pages = pdf_pages(pdf)

    docx_runs = settings.pick(9, 2)
    log(f"documents: Word, {docx_runs} runs")
    docx_data = convo_docx(app, demo_id)
    docx_times = []
    for _ in range(docx_runs):
        gc.collect()
        docx_times.append(timed(lambda: convo_docx(app, demo_id))[0])
    docx_file = work / "demo-summary.docx"
    docx_file.write_bytes(docx_data)

    sheet_runs = settings.pick(9, 2)
    log(f"documents: the run sheet of a 10-stage plan, {sheet_runs} runs (+1 warm-up)")
    sheet_times, sheet_pages, sheet_stages = run_sheet_seconds(app, demo_id, sheet_runs)

    lo_runs = settings.pick(5, 1)
    log(f"documents: LibreOffice converts convo's Word file, {lo_runs} runs (+1 warm-up)")
    lo_times = libreoffice_seconds(docx_file, lo_runs, work)

    log("documents: a large conversation (300 points, 40 actions)")
    large_id = create_large(app)
    large_repeat = settings.pick(3, 1)
    large_pdf = run_child(instance, large_id, "pdf", large_repeat)
    large_docx = run_child(instance, large_id, "docx", large_repeat)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

    return {
        # Both run in this one thread, so their CPU time is their wall time on an idle
        # machine, and it does not grow when other programs take the CPU: the ratio holds on
        # a busy machine.  The wall-time ratio is written beside it.
        "pdf_overhead_ratio": median(convo_cpu) / median(alone_cpu),
        "pdf_overhead_ratio_wall": pdf_seconds / median(alone_times),
        "pdf_cpu_seconds_median": median(convo_cpu),
        "weasyprint_alone_cpu_seconds_median": median(alone_cpu),
        "pdf_vs_libreoffice_speedup": median(lo_times) / pdf_seconds,
        "docx_seconds_median": median(docx_times),
        "pdf_seconds_median": pdf_seconds,
        "weasyprint_alone_seconds_median": median(alone_times),
        "libreoffice_seconds_median": median(lo_times),
        "run_sheet_pdf_seconds_median": median(sheet_times),
        "run_sheet_pdf_pages": sheet_pages,
        "run_sheet_stages": sheet_stages,
        "pdf_pages": pages,
        "pdf_bytes": len(pdf),
        "docx_bytes": len(docx_data),
        "large_pdf_seconds": large_pdf["seconds_median"],
        "large_pdf_pages": large_pdf["pages"],
        "large_pdf_peak_python_mb": large_pdf["peak_python_mb"],
        "large_pdf_maxrss_mb": large_pdf["maxrss_mb"],
        "large_pdf_rss_before_mb": large_pdf["rss_before_mb"],
        "large_docx_seconds": large_docx["seconds_median"],
        "large_docx_peak_python_mb": large_docx["peak_python_mb"],
        "large_docx_maxrss_mb": large_docx["maxrss_mb"],
        "large_docx_rss_before_mb": large_docx["rss_before_mb"],
        "documents_runs": {"pdf_pairs": pairs, "docx": docx_runs, "run_sheet": sheet_runs,
                           "libreoffice": lo_runs,
                           "large": large_repeat},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("child")
    c.add_argument("instance")
    c.add_argument("conversation", type=int)
    c.add_argument("kind", choices=("pdf", "docx"))
    c.add_argument("repeat", type=int)
    args = parser.parse_args()
    print(json.dumps(child(args.instance, args.conversation, args.kind, args.repeat)))


if __name__ == "__main__":
    main()
