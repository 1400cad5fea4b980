"""The OpenAI chat provider: GPT-4o in the cloud, or any OpenAI-compatible server on loopback.

The ``openai`` package is imported when a provider is created, never at module import, so the
offline app starts without it. Retries are the SDK's own (``max_retries``); every failure the
agent can route around (offline, timeout, server gone mid-answer, rate limit, bad key) becomes a
:class:`ProviderFailure` with a short German message.
"""

from __future__ import annotations

import base64
import importlib
import ipaddress
import json
import logging
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from nikdesk.agent.providers.base import (
    ChatDelta,
    ChatModel,
    Message,
    ProviderFailure,
    ToolCall,
    ToolSpec,
)
from nikdesk.core.errors import BadImage, MissingExtra, NeedsKey
from nikdesk.core.settings import DEFAULT_OPENAI_MODEL
from nikdesk.storage.secrets import get_secret

DEFAULT_BASE_URL = "https://api.openai.com/v1"
LOCAL_DUMMY_KEY = "sk-no-key-required"  # the SDK insists on a key; loopback servers ignore it
MAX_RETRIES = 1  # the agent has a fallback provider; a long retry ladder only delays it
CONNECT_PROBE_S = 1.5
REACHABLE_TTL_S = 20.0
KEY_REJECTED = "OpenAI-Schlüssel ungültig – in Einstellungen prüfen"
KEY_MISSING = "Kein OpenAI-Schlüssel hinterlegt – in Einstellungen eintragen"

# What the OpenAI vision endpoint accepts, with each format's leading bytes.
IMAGE_TYPES: dict[str, str] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),  # plus "WEBP" at offset 8, checked below
}

log = logging.getLogger(__name__)


class KeyProblem(ProviderFailure, NeedsKey):
    """The OpenAI key is missing or rejected: the agent falls back, the UI points to settings."""


class OpenAIChat(ChatModel):
    """Chat with an OpenAI model (or an OpenAI-compatible server) over streaming HTTP.

    ``tool_choice`` is sent only with tools and only when set: OpenAI picks tools on its own,
    llama.cpp's ``chatml-function-calling`` streams tool calls only for a named function.
    ``options`` go unchanged to ``chat.completions.create`` (``temperature``, ``max_tokens``,
    ``extra_body`` …).
    """

    name: ClassVar[str] = "openai"
    supports_vision: ClassVar[bool] = True
    needs_network: ClassVar[bool] = True

    def __init__(
        self,
        model: str = DEFAULT_OPENAI_MODEL,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 30.0,
        client: object | None = None,
        *,
        tool_choice: str | dict[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self._openai = _import_openai()
        self.model = model
        self.base_url = base_url or DEFAULT_BASE_URL
        self.timeout = timeout
        self.tool_choice = tool_choice
        self.options = dict(options or {})
        self._api_key = api_key
        self._client: Any = client
        self._owns_client = client is None
        self._reachable: tuple[float, bool] | None = None  # (checked at, result)
        parts = urlsplit(self.base_url)
        self._host = parts.hostname or ""
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._local = _is_loopback(self._host)
        self._official = self._host == "api.openai.com"
        self._where = "OpenAI" if self._official else f"{self._host}:{self._port}"

    @property
    def label(self) -> str:
        """Return what the UI shows as "answered by", e.g. ``openai:gpt-4o``."""
        return f"openai:{self.model}"

    def available(self) -> bool:
        """Tell whether a key is there and the endpoint answers a TCP connect (cached ~20 s)."""
        if self._client is None and self._key() is None:
            return False
        now = time.monotonic()
        if self._reachable is not None and now - self._reachable[0] < REACHABLE_TTL_S:
            return self._reachable[1]
        host, port = _probe_target(self.base_url, self._host, self._port)
        ok = _tcp_reachable(host, port, CONNECT_PROBE_S)
        self._reachable = (now, ok)
        return ok

    def stream_chat(self, messages: list[Message], tools: list[ToolSpec]) -> Iterator[ChatDelta]:
        """Stream one model turn: text deltas, then the tool calls (if any), then the finish."""
        openai = self._openai
        request: dict[str, Any] = {
            **self.options,
            "model": self.model,
            "messages": messages if self._official else [_compatible_message(m) for m in messages],
        }
        if tools:
            request["tools"] = tools
            if self.tool_choice is not None:
                request["tool_choice"] = self.tool_choice
        request["stream"] = True
        pending = ToolCallAssembler()
        finish: str | None = None
        started = False
        stream: Any = None
        try:
            stream = self._chat_client().chat.completions.create(**request)
            for chunk in stream:
                started = True
                for choice in chunk.choices or ():  # a usage-only chunk has no choices
                    if choice.index:  # only one answer is asked for; skip stray extras
                        continue
                    delta = choice.delta
                    if delta is not None:
                        if delta.content:
                            yield ChatDelta(text=delta.content)
                        for call in delta.tool_calls or ():
                            pending.add(call)
                    if choice.finish_reason:
                        finish = choice.finish_reason
        except openai.AuthenticationError as exc:
            raise KeyProblem(KEY_REJECTED) from exc
        except openai.RateLimitError as exc:
            raise ProviderFailure(
                f"{self._where}: Anfragelimit oder Guthaben erschöpft – später erneut versuchen"
            ) from exc
        except openai.APITimeoutError as exc:
            self._reachable = None  # make the next available() look again
            raise ProviderFailure(f"{self._where} antwortet nicht (Zeitüberschreitung)") from exc
        except openai.APIConnectionError as exc:
            self._reachable = None
            raise ProviderFailure(self._connection_lost(started)) from exc
        except openai.NotFoundError as exc:
            raise ProviderFailure(
                f"{self._where} kennt das Modell '{self.model}' nicht – in Einstellungen prüfen"
            ) from exc
        except openai.PermissionDeniedError as exc:
            raise ProviderFailure(
                f"{self._where} verweigert den Zugriff auf '{self.model}' – Konto prüfen"
            ) from exc
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            # context too long (a whole manual opened), photo rejected, endpoint quirks: the
            # next provider still answers; the log keeps the detail for a bug report
            log.warning("request rejected by %s: %s", self._where, exc)
            raise ProviderFailure(
                f"{self._where} hat die Anfrage abgelehnt (zu lang oder Foto nicht lesbar)"
            ) from exc
        except openai.APIStatusError as exc:
            if exc.status_code >= 500:
                raise ProviderFailure(
                    f"{self._where}: Serverfehler {exc.status_code} – später erneut versuchen"
                ) from exc
            raise ProviderFailure(
                f"{self._where} lehnt die Anfrage ab ({exc.status_code}: {exc.message})"
            ) from exc
        except openai.APIError as exc:  # an error event inside the stream
            raise ProviderFailure(f"{self._where}: Fehler während der Antwort ({exc})") from exc
        except _transport_errors() as exc:  # SDKs before 3.x let these escape mid-stream
            self._reachable = None
            raise ProviderFailure(self._connection_lost(started)) from exc
        finally:
            close = getattr(stream, "close", None)
            if close is not None:  # the agent may drop us mid-answer: free the connection
                close()
        calls = pending.calls()
        if calls:
            yield ChatDelta(tool_calls=calls)
        yield ChatDelta(finish=finish or ("tool_calls" if calls else "stop"))

    def close(self) -> None:
        """Close the HTTP client this provider created (an injected one stays open)."""
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None

    def _key(self) -> str | None:
        # Resolved on demand so a key entered in the settings works without a restart.
        if self._api_key is None:
            self._api_key = get_secret("openai")
        if self._api_key is None and self._local:
            return LOCAL_DUMMY_KEY
        return self._api_key

    def _chat_client(self) -> Any:
        if self._client is None:
            key = self._key()
            if key is None:
                raise KeyProblem(KEY_MISSING)
            self._client = self._openai.OpenAI(
                api_key=key, base_url=self.base_url, timeout=self.timeout, max_retries=MAX_RETRIES
            )
        return self._client

    def _connection_lost(self, started: bool) -> str:
        if started:
            return f"Verbindung zu {self._where} während der Antwort abgebrochen"
        if self._local:
            return f"Lokaler Server {self._where} nicht erreichbar – läuft er?"
        return f"{self._where} nicht erreichbar – offline?"


def _compatible_message(message: Message) -> Message:
    """Send ``content: ""`` instead of ``None`` on a tool-calling assistant turn.

    ``None`` is OpenAI's own form, but llama.cpp's server rejects it (with a 500), and its
    GGUF-template path fails on a missing key; an empty string passes everywhere we tried.
    """
    if message.get("role") == "assistant" and message.get("content", "") is None:
        return {**message, "content": ""}
    return message


def image_message(text: str, image_path: Path) -> Message:
    """Build a user message carrying ``text`` and the photo at ``image_path`` (vision format)."""
    mime = IMAGE_TYPES.get(image_path.suffix.lower())
    if mime is None:
        raise BadImage(
            image_path,
            f"Bildformat '{image_path.suffix or '?'}' wird nicht unterstützt – "
            "bitte als JPEG, PNG, WebP oder GIF speichern",
        )
    try:
        data = image_path.read_bytes()
    except OSError as exc:
        raise BadImage(image_path, f"Foto nicht lesbar ({exc.strerror or exc})") from exc
    if not data:
        raise BadImage(image_path, "Die Bilddatei ist leer")
    # A photo renamed to the wrong suffix (HEIC saved as .jpg) would only fail at the server.
    if not data.startswith(_MAGIC[mime]) or (mime == "image/webp" and data[8:12] != b"WEBP"):
        raise BadImage(image_path, f"Die Datei ist kein gültiges {mime.split('/')[1].upper()}")
    url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return {
        "role": "user",
        "content": [
            {"type": "text", "text": text},
            {"type": "image_url", "image_url": {"url": url}},
        ],
    }


@dataclass
class _Call:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class ToolCallAssembler:
    """Tool calls assembled from streamed fragments, in the order the model opened them."""

    slots: dict[int, _Call] = field(default_factory=dict)

    def add(self, fragment: Any) -> None:
        """Merge one streamed tool-call fragment (index, id, name, argument piece)."""
        index = fragment.index
        if index is None:  # non-conforming servers: a new id opens a call, else continue the last
            opens = fragment.id and all(c.id != fragment.id for c in self.slots.values())
            index = len(self.slots) if opens or not self.slots else max(self.slots)
        call = self.slots.setdefault(index, _Call())
        if fragment.id and not call.id:
            call.id = fragment.id
        function = fragment.function
        if function is None:
            return
        # OpenAI sends the name once; llama.cpp repeats the whole name in every fragment.
        if function.name and function.name != call.name:
            call.name += function.name
        if function.arguments:
            call.arguments.append(function.arguments)

    def calls(self) -> tuple[ToolCall, ...]:
        """Return the finished calls with parsed arguments."""
        return tuple(
            ToolCall(
                id=call.id or f"call_{index}",
                name=call.name,
                arguments=parse_arguments("".join(call.arguments)),
            )
            for index, call in sorted(self.slots.items())
        )


def parse_arguments(raw: str) -> dict[str, Any]:
    """Parse a tool call's JSON arguments; report bad JSON as ``_raw``/``_error`` for the model."""
    text = raw.strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return {
            "_raw": raw,
            "_error": f"Argumente sind kein gültiges JSON: {exc.msg} (Zeichen {exc.pos})",
        }
    if not isinstance(value, dict):
        return {"_raw": raw, "_error": "Argumente müssen ein JSON-Objekt sein"}
    return value


def _import_openai() -> Any:
    try:
        return importlib.import_module("openai")
    except ImportError as exc:
        raise MissingExtra("openai", "cloud", "GPT-4o") from exc


def _transport_errors() -> tuple[type[BaseException], ...]:
    # openai 3.x runs on httpx2 and wraps its errors; 1.x ran on httpx and did not always.
    errors: list[type[BaseException]] = []
    for name in ("httpx2", "httpx"):
        try:
            errors.append(importlib.import_module(name).TransportError)
        except ImportError:
            continue
    return tuple(errors)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _probe_target(base_url: str, host: str, port: int) -> tuple[str, int]:
    """Return where a connect proves reachability: the proxy when one applies, else the host."""
    if _is_loopback(host):
        return host, port
    # The same proxy lookup httpx does (environment, then the OS settings on Windows/macOS).
    proxies = urllib.request.getproxies()
    # The stub lacks this long-standing function; it applies the "no" (no_proxy) entry.
    if urllib.request.proxy_bypass_environment(host, proxies):  # type: ignore[attr-defined]
        return host, port
    proxy = proxies.get(urlsplit(base_url).scheme) or proxies.get("all")
    if proxy:
        parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if parts.hostname:
            return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    return host, port


def _tcp_reachable(host: str, port: int, timeout: float) -> bool:
    """Tell whether ``host:port`` accepts a TCP connection within ``timeout`` seconds."""
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    # A thread, because create_connection's timeout does not bound the DNS lookup, which can
    # hang far longer on a captive or half-dead network.
    worker = threading.Thread(target=probe, name="nikdesk-reachability", daemon=True)
    worker.start()
    worker.join(timeout)
    return bool(result and result[0])
