"""Benchmark the local chat model: raw llama.cpp streaming against the same through LocalGGUF.

Run with ``python -m tests.bench.bench_llm``. Both rows stream one fixed German prompt (a question
and three manual passages) from the same loaded model with the same ``max_tokens``, seed and
temperature 0, so they generate the same text; the ratio is the provider's overhead. Runs are
interleaved (raw, provider, raw, …) so a busy machine slows every row alike, and each run
starts from an empty prompt cache so time to first token includes reading the prompt.

To add a row (e.g. the agent loop), adapt its stream with :func:`provider_pieces` and pass it
to :func:`measure_streams` next to the others.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nikdesk.agent.providers.base import ChatDelta
from nikdesk.agent.providers.local_gguf import REPEAT_PENALTY, LocalGGUF
from nikdesk.agent.tools import TOOL_SPECS

PieceStream = Callable[[], Iterable[str]]  # starts one generation, yields its text pieces

SYSTEM = (
    "Du bist Nik, ein Assistent für Solar- und E-Mobilitäts-Techniker. Antworte auf Deutsch, "
    "knapp und sachlich, nur aus den Passagen, und belege jede Aussage mit [S1], [S2] oder [S3]."
)
QUESTION = (
    "Frage: Der Wechselrichter zeigt Fehler E050. Was bedeutet das und was soll ich prüfen?\n\n"
    "[S1] SMA Sunny Boy, Seite 84: E050 – Isolationsfehler. Der Isolationswiderstand des "
    "PV-Generators gegen Erde ist zu klein. Der Wechselrichter speist nicht ein.\n"
    "[S2] SMA Sunny Boy, Seite 85: Isolationsfehler eingrenzen: DC-Trennschalter öffnen, "
    "Strings einzeln abklemmen und den Isolationswiderstand jedes Strings messen.\n"
    "[S3] SMA Sunny Boy, Seite 12: Arbeiten am PV-Generator nur mit geeigneter Schutzausrüstung; "
    "DC-Leitungen können auch bei getrenntem Netz Spannung führen."
)
MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": QUESTION},
]


@dataclass(frozen=True)
class StreamRun:
    """One timed generation."""

    tokens: int
    ttft: float  # seconds until the first text piece
    seconds: float  # until the stream ended
    text: str
    decode_cpu: float = 0.0  # process CPU seconds after the first piece

    @property
    def tokens_per_s(self) -> float:
        """Return the decode rate: tokens after the first over the time after the first."""
        decode = self.seconds - self.ttft
        return (self.tokens - 1) / decode if self.tokens > 1 and decode > 0 else 0.0

    @property
    def tokens_per_cpu_s(self) -> float:
        """Return the decode rate per CPU second: what other processes cannot skew."""
        return (self.tokens - 1) / self.decode_cpu if self.tokens > 1 and self.decode_cpu else 0.0


@dataclass(frozen=True)
class StreamStats:
    """The timed runs of one row, summarised by medians."""

    label: str
    runs: tuple[StreamRun, ...]

    @property
    def tokens_per_s(self) -> float:
        """Return the median decode rate."""
        return statistics.median(r.tokens_per_s for r in self.runs)

    @property
    def tokens_per_cpu_s(self) -> float:
        """Return the median decode rate per CPU second."""
        return statistics.median(r.tokens_per_cpu_s for r in self.runs)

    @property
    def ttft(self) -> float:
        """Return the median time to first token (seconds)."""
        return statistics.median(r.ttft for r in self.runs)

    @property
    def tokens(self) -> int:
        """Return the median number of generated tokens."""
        return int(statistics.median(r.tokens for r in self.runs))


def time_stream(pieces: PieceStream, count_tokens: Callable[[str], int]) -> StreamRun:
    """Run ``pieces`` once and time it; tokens are counted on the whole text.

    Counting the text (not the pieces) keeps rows comparable when a layer merges pieces.
    """
    started = time.perf_counter()
    first: float | None = None
    first_cpu = 0.0
    parts: list[str] = []
    for piece in pieces():
        if first is None and piece:
            first, first_cpu = time.perf_counter(), time.process_time()
        parts.append(piece)
    ended, ended_cpu = time.perf_counter(), time.process_time()
    text = "".join(parts)
    ttft = (first if first is not None else ended) - started
    decode_cpu = ended_cpu - first_cpu if first is not None else 0.0
    return StreamRun(count_tokens(text), ttft, ended - started, text, decode_cpu)


def measure_streams(
    streams: dict[str, PieceStream],
    count_tokens: Callable[[str], int],
    runs: int = 3,
    warmup: int = 1,
    before_run: Callable[[], None] | None = None,
) -> dict[str, StreamStats]:
    """Time every stream ``runs`` times after ``warmup`` untimed runs, interleaved."""
    timed: dict[str, list[StreamRun]] = {label: [] for label in streams}
    for round_ in range(warmup + runs):
        for label, pieces in streams.items():
            if before_run is not None:
                before_run()
            run = time_stream(pieces, count_tokens)
            if round_ >= warmup:
                timed[label].append(run)
    return {label: StreamStats(label, tuple(rows)) for label, rows in timed.items()}


def provider_pieces(stream_fn: Callable[[], Iterable[ChatDelta]]) -> PieceStream:
    """Adapt a ChatDelta stream (a provider's, or the agent's tokens) to text pieces."""

    def pieces() -> Iterator[str]:
        for delta in stream_fn():
            if delta.text:
                yield delta.text

    return pieces


def measure_provider_stream(
    provider_stream_fn: Callable[[], Iterable[ChatDelta]],
    count_tokens: Callable[[str], int],
    runs: int = 3,
    warmup: int = 1,
    before_run: Callable[[], None] | None = None,
    label: str = "provider",
) -> StreamStats:
    """Time a ChatDelta stream on its own (medians of ``runs`` after ``warmup``)."""
    stats = measure_streams(
        {label: provider_pieces(provider_stream_fn)}, count_tokens, runs, warmup, before_run
    )
    return stats[label]


def raw_pieces(
    llama: Any, messages: list[dict[str, Any]], max_tokens: int, seed: int
) -> PieceStream:
    """Return the baseline: llama-cpp-python's own streamed chat completion, nothing around it."""

    def pieces() -> Iterator[str]:
        stream = llama.create_chat_completion(
            messages=messages,
            stream=True,
            max_tokens=max_tokens,
            temperature=0,
            seed=seed,
            repeat_penalty=REPEAT_PENALTY,  # the provider's setting: same work, same text
        )
        for chunk in stream:
            piece = chunk["choices"][0]["delta"].get("content")
            if piece:
                yield piece

    return pieces


def time_decision(
    provider: LocalGGUF, runs: int, before_run: Callable[[], None]
) -> tuple[float, str]:
    """Return the median time to the first delta with TOOL_SPECS offered, and what it was."""
    seconds: list[float] = []
    outcome = ""
    for _ in range(runs):
        before_run()
        started = time.perf_counter()
        stream = iter(provider.stream_chat(MESSAGES, TOOL_SPECS))
        first = next(stream)
        seconds.append(time.perf_counter() - started)
        outcome = first.tool_calls[0].name if first.tool_calls else "answer"
        stream.close()  # type: ignore[attr-defined]  # a generator; stop the answer phase
    return statistics.median(seconds), outcome


def print_table(rows: list[StreamStats], baseline: StreamStats) -> None:
    """Print one line per row with its ratios against ``baseline`` (wall clock and CPU)."""
    print(
        f"{'row':<10} {'tokens':>6} {'TTFT ms':>8} {'tok/s':>7} {'ratio':>6} "
        f"{'tok/CPU-s':>9} {'ratio':>6}"
    )
    for row in rows:
        print(
            f"{row.label:<10} {row.tokens:>6} {row.ttft * 1000:>8.0f} "
            f"{row.tokens_per_s:>7.1f} {_ratio(row.tokens_per_s, baseline.tokens_per_s):>6.2f} "
            f"{row.tokens_per_cpu_s:>9.1f} "
            f"{_ratio(row.tokens_per_cpu_s, baseline.tokens_per_cpu_s):>6.2f}"
        )


def _ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else 0.0


def main(argv: list[str] | None = None) -> int:
    """Run the local-LLM benchmark and print its figures."""
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_llm")
    p.add_argument("--model", type=Path, help="GGUF file (default: manifest entry smollm2)")
    p.add_argument("--max-tokens", type=int, default=128)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--threads", type=int, default=None, help="default: half the CPUs")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    provider = LocalGGUF(
        model_path=args.model, n_threads=args.threads, max_tokens=args.max_tokens, seed=args.seed
    )
    llama = provider.llama

    def count_tokens(text: str) -> int:
        return len(llama.tokenize(text.encode(), add_bos=False))

    streams = {
        "raw": raw_pieces(llama, MESSAGES, args.max_tokens, args.seed),
        "provider": provider_pieces(lambda: provider.stream_chat(MESSAGES, [])),
    }
    # a new question never finds its prompt in llama.cpp's cache: time that case
    stats = measure_streams(streams, count_tokens, args.runs, before_run=llama.reset)
    raw, local = stats["raw"], stats["provider"]
    print(
        f"[llm] {provider.label}, threads {llama.context_params.n_threads}, "
        f"max_tokens {args.max_tokens}, {args.runs} runs after 1 warm-up, medians"
    )
    print_table([raw, local], raw)
    print(
        f"[llm] ratio provider/raw tok/s {_ratio(local.tokens_per_s, raw.tokens_per_s):.2f} "
        f"(per CPU-s {_ratio(local.tokens_per_cpu_s, raw.tokens_per_cpu_s):.2f}; "
        f"target >= 0.90); TTFT {(local.ttft - raw.ttft) * 1000:+.0f} ms"
    )
    if raw.runs[0].text != local.runs[0].text:
        print("[llm] warning: raw and provider generated different text; compare with care")
    decision_s, action = time_decision(provider, args.runs, llama.reset)
    print(
        f"[llm] decision phase with TOOL_SPECS (grammar): {decision_s * 1000:.0f} ms "
        f"to the first delta -> {action}"
    )
    print(f"[llm] answer: {local.runs[0].text[:160]!r}")
    provider.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
