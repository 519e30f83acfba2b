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
