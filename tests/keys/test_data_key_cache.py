from __future__ import annotations

import pickle
import threading

import pytest

from service.keys.cache import DataKeyCache

KEY_A = b"A" * 32
KEY_B = b"B" * 32
KEY_C = b"C" * 32


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_cached_key_is_returned_and_an_unknown_one_misses() -> None:
    cache = DataKeyCache()
    cache.put("vault:v1:a", KEY_A)
    assert cache.get("vault:v1:a") == KEY_A
    assert cache.get("vault:v1:b") is None


def test_the_least_recently_used_key_is_evicted_beyond_max_entries() -> None:
    cache = DataKeyCache(max_entries=2)
    cache.put("a", KEY_A)
    cache.put("b", KEY_B)
    assert cache.get("a") == KEY_A  # "b" is now the least recently used
    cache.put("c", KEY_C)
    assert len(cache) == 2
    assert cache.get("b") is None
    assert cache.get("a") == KEY_A
    assert cache.get("c") == KEY_C


def test_a_key_older_than_max_age_is_never_returned() -> None:
    clock = ManualClock()
    cache = DataKeyCache(max_age_seconds=60.0, clock=clock)
    cache.put("a", KEY_A)
    clock.now += 59.9
    assert cache.get("a") == KEY_A
    clock.now += 0.1
    assert cache.get("a") is None
    assert len(cache) == 0


def test_reading_a_key_does_not_extend_its_age() -> None:
    clock = ManualClock()
    cache = DataKeyCache(max_age_seconds=10.0, clock=clock)
    cache.put("a", KEY_A)
    for _ in range(3):
        clock.now += 4
        cache.get("a")
    assert cache.get("a") is None


def test_discard_and_clear_forget_keys() -> None:
    cache = DataKeyCache()
    cache.put("a", KEY_A)
    cache.put("b", KEY_B)
    cache.discard("a")
    cache.discard("never-cached")
    assert cache.get("a") is None
    assert cache.get("b") == KEY_B
    cache.clear()
    assert len(cache) == 0


def test_a_cache_of_size_zero_holds_nothing() -> None:
    cache = DataKeyCache(max_entries=0)
    cache.put("a", KEY_A)
    assert cache.get("a") is None


def test_key_material_never_appears_in_repr_and_cannot_be_pickled() -> None:
    secret = bytes(range(32))
    cache = DataKeyCache()
    cache.put("a", secret)
    shown = repr(cache) + str(cache)
    assert secret.hex() not in shown
    assert repr(secret) not in shown
    assert "entries=1" in shown
    with pytest.raises(TypeError):
        pickle.dumps(cache)


def test_negative_bounds_are_refused() -> None:
    with pytest.raises(ValueError):
        DataKeyCache(max_entries=-1)
    with pytest.raises(ValueError):
        DataKeyCache(max_age_seconds=-1)


def test_concurrent_use_never_exceeds_the_bound_or_mixes_up_keys() -> None:
    cache = DataKeyCache(max_entries=16)
    errors: list[str] = []

    def worker(worker_id: int) -> None:
        for i in range(500):
            wrapped = f"{worker_id}:{i % 40}"
            key = wrapped.encode().ljust(32, b"\0")
            cache.put(wrapped, key)
            found = cache.get(wrapped)
            if found is not None and found != key:
                errors.append(wrapped)
            if len(cache) > 16:
                errors.append("bound exceeded")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) <= 16
