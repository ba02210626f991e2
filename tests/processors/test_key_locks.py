"""The Stripe adapter's per-key send locks: sends of one key take turns, sends of different
keys never wait for each other (striped locks made unrelated charges queue behind each other's
processor calls on renewal day). Pure in-process locking: nothing external can fail here."""

from __future__ import annotations

import threading

from service.processors.stripe_adapter import _KeyLocks


def test_different_keys_never_wait_for_each_other() -> None:
    locks = _KeyLocks()
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with locks.held("sr-rc-held"):
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    acquired: list[str] = []

    def others() -> None:
        for n in range(500):
            with locks.held(f"sr-rc-other-{n}"):
                acquired.append(str(n))

    other = threading.Thread(target=others)
    other.start()
    other.join(5)
    release.set()
    holder.join(10)
    assert len(acquired) == 500


def test_one_key_takes_turns_and_is_forgotten_after() -> None:
    locks = _KeyLocks()
    inside = 0
    most = 0
    guard = threading.Lock()

    def send() -> None:
        nonlocal inside, most
        with locks.held("sr-rc-same"):
            with guard:
                inside += 1
                most = max(most, inside)
            threading.Event().wait(0.01)
            with guard:
                inside -= 1

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most == 1
    assert locks._held == {}
