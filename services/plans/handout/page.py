"""The handout as one self-contained printable HTML page: the style inline (a print layout
included), no script, no image, no font or sheet fetched from anywhere, so it prints the same
from a browser, a saved file or an e-mail.

Every piece of text a person wrote (names, notes, instructions, the clinic's address) goes
through `_text`, which escapes it; nothing else is put into the markup. The response also
carries a Content-Security-Policy that forbids scripts (routes.py), should that ever slip.
"""

import html
from datetime import date

from services.plans.handout.schemas import (
    ANY_WORRY,
    Clinic,
    Handout,
    HandoutExercise,
    WhenToCall,
)

STYLE = """
body { font-family: "Helvetica Neue", Arial, sans-serif; font-size: 12pt; line-height: 1.45;
       color: #111; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       overflow-wrap: anywhere; }
header { border-bottom: 2px solid #222; padding-bottom: .6rem; margin-bottom: 1rem; }
h1 { font-size: 1.6rem; margin: .6rem 0; }
h2 { font-size: 1.25rem; margin: 1.4rem 0 .4rem; border-bottom: 1px solid #999; }
h3 { font-size: 1.1rem; margin: 0 0 .2rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
.written { white-space: pre-line; }
.exercise { border: 1px solid #bbb; border-radius: 6px; padding: .6rem .9rem; margin: .8rem 0;
            break-inside: avoid; page-break-inside: avoid; }
.dosage { font-weight: bold; margin: 0 0 .4rem; }
.note { background: #f3f3f3; padding: .3rem .5rem; }
.call { border: 2px solid #a00; border-radius: 6px; padding: .2rem .9rem .6rem; margin-top: 1.4rem;
        break-inside: avoid; page-break-inside: avoid; }
.call h2 { border: 0; color: #a00; }
footer { margin-top: 1.6rem; font-size: .85rem; color: #444; }
@media print {
  @page { margin: 15mm; }
  body { margin: 0; max-width: none; font-size: 11pt; }
  .exercise, .call { border-color: #000; }
  .note { background: none; border-left: 3px solid #000; }
  .call h2 { color: #000; }
}
"""


def render(handout: Handout) -> str:
    """The whole page, UTF-8 text."""
    title = "Home exercise program" + (f": {handout.patient_name}" if handout.patient_name else "")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            '<head>\n<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_text(title)}</title>",
            f"<style>{STYLE}</style>\n</head>",
            "<body>",
            _header(handout),
            "<main>",
            _plan_note(handout.plan_note),
            _home_part(handout.home),
            _clinic_part(handout.at_the_clinic),
            _education(handout),
            _when_to_call(handout.when_to_call, handout.clinic),
            "</main>",
            f"<footer>{_text(handout.clinic.name)} &middot; printed "
            f"{_text(long_date(handout.printed_on))}</footer>",
            "</body>\n</html>\n",
        ]
    )


def long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _text(written: str) -> str:
    return html.escape(written, quote=True)


def _header(handout: Handout) -> str:
    clinic = handout.clinic
    phone = f"<br>Phone: {_text(clinic.phone)}" if clinic.phone else ""
    facts = [("Patient", handout.patient_name), ("Therapist", handout.therapist_name)]
    facts.append(("Date", long_date(handout.printed_on)))
    rows = "".join(
        f"<dt>{label}</dt><dd>{_text(value)}</dd>" for label, value in facts if value is not None
    )
    return (
        f'<header>\n<p class="clinic"><strong>{_text(clinic.name)}</strong><br>'
        f"{_text(clinic.address)}{phone}</p>\n"
        f'<h1>Your home exercise program</h1>\n<dl class="facts">{rows}</dl>\n</header>'
    )


def _plan_note(note: str | None) -> str:
    if not note:
        return ""
    return f'<p class="note written"><strong>From your therapist:</strong> {_text(note)}</p>'


def _home_part(exercises: tuple[HandoutExercise, ...]) -> str:
    if not exercises:
        return "<section>\n<h2>At home</h2>\n<p>No home exercises on this plan yet.</p>\n</section>"
    items = "\n".join(_exercise(exercise) for exercise in exercises)
    return f"<section>\n<h2>At home</h2>\n<ol>\n{items}\n</ol>\n</section>"


def _exercise(exercise: HandoutExercise) -> str:
    parts = [
        f"<h3>{_text(exercise.name)}</h3>",
        f'<p class="dosage">{_text(exercise.dosage)}</p>',
        f'<p class="written">{_text(exercise.instructions)}</p>',
    ]
    if exercise.cues:
        cues = "".join(f"<li>{_text(cue)}</li>" for cue in exercise.cues)
        parts.append(f"<p><strong>Keep in mind:</strong></p><ul>{cues}</ul>")
    if exercise.precautions:
        parts.append(
            f'<p class="written"><strong>Take care:</strong> {_text(exercise.precautions)}</p>'
        )
    if exercise.note:
        parts.append(
            f'<p class="note written"><strong>From your therapist:</strong> '
            f"{_text(exercise.note)}</p>"
        )
    return '<li class="exercise">\n' + "\n".join(parts) + "\n</li>"


def _clinic_part(exercises: tuple[HandoutExercise, ...]) -> str:
    if not exercises:
        return ""
    items = "".join(
        f"<li><strong>{_text(e.name)}</strong>: {_text(e.dosage)}"
        + (f'<br><span class="written">{_text(e.note)}</span>' if e.note else "")
        + "</li>"
        for e in exercises
    )
    return (
        "<section>\n<h2>At the clinic</h2>\n"
        "<p>These you do with your therapist at your visits, not at home.</p>\n"
        f"<ul>{items}</ul>\n</section>"
    )


def _education(handout: Handout) -> str:
    if not handout.education:
        return ""
    points = "".join(
        f'<dt><strong>{_text(p.title)}</strong></dt><dd class="written">{_text(p.text)}</dd>'
        for p in handout.education
    )
    return f"<section>\n<h2>Good to know</h2>\n<dl>{points}</dl>\n</section>"


def _when_to_call(when: WhenToCall, clinic: Clinic) -> str:
    whom = _text(clinic.name) + (
        f" at <strong>{_text(clinic.phone)}</strong>" if clinic.phone else ""
    )
    signs = "".join(f"<li>{_text(sign)}</li>" for sign in (*when.signs, ANY_WORRY))
    advice = f'<p class="written">{_text(when.advice)}</p>' if when.advice else ""
    return (
        f'<section class="call">\n<h2>When to call the clinic</h2>\n'
        f"<p>Call {whom} if:</p>\n<ul>{signs}</ul>\n{advice}\n</section>"
    )
