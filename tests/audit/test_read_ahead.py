"""The verifier's read-ahead: batches in order, errors surface, early exits clean up."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from service.audit.read_ahead import read_ahead


def test_every_batch_arrives_in_order() -> None:
    def batches() -> Generator[list[int], None, None]:
        for n in range(50):
            yield [n, n + 1]

    assert list(read_ahead(batches())) == [[n, n + 1] for n in range(50)]


def test_an_error_while_reading_is_raised_to_the_reader_after_the_batches_before_it() -> None:
    def batches() -> Generator[int, None, None]:
        yield 1
        raise ValueError("the connection dropped")

    seen = []
    with pytest.raises(ValueError, match="dropped"):
        for batch in read_ahead(batches()):
            seen.append(batch)
    assert seen == [1]


def test_stopping_early_closes_the_source_and_its_thread() -> None:
    closed = []

    def batches() -> Generator[int, None, None]:
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.append(True)

    reader = read_ahead(batches())
    assert next(reader) == 0
    reader.close()  # what a failing verify loop does
    assert closed == [True]
