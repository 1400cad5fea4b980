"""One registry shape for every backend kind (chat providers, embedders, rerankers).

A registry maps a name to a factory. Factories import their heavy libraries inside, so listing
or choosing a backend costs nothing; a missing optional package raises ``MissingExtra`` naming
the pip extra. Built-ins are registered on first use, each on its own, so registering a test
double under one name never hides the other built-ins; ``registered()`` removes it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from nikdesk.core.errors import NikDeskError

T = TypeVar("T")
Factory = Callable[..., T]


class UnknownBackend(NikDeskError):
    """A backend name that no registry entry has."""


class Registry(Generic[T]):
    """Name -> factory for one backend kind."""

    def __init__(self, kind: str, builtins: Callable[[], dict[str, Factory[T]]]) -> None:
        self.kind = kind  # German, for messages ("Anbieter", "Embedder", "Reranker")
        self._builtins = builtins
        self._loaded = False
        self._factories: dict[str, Factory[T]] = {}
        self._overrides: dict[str, Factory[T]] = {}

    def _ensure(self) -> None:
        if not self._loaded:
            self._factories.update(self._builtins())
            self._loaded = True

    def register(self, name: str, factory: Factory[T]) -> None:
        """Use ``factory`` for ``name`` (replacing a built-in of that name until unregistered)."""
        self._overrides[name] = factory

    def unregister(self, name: str) -> None:
        """Remove what :meth:`register` added under ``name`` (built-ins stay)."""
        self._overrides.pop(name, None)

    def clear_overrides(self) -> None:
        """Remove everything :meth:`register` added (tests call it after each test)."""
        self._overrides.clear()

    @contextmanager
    def registered(self, name: str, factory: Factory[T]) -> Iterator[None]:
        """Register ``factory`` for the duration of a ``with`` block (tests)."""
        previous = self._overrides.get(name)
        self.register(name, factory)
        try:
            yield
        finally:
            if previous is None:
                self.unregister(name)
            else:
                self._overrides[name] = previous

    def names(self) -> list[str]:
        """Return every registered name."""
        self._ensure()
        return sorted({*self._factories, *self._overrides})

    def __contains__(self, name: object) -> bool:
        return name in self.names()

    def factory(self, name: str) -> Factory[T]:
        """Return the factory of ``name``; unknown names list the known ones."""
        self._ensure()
        found = self._overrides.get(name) or self._factories.get(name)
        if found is None:
            raise UnknownBackend(
                f"Unbekannter {self.kind} '{name}'. Verfügbar: {', '.join(self.names())}"
            )
        return found

    def create(self, name: str, **kwargs: Any) -> T:
        """Create backend ``name`` with ``kwargs``."""
        return self.factory(name)(**kwargs)
