"""Which moves an appointment's status allows, and where each one leads.

    booked ──check-in──> checked_in ──complete──> completed
      │  └──no-show──> no_show          <──undo-completion──┘
      ├──cancel──> cancelled
      └──reschedule──> booked (another time)

A move from any other status answers 409 naming the moves that status allows. The move and
its status check are one conditional UPDATE's worth of work on a locked row, so two racing
moves of one appointment cannot both happen.
"""

from services.common.errors import Conflict
from services.scheduling.models import Appointment

FROM: dict[str, tuple[str, ...]] = {  # move -> the statuses it may start from
    "check-in": ("booked",),
    "no-show": ("booked",),
    "cancel": ("booked",),
    "reschedule": ("booked",),
    "complete": ("checked_in",),
    "undo-completion": ("completed",),
}
TO = {  # move -> the status it leads to
    "check-in": "checked_in",
    "no-show": "no_show",
    "cancel": "cancelled",
    "reschedule": "booked",
    "complete": "completed",
    "undo-completion": "checked_in",
}


def moves_from(status: str) -> list[str]:
    return [move for move, starts in FROM.items() if status in starts]


def check_move(appointment: Appointment, move: str) -> None:
    """409 unless the appointment's status allows the move, saying which moves it allows."""
    if appointment.status in FROM[move]:
        return
    allowed = moves_from(appointment.status)
    options = ", ".join(allowed) if allowed else "none: it is final"
    raise Conflict(
        f"The appointment is {appointment.status.replace('_', ' ')}: {move} is not a move "
        f"from there. The moves allowed are: {options}.",
        status_now=appointment.status,
        allowed_moves=allowed,
    )
