"""Agent benchmarks that print figures (``make bench`` runs them after the retrieval ones).

1. No-LLM path: end-to-end seconds per question (search, judge, compose, all events) with
   models loaded, against the bare hybrid search of the same questions in the same process.
2. Local GGUF through the agent: tokens/s of the streamed answer and time to first token,
   against raw llama-cpp-python streaming on exactly the messages the agent's final turn sent
   (same model instance, max_tokens, seed, temperature 0).

Run: ``python -m tests.bench.bench_agent --index DIR --questions dev-questions.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from nikdesk.agent import Agent, Settings
from nikdesk.agent.providers.base import ChatDelta, ChatModel, Message, ToolSpec
from nikdesk.core.events import Done, Token
from nikdesk.retrieval.open import open_retriever
from nikdesk.retrieval.types import SearchOptions

LLM_QUESTION = "Der Wechselrichter zeigt E050 an. Was bedeutet das und was muss ich prüfen?"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_no_llm(index: Path, questions: list[str], rounds: int = 3) -> None:
    """Print p50/p95 seconds per question for the no-LLM agent and for bare search."""
    retriever = open_retriever(index)
    agent = Agent(retriever, Settings(provider="none"))
    for q in questions[:2]:  # warm-up: first-use costs (glossary, stemmers) out of the figures
        list(agent.run(q))
    search, full = [], []
    for _ in range(rounds):
        for q in questions:
            started = time.perf_counter()
            retriever.search(q, SearchOptions(k=6))
            search.append(time.perf_counter() - started)
            started = time.perf_counter()
            for _event in agent.run(q):
                pass
            full.append(time.perf_counter() - started)
    print(f"no-LLM agent ({len(questions)} questions x {rounds}, models loaded)")
    for label, values in (("bare hybrid search", search), ("agent end-to-end", full)):
        p50, p95 = _pct(values, 0.5) * 1000, _pct(values, 0.95) * 1000
        print(f"  {label:20} p50 {p50:6.0f} ms  p95 {p95:6.0f} ms")
    ratio = _pct(full, 0.5) / _pct(search, 0.5)
    print(f"  agent / search (p50) {ratio:6.2f}x   target: <= 1 s per question")


class _Recorder(ChatModel):
    """Delegate to a provider; remember each turn's messages and when text pieces arrived."""

    def __init__(self, inner: ChatModel) -> None:
        self.inner = inner
        self.name = inner.name  # type: ignore[misc]
        self.turns: list[tuple[list[Message], list[ToolSpec]]] = []
        self.piece_times: list[float] = []
        self.pieces: list[str] = []

    @property
    def label(self) -> str:
        return self.inner.label

    def stream_chat(self, messages: list[Message], tools: list[ToolSpec]) -> Iterator[ChatDelta]:
        self.turns.append((json.loads(json.dumps(messages)), tools))
        for delta in self.inner.stream_chat(messages, tools):
            if delta.text:
                self.piece_times.append(time.perf_counter())
                self.pieces.append(delta.text)
            yield delta


def _rate(pieces: list[float], tokens: int) -> float:
    """Return tokens per second between the first and the last streamed piece."""
    if len(pieces) < 2:
        return 0.0
    return (tokens - 1) / (pieces[-1] - pieces[0])


def bench_local_llm(index: Path, model: Path | None, max_tokens: int, rounds: int = 3) -> None:
    """Print tokens/s and TTFT through the agent vs raw llama-cpp on the same messages."""
    from nikdesk.agent.providers.local_gguf import LocalGGUF, plain_messages

    provider = LocalGGUF(model_path=model, max_tokens=max_tokens)
    llama = provider.llama
    agent = Agent(open_retriever(index), Settings(provider="local"))
    agent_rates, agent_ttft, raw_rates, raw_ttft = [], [], [], []
    for n in range(rounds + 1):
        recorder = _Recorder(provider)
        agent.register("local", recorder)
        started = time.perf_counter()
        first_token = None
        text: list[str] = []
        provider_used = ""
        for event in agent.run(LLM_QUESTION):
            if isinstance(event, Token):
                first_token = first_token or time.perf_counter()
                text.append(event.text)
            if isinstance(event, Done):
                provider_used = event.provider
        if not provider_used.startswith("local") or first_token is None:
            print(f"  (run {n}: the local model did not answer; provider {provider_used})")
            continue
        final_messages = recorder.turns[-1][0]
        answer_pieces = recorder.piece_times
        # only what the model streamed (the agent may append quoted evidence after it)
        tokens = len(llama.tokenize("".join(recorder.pieces).encode(), add_bos=False))
        # raw baseline: the same final-turn messages, straight into llama-cpp-python
        raw_started = time.perf_counter()
        raw_times: list[float] = []
        raw_text: list[str] = []
        for chunk in llama.create_chat_completion(
            messages=plain_messages(final_messages),
            stream=True,
            max_tokens=max_tokens,
            temperature=0,
            seed=provider.seed,
        ):
            piece = chunk["choices"][0]["delta"].get("content")
            if piece:
                raw_times.append(time.perf_counter())
                raw_text.append(piece)
        raw_tokens = len(llama.tokenize("".join(raw_text).encode(), add_bos=False))
        if n == 0:
            continue  # warm-up
        agent_rates.append(_rate(answer_pieces, tokens))
        agent_ttft.append(first_token - started)
        raw_rates.append(_rate(raw_times, raw_tokens))
        raw_ttft.append(raw_times[0] - raw_started if raw_times else 0.0)
    if not agent_rates:
        print("local LLM: no run answered through the local model")
        return
    a, r = statistics.median(agent_rates), statistics.median(raw_rates)
    print(
        f"local GGUF ({provider.label}, max_tokens {max_tokens}, {len(agent_rates)} runs, medians)"
    )
    print(f"  raw llama-cpp stream  {r:7.1f} tokens/s   TTFT {statistics.median(raw_ttft):5.2f} s")
    print(
        f"  through the agent     {a:7.1f} tokens/s   TTFT {statistics.median(agent_ttft):5.2f} s"
        "  (TTFT incl. search + tool decision)"
    )
    print(f"  ratio agent/raw       {a / r:7.2f}   target >= 0.9")


def main(argv: list[str] | None = None) -> int:
    """Run the agent benchmarks."""
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_agent")
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--questions", type=Path, required=True)
    p.add_argument("--llm-index", type=Path, default=None, help="index for the LLM run")
    p.add_argument("--gguf", type=Path, default=None)
    p.add_argument("--max-tokens", type=int, default=128)
    p.add_argument("--no-llm-only", action="store_true")
    args = p.parse_args(argv)
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    bench_no_llm(args.index, questions)
    if not args.no_llm_only:
        try:
            bench_local_llm(args.llm_index or args.index, args.gguf, args.max_tokens)
        except Exception as exc:  # benchmark: report and go on
            print(f"local LLM benchmark skipped: {exc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
