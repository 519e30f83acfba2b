"""Small charts drawn with block characters: the pain trend and the share of sessions done."""

from collections.abc import Sequence

from rich.text import Text

from clinic_client.cli.when import spoken_day
from clinic_client.models.plans import PainPoint

SPARKS = "▁▂▃▄▅▆▇█"
PAIN_MAX = 10


def pain_colour(pain: int) -> str:
    """As the protocol reads a score: 7 or more needs a call to the clinic."""
    return "green" if pain <= 3 else "yellow" if pain <= 6 else "red"


def sparkline(pains: Sequence[int]) -> Text:
    line = Text()
    for pain in pains:
        spark = SPARKS[min(len(SPARKS) - 1, pain * len(SPARKS) // (PAIN_MAX + 1))]
        line.append(spark, style=pain_colour(pain))
    return line


def pain_bars(points: Sequence[PainPoint], *, last: int = 14) -> list[Text]:
    """One line a day, newest last: the date, a bar as long as the pain, the score."""
    lines = []
    for point in points[-last:]:
        line = Text(f"{spoken_day(point.date):<16} ")
        line.append("█" * point.pain, style=pain_colour(point.pain))
        line.append("·" * (PAIN_MAX - point.pain), style="dim")
        line.append(f" {point.pain}")
        lines.append(line)
    return lines


def share_bar(percent: float | None, *, width: int = 10) -> Text:
    if percent is None:
        return Text("no target", style="dim")
    filled = round(min(percent, 100) * width / 100)
    bar = Text("█" * filled, style="green" if percent >= 80 else "yellow")
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {percent:.0f}%")
    return bar
