"""A clock moved forward by hand, to stand in for a module's `utcnow` in throttle tests."""

from datetime import timedelta

from services.common.columns import utcnow


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class SecondsClock:
    """A monotonic clock (seconds, as time.monotonic gives) that a test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cache_on_clock(statuses, monkeypatch) -> SecondsClock:
    """An account-status cache given a 5-second life on a clock the test moves."""
    clock = SecondsClock()
    monkeypatch.setattr(statuses, "ttl", 5.0)
    monkeypatch.setattr(statuses, "clock", clock)
    return clock
