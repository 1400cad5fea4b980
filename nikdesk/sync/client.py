"""HTTP client of the sync server: account calls, tokens, push/pull/photos with retries.

Retries: ``tenacity`` retries a call on transport errors (refused, reset, timeout, a response
that never came) and on 502/503/504, with exponential backoff and jitter, for at most
``NIKDESK_SYNC_RETRY_SECONDS`` (default 30 s). Retrying a push is safe: the server skips
changes whose ``seq`` it has already applied for this device.

Tokens: the refresh token lives only in the secret store (keyring); the short-lived access
token is cached there too so separate CLI runs do not rotate the refresh token each time.
A 401 triggers one refresh (rotation) and one retry; a refused refresh means "signed out".
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from nikdesk.core.errors import MissingExtra

try:
    import httpx
    from tenacity import (
        Retrying,
        retry_if_exception,
        stop_after_delay,
        wait_exponential_jitter,
    )
except ImportError as exc:  # pragma: no cover - the sync extra is part of the app build
    raise MissingExtra(exc.name or "httpx", "sync", "Syncing with the NikDesk server") from exc

from nikdesk.core.sync import (
    SCHEMA_VERSION,
    TOO_OLD_CODE,
    PullResponse,
    PushRequest,
    PushResponse,
)
from nikdesk.storage.secrets import delete_secret, get_secret, set_secret
from nikdesk.sync.errors import (
    AccountError,
    ClientTooOld,
    ServerError,
    SignedOut,
    SyncOffline,
)

T = TypeVar("T")
_RETRY_STATUS = (502, 503, 504)
USER_AGENT = "NikDesk-Laptop/1"


class _Retryable(Exception):
    """A 502/503/504 answer: try again later."""


def _retry_seconds() -> float:
    try:
        return float(os.environ.get("NIKDESK_SYNC_RETRY_SECONDS", "30"))
    except ValueError:
        return 30.0


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, httpx.TransportError | _Retryable)


def refresh_secret(account_id: str) -> str:
    return f"sync-refresh-{account_id}"


def access_secret(account_id: str) -> str:
    return f"sync-access-{account_id}"


# access tokens already read in this process: the encrypted secrets file costs a slow KDF per read
_memory: dict[str, tuple[str, float]] = {}


@dataclass
class Tokens:
    """The sign-in of one account: refresh token in the keyring, access token cached."""

    account_id: str

    def save(self, pair: dict[str, Any]) -> None:
        """Store a fresh pair from /auth/login or /auth/refresh (refresh token first)."""
        set_secret(refresh_secret(self.account_id), str(pair["refresh_token"]))
        expires = time.time() + float(pair.get("expires_in", 600)) - 30
        cached = json.dumps({"token": pair["access_token"], "expires": expires})
        set_secret(access_secret(self.account_id), cached)
        _memory[self.account_id] = (str(pair["access_token"]), expires)

    def access(self) -> str | None:
        """Return a cached, unexpired access token (by this laptop's clock), else None."""
        token, expires = _memory.get(self.account_id, ("", 0.0))
        if token and expires > time.time():
            return token
        raw = get_secret(access_secret(self.account_id))
        if not raw:
            return None
        try:
            cached = json.loads(raw)
        except ValueError:
            return None
        if cached.get("expires", 0) <= time.time():
            return None
        _memory[self.account_id] = (str(cached["token"]), float(cached["expires"]))
        return str(cached["token"])

    def refresh_token(self) -> str | None:
        return get_secret(refresh_secret(self.account_id))

    def forget(self) -> None:
        """Remove both tokens from the secret store."""
        _memory.pop(self.account_id, None)
        delete_secret(refresh_secret(self.account_id))
        delete_secret(access_secret(self.account_id))


class ServerApi:
    """Talk to one NikDesk server (``base_url``) for one account."""

    def __init__(
        self,
        base_url: str,
        tokens: Tokens | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        retry_seconds: float | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        # how long transient failures are retried (None: NIKDESK_SYNC_RETRY_SECONDS, 30 s)
        self.retry_seconds = retry_seconds
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ServerApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------------

    def _send(self, call: Callable[[], httpx.Response]) -> httpx.Response:
        """Run ``call`` with retries on transient failures; raise SyncOffline at the end."""
        retrying = Retrying(
            retry=retry_if_exception(_is_transient),
            wait=wait_exponential_jitter(multiplier=0.2, max=5.0, jitter=0.3),
            stop=stop_after_delay(
                _retry_seconds() if self.retry_seconds is None else self.retry_seconds
            ),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    response = call()
                    if response.status_code in _RETRY_STATUS:
                        raise _Retryable(str(response.status_code))
                    return response
        except (httpx.TransportError, _Retryable) as exc:
            raise SyncOffline(
                f"Server {self.base_url} nicht erreichbar ({type(exc).__name__}) – "
                "die Änderungen bleiben gespeichert und gehen beim nächsten Sync mit."
            ) from exc
        raise AssertionError("unreachable")

    def _authed(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send an authenticated request; refresh the token once on 401."""
        token = self._access_token()
        response = self._send(lambda: self._http.request(method, path, **_auth(kwargs, token)))
        if response.status_code == 401:
            _memory.pop(self.tokens.account_id if self.tokens else "", None)
            token = self._refresh()
            response = self._send(lambda: self._http.request(method, path, **_auth(kwargs, token)))
            if response.status_code == 401:
                raise _signed_out()
        return response

    def _access_token(self) -> str:
        if self.tokens is None:
            raise _signed_out()
        return self.tokens.access() or self._refresh()

    def _refresh(self) -> str:
        """Rotate the refresh token (the new one is stored before it is used)."""
        if self.tokens is None or not (refresh := self.tokens.refresh_token()):
            raise _signed_out()
        response = self._send(
            lambda: self._http.post("/auth/refresh", json={"refresh_token": refresh})
        )
        if response.status_code in (400, 401, 403):
            raise _signed_out()
        pair = _json(response)
        self.tokens.save(pair)
        return str(pair["access_token"])

    # -- accounts ------------------------------------------------------------------------

    def register(self, email: str, password: str, name: str) -> dict[str, Any]:
        body = {"email": email, "password": password, "display_name": name}
        return _json(self._send(lambda: self._http.post("/auth/register", json=body)), 201)

    def verify(self, email: str, code: str) -> dict[str, Any]:
        body = {"email": email, "code": code.strip()}
        return _json(self._send(lambda: self._http.post("/auth/verify-code", json=body)))

    def request_code(self, email: str) -> None:
        self._send(lambda: self._http.post("/auth/request-verify-token", json={"email": email}))

    def login(self, email: str, password: str, device_id: str, device_name: str) -> dict[str, Any]:
        form = {
            "username": email,
            "password": password,
            "device_id": device_id,
            "device_name": device_name,
        }
        return _json(self._send(lambda: self._http.post("/auth/login", data=form)))

    def me(self, access_token: str | None = None) -> dict[str, Any]:
        if access_token is not None:
            headers = {"Authorization": f"Bearer {access_token}"}
            return _json(self._send(lambda: self._http.get("/auth/me", headers=headers)))
        return _json(self._authed("GET", "/auth/me"))

    def logout(self) -> None:
        """End this sign-in on the server (best effort: offline logout still works locally)."""
        token = self.tokens.access() if self.tokens else None
        if token:
            headers = {"Authorization": f"Bearer {token}"}
            self._send(lambda: self._http.post("/auth/logout", headers=headers))

    def report_release(self, device_id: str, version: int | None, root_version: int | None) -> None:
        """Tell the server which index release this device runs (the admin's overview).

        Best effort: the caller opens this client with ``retry_seconds=0`` (one attempt).
        """
        body = {"device_id": device_id, "version": version, "root_version": root_version}
        _json(self._authed("POST", "/releases/report", json=body), 204)

    # -- sync ----------------------------------------------------------------------------

    def push(self, request: PushRequest) -> PushResponse:
        body = request.model_dump(mode="json")
        return PushResponse.model_validate(_json(self._authed("POST", "/sync/push", json=body)))

    def pull(self, device_id: str, since: int, limit: int = 500) -> tuple[PullResponse, int]:
        """Return one page and its size in bytes on the wire."""
        params = {
            "device_id": device_id,
            "since": since,
            "limit": limit,
            "schema_version": SCHEMA_VERSION,
        }
        response = self._authed("GET", "/sync/pull", params=params)
        return PullResponse.model_validate(_json(response)), len(response.content)

    def has_photo(self, sha256: str) -> bool:
        response = self._authed("HEAD", f"/sync/photos/{sha256}")
        if response.status_code not in (200, 404):
            _json(response)  # raises the server's error
        return response.status_code == 200

    def put_photo(self, sha256: str, data: bytes) -> None:
        headers = {"Content-Type": "application/octet-stream"}
        _json(self._authed("PUT", f"/sync/photos/{sha256}", content=data, headers=headers), 201)

    def get_photo(self, sha256: str) -> bytes:
        response = self._authed("GET", f"/sync/photos/{sha256}")
        if response.status_code != 200:
            _json(response)
        return response.content


def _auth(kwargs: dict[str, Any], token: str) -> dict[str, Any]:
    headers = {**kwargs.get("headers", {}), "Authorization": f"Bearer {token}"}
    return {**kwargs, "headers": headers}


def _signed_out() -> SignedOut:
    return SignedOut(
        "Abgemeldet – bitte erneut anmelden (nikdesk account login). "
        "Nicht synchronisierte Änderungen bleiben auf diesem Gerät erhalten."
    )


def _json(response: httpx.Response, expect: int = 200) -> dict[str, Any]:
    """Return the JSON body of a successful answer, else raise the matching typed error."""
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = {}
    if response.status_code == expect or (expect == 200 and response.status_code < 300):
        return dict(body) if isinstance(body, dict) else {"items": body}
    code = str(body.get("detail", "")) if isinstance(body, dict) else ""
    message = str(body.get("message", "")) if isinstance(body, dict) else ""
    if response.status_code == 426 or code == TOO_OLD_CODE:
        raise ClientTooOld(message or "Bitte aktualisieren Sie NikDesk.")
    if response.status_code == 401:
        raise _signed_out()
    if response.status_code in (400, 403, 404, 409, 422, 429):
        raise AccountError(message or f"Der Server lehnte ab: {code or response.status_code}")
    raise ServerError(
        f"Serverfehler ({response.status_code}) – bitte später erneut synchronisieren."
    )
