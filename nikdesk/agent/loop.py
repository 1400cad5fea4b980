"""Nik's ReAct loop: a generator of typed events over a chain of providers.

``Agent.run`` and ``Agent.resume`` yield :mod:`nikdesk.core.events`; the CLI, the desktop
app and the tests only consume them. A clarification saves the run state and ends the
generator; ``resume`` picks the run up again, also in a new process.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Generator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from nikdesk.agent.chain import ProviderChain
from nikdesk.agent.citations import CitationFilter
from nikdesk.agent.compose import compose_answer, with_highlight
from nikdesk.agent.outcomes import answer_sources, finish_without_answer, pieces
from nikdesk.agent.policy import EvidencePolicy, Verdict
from nikdesk.agent.providers import ChatModel, ProviderFailure, ToolCall
from nikdesk.agent.state import RunState
from nikdesk.agent.texts import system_prompt, templates
from nikdesk.agent.tools import TOOL_SPECS, Ledger, Toolbox, tool_start
from nikdesk.core.errors import NikDeskError
from nikdesk.core.events import (
    Clarification,
    Done,
    Error,
    Event,
    Metadata,
    Outcome,
    ProviderSwitch,
    Source,
    Sources,
    Token,
    ToolResult,
)
from nikdesk.core.paths import data_dir
from nikdesk.core.settings import Settings
from nikdesk.core.text import fold
from nikdesk.retrieval.bundle import IndexManifest
from nikdesk.retrieval.hybrid import Retriever
from nikdesk.storage.runs import RunNotFound, RunStore

log = logging.getLogger(__name__)

MAX_STEPS = 6  # model turns per run (tool calls included)
MAX_REPEATS = 2  # identical searches tolerated before the model must answer
_NOT_COVERED = re.compile(
    r"nichts in den (vorliegenden )?handb|nicht in den (vorliegenden )?(handb|unterlagen)|"
    r"manuals do not cover|not covered by the",
    re.IGNORECASE,
)

Events = Generator[Event, None, Any]


class Agent:
    """Answer technicians' questions from one index, through the best provider available."""

    def __init__(
        self,
        retriever: Retriever,
        settings: Settings | None = None,
        store: RunStore | None = None,
        documents_dirs: tuple[Path, ...] = (),
    ) -> None:
        self.settings = settings or Settings()
        self.toolbox = Toolbox(retriever, documents_dirs)
        self.policy = EvidencePolicy(retriever)
        self._store = store
        self.providers = ProviderChain(self.settings)

    @property
    def store(self) -> RunStore:
        """Return the run store (opened on first use: one-shot questions never need it)."""
        if self._store is None:
            self._store = RunStore()
        return self._store

    # -- public API ---------------------------------------------------------------------

    def run(
        self, question: str, session_id: str | None = None, image: Path | None = None
    ) -> Iterator[Event]:
        """Answer ``question`` (optionally with a photo of the display); yield events."""
        state = RunState(question=(question or "").strip(), language=self.settings.language)
        if session_id:
            state.session_id = session_id
        state.chain = self.chain()
        photo_problem = None
        if image is not None:
            try:
                state.image = str(self._keep_photo(image))
            except NikDeskError as exc:
                photo_problem = str(exc)
        if not state.question and not state.image:
            message = photo_problem or "Bitte eine Frage eingeben oder ein Foto anhängen."
            yield from self._fail(state, message)
            return
        yield Metadata(state.session_id, state.run_id, state.chain[0])
        if photo_problem:  # the text question is still answered; the photo problem is shown
            yield tool_start("read_photo", {"image": Path(image or "").name})
            yield ToolResult("read_photo", photo_problem, ok=False)
        yield from self._drive(state)

    def resume(self, run_id: str, reply: str) -> Iterator[Event]:
        """Continue a run paused for clarification with the technician's ``reply``."""
        state = RunState.from_json(self.store.load_paused(run_id))
        reply = (reply or "").strip()
        t = templates(state.language)
        # the models of one data sheet were offered, not devices (see EvidencePolicy.models_asked)
        per_model = bool((state.pending or {}).get("per_model"))
        other = t["clarify_other_model" if per_model else "clarify_other"]
        if not reply or reply.casefold() == other.casefold() or self._reply_unclear(state, reply):
            # no device given ("Anderes Gerät", "weiß nicht"): ask for it by name instead of
            # guessing from the offered ones
            state.chain = self.chain()
            state.position = 0
            yield Metadata(state.session_id, state.run_id, state.chain[0], resumed=True)
            yield from self._pause(
                state, t["clarify_name_model" if per_model else "clarify_name"], [], None
            )
            return
        state.reply = reply
        state.clarified = True
        if state.pending and state.pending.get("tool_call_id"):
            state.messages.append(
                {
                    "role": "tool",
                    "tool_call_id": state.pending["tool_call_id"],
                    "content": f"Antwort des Technikers: {state.reply}",
                }
            )
        state.pending = None
        # providers may have come or gone since the pause (network, model file)
        state.chain = self.chain()
        state.position = 0
        yield Metadata(state.session_id, state.run_id, state.chain[0], resumed=True)
        outcome = None
        for event in self._drive(state):
            if isinstance(event, Done):
                outcome = event.outcome
            yield event
        if outcome is not None and outcome != Outcome.CLARIFY:
            # only now: a crash or a cancelled answer leaves the run resumable
            self.store.finish_paused(run_id)

    @property
    def manifest(self) -> IndexManifest:
        """Return the manifest of the index the agent answers from."""
        return self.toolbox.retriever.manifest

    def locate_pdf(self, file: str) -> Path | None:
        """Return the local path of a manual of the index (for the viewer), or None."""
        return self.toolbox.locate_pdf(file)

    def expected_pdf(self, file: str) -> Path:
        """Return where a missing manual belongs (the first library folder, else the index's)."""
        return self.toolbox.expected_pdf(file)

    def paused_options(self, run_id: str) -> tuple[str, ...] | None:
        """Return the options of a still-paused clarification, or None when it is not paused."""
        try:
            state = self.store.load_paused(run_id)  # one row by key, not a scan of all paused runs
        except RunNotFound:
            return None
        return tuple((state.get("pending") or {}).get("options") or ())

    def chain(self) -> list[str]:
        """Return the providers to try now, best first; "none" (no LLM) always ends it."""
        return self.providers.names()

    def register(self, name: str, provider: ChatModel) -> None:
        """Use ``provider`` under ``name`` (tests, the app's settings dialog)."""
        self.providers.register(name, provider)

    def escalate(self, handoff_id: str) -> None:
        """Confirm that the technician wants support to take the case."""
        self.store.request_handoff(handoff_id)

    def close(self) -> None:
        """Release providers."""
        self.providers.close()

    # -- the run ------------------------------------------------------------------------

    def _drive(self, state: RunState) -> Events:
        screen = self.policy.screen(
            f"{state.question} {state.reply or ''}", photo=bool(state.image)
        )
        if screen is not None:
            yield from self._finish_without_answer(state, screen, state.chain[state.position])
            return
        while True:
            name = state.chain[state.position]
            try:
                provider = self.providers.get(name)
                if provider is None:
                    raise ProviderFailure(self.providers.why_unusable(name))
                if provider.writes_text:
                    yield from self._model_run(state, provider)
                else:  # the "none" provider: the deterministic policy quotes the evidence
                    yield from self._policy_run(state)
                return
            except ProviderFailure as exc:
                state.position += 1
                following = state.chain[state.position]
                log.warning("provider %s failed (%s); falling back to %s", name, exc, following)
                yield ProviderSwitch(name, following, str(exc))
                state.messages = []  # the next provider starts over; the ledger stays
                state.steps = 0

    def _policy_run(self, state: RunState) -> Events:
        """Answer without a language model: search, judge the evidence, quote it."""
        if state.image and state.photo_text is None:
            yield from self._read_photo(state)
        if not state.query:
            yield from self._finish_without_answer(state, Verdict("not_found", "empty"), "none")
            return
        query = self._query(state)
        result = yield from self._search(state, query, None)
        if result is None:  # searched before the provider switch: same query, same hits
            result = self.toolbox.search_knowledge(state.ledger, query)
        hits = self.policy.class_hits(query, list(result.hits))
        refs = {state.ledger.chunk_of[s.ref]: s for s in result.sources}
        follow = self.policy.value_follow_up(query, hits)
        if follow is not None:
            more = self.toolbox.search_files(state.ledger, *follow, question=query)
            hits = self.policy.merge_follow_up(query, hits, list(more.hits))
            refs.update({state.ledger.chunk_of[s.ref]: s for s in more.sources})
        hits = self.policy.value_scan(query, hits)
        hits = self.policy.register_rows(query, hits)
        hits = self.policy.line_scan(query, hits)
        hits = self.policy.family_rows(query, hits, replied=state.clarified)
        hits = self.policy.model_sections(query, hits)
        hits = self.policy.page_passages(query, hits)
        # the passages of a page another model's heading holds go again ("Storion T30": not
        # the SMILE-T10's "BT | 9600" on the same page)
        beside = self.policy.model_sections(query, self.policy.value_siblings(query, hits))
        added = [h for h in beside if h.chunk.id not in refs]
        added_sources = self.toolbox.register(state.ledger, added, query)
        refs.update({state.ledger.chunk_of[s.ref]: s for s in added_sources})
        hits = beside
        verdict = self.policy.judge(query, hits, may_clarify=not state.clarified)
        if verdict.outcome == Outcome.CLARIFY:
            t = templates(state.language)
            if verdict.per_model:
                options, ask = [*verdict.devices, t["clarify_other_model"]], t["clarify_model"]
            elif verdict.family:
                options, ask = [*verdict.devices, t["clarify_other_model"]], t["clarify_family"]
            elif verdict.interface:
                options, ask = [*verdict.devices, t["clarify_other"]], t["clarify_interface"]
            else:
                options, ask = [*verdict.devices, t["clarify_other"]], t["clarify"]
            per_model = verdict.per_model or verdict.family  # a type is asked for by name
            yield from self._pause(state, ask, options, None, per_model=per_model)
            return
        if verdict.outcome != Outcome.ANSWER:
            related = tuple(
                with_highlight(refs[h.chunk.id], query)
                for h in verdict.related
                if h.chunk.id in refs
            )
            yield from self._finish_without_answer(state, verdict, "none", related=related)
            return
        sources = answer_sources(self.toolbox, state, verdict, refs, query)
        text = compose_answer(sources, state.language, query)
        for piece in pieces(text):
            yield Token(piece)
        yield Sources(tuple(sources))
        yield Done(Outcome.ANSWER, "none", text)

    def _model_run(self, state: RunState, provider: ChatModel) -> Events:
        """Run the ReAct loop with a chat model; the policy still referees the evidence."""
        if not state.messages:
            state.messages = [
                {"role": "system", "content": system_prompt(state.language)},
                self._user_message(state, provider),
            ]
            if state.image and not provider.supports_vision and state.photo_text is None:
                yield from self._read_photo(state)
                state.messages[-1] = self._user_message(state, provider)
        while True:
            force_answer = state.steps >= MAX_STEPS or state.repeats >= MAX_REPEATS
            tools = [] if force_answer else self._tools_for(state)
            if force_answer and state.messages[-1]["role"] != "user":
                state.messages.append(
                    {"role": "user", "content": "Antworte jetzt mit den gefundenen Stellen."}
                )
            state.steps += 1
            filt = CitationFilter(state.ledger.sources)
            text: list[str] = []  # what the model wrote (kept in the transcript)
            shown: list[str] = []  # what the technician saw: invented citations removed
            calls: list[ToolCall] = []
            for delta in provider.stream_chat(state.messages, tools):
                if delta.text:
                    text.append(delta.text)
                    shown.append(filt.feed(delta.text))
                    if shown[-1]:
                        yield Token(shown[-1])
                calls.extend(delta.tool_calls)
            shown.append(filt.flush())
            if shown[-1]:
                yield Token(shown[-1])
            if not calls or force_answer:
                yield from self._finish_model_answer(state, provider, "".join(shown), filt)
                return
            state.messages.append(_assistant_calls("".join(text), calls))
            for call in calls:
                if call.name == "ask_user_clarification" and not state.clarified:
                    args = call.arguments
                    question = str(args.get("question") or templates(state.language)["clarify"])
                    options = [str(o) for o in args.get("options") or []][:6]
                    yield from self._pause(state, question[:300], options, call.id)
                    return
                observation = yield from self._execute(state, call)
                state.messages.append(
                    {"role": "tool", "tool_call_id": call.id, "content": observation}
                )

    def _tools_for(self, state: RunState) -> list[dict[str, Any]]:
        if state.clarified:
            return [t for t in TOOL_SPECS if t["function"]["name"] != "ask_user_clarification"]
        return TOOL_SPECS

    def _execute(self, state: RunState, call: ToolCall) -> Generator[Event, None, str]:
        """Run one tool call of the model; model mistakes go back to it as observations."""
        args = call.arguments
        if "_error" in args:
            return f"Fehler: Argumente sind kein gültiges JSON ({args['_error']}). Bitte neu."
        if call.name == "search_knowledge":
            query = str(args.get("query") or "").strip()
            if not query:
                return "Fehler: 'query' fehlt."
            filters = args.get("filters") if isinstance(args.get("filters"), dict) else None
            result = yield from self._search(state, query, filters)
            if result is None:
                return "Diese Suche wurde schon ausgeführt. Nutze die Stellen oben oder antworte."
            return result.for_model()
        if call.name == "get_full_document":
            doc = str(args.get("doc") or "")
            yield tool_start("get_full_document", {"doc": doc})
            found = self.toolbox.get_full_document(state.ledger, doc, state.question)
            ok = "error" not in found
            summary = f"{found['title']} geöffnet" if ok else "Handbuch nicht gefunden"
            yield ToolResult("get_full_document", summary, ok)
            return json.dumps(found, ensure_ascii=False)
        if call.name == "ask_user_clarification":
            return f"Schon nachgefragt; Antwort des Technikers: {state.reply}. Antworte jetzt."
        return f"Fehler: unbekanntes Werkzeug '{call.name}'."

    def _search(
        self, state: RunState, query: str, filters: dict[str, str] | None
    ) -> Generator[Event, None, Any]:
        key = json.dumps([query.lower().split(), filters or {}], sort_keys=True)
        if key in state.searches:
            state.repeats += 1
            return None
        state.searches.append(key)
        arguments: dict[str, Any] = {"query": query}
        if filters:
            arguments["filters"] = filters
        yield tool_start("search_knowledge", arguments)
        result = self.toolbox.search_knowledge(state.ledger, query, filters)
        dense = [h.dense_score or 0.0 for h in result.hits]
        state.best_dense = max([state.best_dense, *dense])
        yield ToolResult("search_knowledge", result.summary(), bool(result.sources))
        return result

    def _finish_model_answer(
        self, state: RunState, provider: ChatModel, final: str, filt: CitationFilter
    ) -> Events:
        """Apply the answer contract to a model's final (already filtered) text."""
        query = self._query(state)
        if filt.cited:
            sources = [with_highlight(state.ledger.sources[ref], query) for ref in filt.cited]
        else:
            # no valid citation: the policy referees the evidence, and an answer is never shown
            # as fact without it — the best passages are quoted under the model's text
            searched = bool(state.searches)
            if not searched:
                yield from self._search(state, query, None)
            verdict = self.policy.judge(query, self._first_hits(state), may_clarify=False)
            if verdict.outcome == Outcome.ANSWER and searched and _NOT_COVERED.search(final):
                verdict = Verdict("not_found", "model says not covered")
            if verdict.outcome != Outcome.ANSWER:
                yield from self._finish_without_answer(state, verdict, provider.label, True)
                return
            by_chunk = {
                cid: state.ledger.sources[ref] for ref, cid in state.ledger.chunk_of.items()
            }
            sources = answer_sources(self.toolbox, state, verdict, by_chunk, query)
            extra = "\n\n" + compose_answer(sources, state.language, query)
            for piece in pieces(extra):
                yield Token(piece)
            final += extra
        notes = tuple(f"Quelle {ref} entfernt (nicht abgerufen)" for ref in filt.dropped)
        yield Sources(tuple(sources))
        yield Done(Outcome.ANSWER, provider.label, final, notes)

    def _reply_unclear(self, state: RunState, reply: str) -> bool:
        """Tell whether a typed reply to "which device?" leaves the question as open as before.

        "weiß nicht" or "das Ding im Keller" names none of the devices offered nor another
        one: the question with it still fits several devices. "der Speicher" or "SH10" says
        which. Only the first time: a reply to the question for the device by name is taken
        as it comes.
        """
        options = [o for o in (state.pending or {}).get("options") or [] if o]
        if not options:
            return False
        folded = fold(reply)
        if any(fold(o) in folded or folded in fold(o) for o in options):
            return False
        # the question as the search would take it with the reply, its evidence kept apart
        trial = replace(state, reply=reply, ledger=Ledger())
        verdict = self.policy.judge(self._query(trial), self._first_hits(trial), may_clarify=True)
        return verdict.outcome == Outcome.CLARIFY

    def _first_hits(self, state: RunState) -> list[Any]:
        """Return the hits of a fresh search for the question (cheap: models stay loaded)."""
        result = self.toolbox.search_knowledge(state.ledger, self._query(state))
        return list(result.hits)

    def _read_photo(self, state: RunState) -> Events:
        from nikdesk.agent.photo import read_display

        yield tool_start("read_photo", {"image": Path(state.image or "").name})
        try:
            reading = read_display(Path(state.image or ""))
        except NikDeskError as exc:
            state.photo_text = ""
            yield ToolResult("read_photo", str(exc), ok=False)
            return
        state.photo_text = reading.query()
        t = templates(state.language)
        summary = (
            t["photo_read"].format(text=state.photo_text) if state.photo_text else t["photo_unread"]
        )
        yield ToolResult("read_photo", summary, ok=bool(state.photo_text))

    def _user_message(self, state: RunState, provider: ChatModel) -> dict[str, Any]:
        text = state.question or "Was zeigt das Display auf dem Foto, und was ist zu tun?"
        if state.reply:  # the technician's answer to a clarification, for any provider
            text += f"\n(Gemeintes Gerät laut Techniker: {state.reply})"
        if state.photo_text:
            text += f"\n(Text auf dem Display-Foto: {state.photo_text})"
        if state.image and provider.supports_vision:
            from nikdesk.agent.providers.openai_chat import image_message

            return image_message(text, Path(state.image))
        return {"role": "user", "content": text}

    def _pause(
        self,
        state: RunState,
        question: str,
        options: list[str],
        tool_call_id: str | None,
        per_model: bool = False,
    ) -> Events:
        state.pending = {
            "question": question,
            "options": options,
            "tool_call_id": tool_call_id,
            "per_model": per_model,  # options are a data sheet's models (resume asks for one)
        }
        self.store.save_paused(state.run_id, state.session_id, state.question, state.to_json())
        yield Clarification(state.run_id, question, tuple(options))
        yield Done(Outcome.CLARIFY, state.chain[state.position], question)

    def _finish_without_answer(
        self,
        state: RunState,
        verdict: Verdict,
        provider: str,
        streamed: bool = False,
        related: tuple[Source, ...] = (),
    ) -> Events:
        yield from finish_without_answer(
            self.store, state, verdict, provider, streamed, related, query=self._query(state)
        )

    def _query(self, state: RunState) -> str:
        """Return what the run searches and quotes for: its query, a model name typed apart
        joined ("alpha smile 5 baudrate?": the SMILE5, see EvidencePolicy.spelled)."""
        return self.policy.spelled(state.query)

    def _keep_photo(self, image: Path) -> Path:
        """Store the photo by content hash with the attachments (kept with the message)."""
        from nikdesk.storage.photos import store_photo

        return data_dir() / store_photo(image).path

    def _fail(self, state: RunState, message: str) -> Events:
        yield Error(message)


def _assistant_calls(text: str, calls: list[ToolCall]) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": text or None,
        "tool_calls": [
            {
                "id": c.id,
                "type": "function",
                "function": {
                    "name": c.name,
                    "arguments": json.dumps(c.arguments, ensure_ascii=False),
                },
            }
            for c in calls
        ],
    }
