"""Terminal presentation for the CLI: progress bars, reports, hit lists, eval tables."""

from __future__ import annotations

import sys
import textwrap
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from nikdesk.core.events import (
    Clarification,
    Done,
    Error,
    Event,
    ProviderSwitch,
    Sources,
    Token,
    ToolResult,
    ToolStart,
)

if TYPE_CHECKING:  # keep `nikdesk search` from importing the ingest stack
    from nikdesk.retrieval.build import BuildReport
    from nikdesk.retrieval.bundle import IndexManifest
    from nikdesk.retrieval.evaluate import Scores
    from nikdesk.retrieval.types import Hit

_STAGES = {"parse": "Dokumente lesen", "embed": "Abschnitte einbetten", "write": "Index schreiben"}


class BuildProgress:
    """A tqdm bar per build stage, fed by build_index's progress callback."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._stage = ""

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._close()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if stage != self._stage:
            self._close()
            self._stage = stage
            self._bar = tqdm(
                total=total,
                desc=_STAGES.get(stage, stage),
                unit="",
                file=sys.stderr,
                mininterval=0.5,
            )
        if self._bar is not None:
            self._bar.n = done
            self._bar.refresh()

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def format_report(report: BuildReport) -> str:
    """Return the human build report (German)."""
    lines = [
        f"Index geschrieben: {report.out}  (Version {report.bundle_version}, Embedder "
        f"{report.embedder})",
        f"  Dokumente: {len(report.indexed)} neu eingebettet, {len(report.reused)} unverändert "
        f"übernommen, {len(report.removed)} entfernt, {len(report.skipped)} übersprungen",
        f"  Seiten mit Text: {report.pages} (davon {report.pages_embedded} eingebettet), "
        f"Abschnitte: {report.chunks} (davon {report.chunks_embedded} eingebettet)",
        f"  Dauer: {report.seconds:.1f} s (Einbetten {report.embed_seconds:.1f} s)",
    ]
    if report.removed:
        lines.append("  Entfernt: " + ", ".join(report.removed))
    if report.skipped:
        lines.append("  Übersprungen:")
        lines += [f"    - {s.relpath}: {s.reason}" for s in report.skipped]
    return "\n".join(lines)


def format_hits(hits: list[Hit]) -> str:
    """Return a numbered list of hits with citation and a text excerpt."""
    if not hits:
        return "Keine Treffer."
    out = []
    for n, hit in enumerate(hits, 1):
        c = hit.chunk
        where = f"{c.file}, S. {c.page_start}" + (
            f"–{c.page_end}" if c.page_end != c.page_start else ""
        )
        section = f" · {c.section}" if c.section else ""
        excerpt = textwrap.shorten(" ".join(c.text.split()), 300, placeholder=" …")
        out.append(f"{n}. [{where}]{section}  (Score {hit.score:.4f})\n   {excerpt}")
    return "\n".join(out)


def format_eval(result: dict[str, dict[str, Scores]]) -> str:
    """Return a per-kind table of hit@1 / hit@5 / MRR for each mode."""
    kinds = [*sorted({k for per in result.values() for k in per if k != "ALL"}), "ALL"]
    modes = list(result)
    head = f"{'kind':18}{'n':>4}  " + "  ".join(f"{m + ' h@1/h@5/MRR':>26}" for m in modes)
    lines = [head, "-" * len(head)]
    for kind in kinds:
        cells, n = [], 0
        for mode in modes:
            s = result[mode].get(kind)
            if s is None:
                cells.append(f"{'-':>26}")
                continue
            d = s.as_dict()
            n = int(d["n"])
            cells.append(f"{d['hit@1']:>10.2f}{d['hit@5']:>8.2f}{d['mrr']:>8.2f}")
        lines.append(f"{kind:18}{n:>4}  " + "  ".join(cells))
    misses = result.get("hybrid", {}).get("ALL")
    if misses and misses.misses:
        lines.append(f"hybrid misses (not in top 5): {', '.join(misses.misses)}")
    return "\n".join(lines)


class EventPrinter:
    """Print a run's events to a terminal as they come: tool chips, streamed text, sources."""

    def __init__(self, out: TextIO, question: str = "") -> None:
        self.out = out
        self.question = question
        self._at_line_start = True

    def __call__(self, event: Event) -> None:
        """Print one event."""
        match event:
            case ToolStart():
                self._line(f"· {event.label or event.tool}: {event.detail}")
            case ToolResult():
                self._line(f"  → {event.summary}")
            case ProviderSwitch():
                self._line(
                    f"(Anbieter {event.failed} fiel aus: {event.reason} – "
                    f"weiter mit {event.provider})"
                )
            case Token():
                if self._at_line_start:
                    self.out.write("\n")
                self.out.write(event.text)
                self._at_line_start = False
                self.out.flush()
            case Sources() if event.sources:
                self._line("")
                self._line("Quellen:")
                for source in event.sources:
                    self._line(
                        f"  [{source.ref}] {source.title} – {source.file}, Seite {source.page}"
                    )
            case Clarification():
                self._line("")
                self._line(event.question)  # "Welches Gerät ist gemeint?" / "Welches Modell …"
                for n, option in enumerate(event.options, 1):
                    self._line(f"  {n}) {option}")
                self._line(
                    f'Antworten mit: nikdesk resume {event.run_id} "<Gerät>" (gleicher --index)'
                )
            case Done():
                label = "ohne Sprachmodell" if event.provider == "none" else event.provider
                self._line("")
                self._line(f"[{event.outcome} · beantwortet von: {label}]")
            case Error():
                self._line(f"Fehler: {event.message}")

    def _line(self, text: str) -> None:
        if not self._at_line_start:
            self.out.write("\n")
        self.out.write(text + "\n")
        self._at_line_start = True
        self.out.flush()


def format_manifest(manifest: IndexManifest) -> str:
    """Return a bundle summary: version, embedder, one line per document, skipped files."""
    docs = manifest.documents
    lines = [
        f"Index-Version {manifest.bundle_version} vom {manifest.created}, Format "
        f"{manifest.format} v{manifest.format_version}",
        f"Embedder {manifest.embedder.name} ({manifest.embedder.dim} Dim.), "
        f"{len(docs)} Dokumente, {sum(d.pages_with_text for d in docs)} Seiten mit Text, "
        f"{manifest.total_chunks} Abschnitte",
        "",
        f"{'Datei':58} {'Spr.':4} {'Seiten':>6} {'Abschn.':>7}  Titel",
    ]
    for d in docs:
        lines.append(f"{d.file[:58]:58} {d.language:4} {d.pages:>6} {d.chunks:>7}  {d.title[:50]}")
    if manifest.skipped:
        lines += ["", "Übersprungen:"] + [f"  - {s.relpath}: {s.reason}" for s in manifest.skipped]
    return "\n".join(lines)
