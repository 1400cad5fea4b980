"""How a run ends: the sources an answer quotes, or refusal, not found, out of scope, hand-off."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Generator, Iterator
from dataclasses import replace
from typing import Any

from nikdesk.agent.compose import quote_lines, with_highlight
from nikdesk.agent.policy import Verdict
from nikdesk.agent.state import RunState
from nikdesk.agent.texts import templates
from nikdesk.agent.tools import Toolbox
from nikdesk.core.events import Done, Event, Outcome, Source, Sources, Token
from nikdesk.storage.runs import RunStore

log = logging.getLogger(__name__)


def finish_without_answer(
    store: RunStore,
    state: RunState,
    verdict: Verdict,
    provider: str,
    streamed: bool = False,
    related: tuple[Source, ...] = (),
    *,
    query: str,
) -> Generator[Event, None, None]:
    """Yield the no-answer text and ``done`` (with a hand-off offer, but for small talk).

    ``related``: the closest passages, quoted under "Siehe auch" (and listed as sources)
    so the technician can look further — never presented as the answer; ``query``: what
    they were found for (see :meth:`Agent._query`).
    """
    t = templates(state.language)
    if verdict.small_talk:
        outcome, text = Outcome.NOT_FOUND, t[f"small_talk_{verdict.small_talk}"]
    elif verdict.outcome == Outcome.REFUSED:
        outcome, text = Outcome.REFUSED, t["refused"]
    elif verdict.scope:
        outcome, text = Outcome.NOT_FOUND, t["out_of_scope"]
    elif verdict.general:
        outcome = Outcome.NOT_FOUND
        text = t["not_found_general"].format(topics=", ".join(verdict.general))
    elif verdict.interface_only:
        outcome = Outcome.NOT_FOUND
        text = t["not_found_interface"].format(devices=", ".join(verdict.devices))
    elif verdict.unknown:
        outcome = Outcome.NOT_FOUND
        words = ", ".join(t["quoted_word"].format(word=w) for w in verdict.unknown)
        text = t["not_found_words"].format(words=words)
    elif verdict.missing:
        outcome, text = Outcome.NOT_FOUND, t["not_found_value"].format(what=verdict.missing)
    elif verdict.devices:
        outcome = Outcome.NOT_FOUND
        text = t["not_found_devices"].format(devices=", ".join(verdict.devices))
    else:
        outcome, text = Outcome.NOT_FOUND, t["not_found"]
    if related and outcome == Outcome.NOT_FOUND:
        seen = quote_lines(list(related), query, t)
        text = f"{text}\n\n{t['see_also']}\n\n{seen}"
    handoff_id = None
    if not verdict.small_talk:  # "Danke!", "Hallo": nothing went unanswered
        text = f"{text}\n\n{t['handoff_offer']}"
        handoff_id = offer_handoff(store, state, outcome, verdict.reason, text)
    if streamed:
        text = "\n\n" + text  # after whatever the model already streamed
    for piece in pieces(text):
        yield Token(piece)
    yield Sources(related if outcome == Outcome.NOT_FOUND else ())
    yield Done(outcome, provider, text.strip(), handoff_id=handoff_id)


def offer_handoff(
    store: RunStore, state: RunState, outcome: str, reason: str, text: str
) -> str | None:
    """Record the case for human support (status "offered"); return its id."""
    record: dict[str, Any] = {
        "question": state.question,
        "reply": state.reply,
        "photos": [state.image] if state.image else [],
        "photo_text": state.photo_text,
        "answer": text,
        "outcome": outcome,
        "searches": [json.loads(s)[0] for s in state.searches],
        "transcript": [m for m in state.messages if m.get("role") != "system"],
    }
    try:
        return store.create_handoff(state.session_id, state.run_id, reason, record)
    except Exception as exc:  # a full disk must not hide the answer itself
        log.error("hand-off not recorded: %s", exc)
        return None


def pieces(text: str) -> Iterator[str]:
    """Split composed text into word-sized tokens (the UI streams them like model output)."""
    yield from re.findall(r"\S+\s*|\s+", text)


def answer_sources(
    toolbox: Toolbox, state: RunState, verdict: Verdict, refs: dict[int, Source], query: str
) -> list[Source]:
    """Return the highlighted sources quoting ``verdict.hits`` (``refs``: chunk -> source).

    A passage the verdict added (the one answering an open part) is registered first; of
    it only the lines answering that part are quoted. ``query``: what the passages were
    found for (see :meth:`Agent._query`), which picks their highlighted lines.
    """
    new = [h for h in verdict.hits if h.chunk.id not in refs]
    refs.update(
        {state.ledger.chunk_of[s.ref]: s for s in toolbox.register(state.ledger, new, query)}
    )
    parts = dict(verdict.parts)
    whole = [refs[h.chunk.id] for h in verdict.hits if h.chunk.id not in parts]
    sources: list[Source] = []
    for hit in verdict.hits:
        source = refs[hit.chunk.id]
        part = parts.get(hit.chunk.id)
        if part is not None:
            if any(_says(w, part.line) for w in whole if w.page == source.page):
                continue  # a quoted passage continued by its sequel says it already
            source = replace(source, passage="\n".join(part.lines))
        sources.append(with_highlight(source, query))
    # passages of one page are quoted under one heading (compose.quote_lines), where the
    # page ranks; among them the page's reading order: the lead-in "… are used as default
    # values:" above its rows "TCP-Port | 1502", not under them
    rank: dict[tuple[str, int], int] = {}
    for source in sources:
        rank.setdefault((source.doc_id, source.page), len(rank))
    chunk = state.ledger.chunk_of
    return sorted(sources, key=lambda s: (rank[(s.doc_id, s.page)], chunk[s.ref]))


def _says(source: Source, line: str) -> bool:
    return line.strip() in {ln.strip() for ln in source.passage.splitlines()}
