"""What the app's wiring installs at start, read by the code that needs it.

Domains do not register themselves on import: ``service/app/wiring.py`` lists every job,
erasure handler, token resolver and key holder and installs each list into its slot once.
Reading a slot before then fails loudly: an erasure that silently skipped a domain would leave
that domain's personal data behind.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class NotWired(RuntimeError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} used before service.app.wiring.wire() installed it")


class Slot(Generic[T]):
    """One installed value, named for the error raised when it is read too early."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._value: T | None = None

    def install(self, value: T) -> None:
        self._value = value

    def get(self) -> T:
        if self._value is None:
            raise NotWired(self.what)
        return self._value
