"""The handout as a PDF, drawn with fpdf2 (pure Python) on US Letter paper.

The text is set in DejaVu Sans, bundled in `fonts/` (cut down to Latin, Greek and Cyrillic;
how and the licence are there), not in a PDF core font: the core fonts hold Latin-1 only, and
a patient's or therapist's name may not (an em dash, a Vietnamese name). Nothing is fetched at
run time. A character the fonts lack (CJK, emoji) is dropped or drawn as a box, never an error.
Drawing one takes about 70 ms of CPU, most of it reading and subsetting the fonts: routes.py
runs it off the event loop.
"""

import logging
import unicodedata
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.plans.handout.page import long_date
from services.plans.handout.schemas import ANY_WORRY, Handout, HandoutExercise

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
BODY_SIZE = 11  # points
LINE = 0.5  # line height in mm per point of type size


class _NoMissingGlyphs(logging.Filter):
    """fpdf2 warns of glyphs a font lacks by quoting them, and they may come from a patient's
    name: keep them out of the logs (no PHI in a log line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "missing the following glyphs" not in record.getMessage()


logging.getLogger("fpdf.output").addFilter(_NoMissingGlyphs())


class _Document(FPDF):
    def __init__(self, footer: str) -> None:
        super().__init__(format="letter")
        self.footer_text = footer
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title("Home exercise program")
        self.set_creator("Clinic plans service")

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 5, f"{self.footer_text} · page {self.page_no()} of {{nb}}", align="C")

    def para(
        self, text: str, *, size: int = BODY_SIZE, bold: bool = False, indent: int = 0
    ) -> None:
        """A paragraph of text, wrapped to the margins; an indent in mm."""
        self.set_font(FAMILY, "B" if bold else "", size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * LINE, _printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def gap(self, mm: float = 2.5) -> None:
        self.ln(mm)

    def rule(self) -> None:
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.gap(3)


def render(handout: Handout) -> bytes:
    """The whole PDF document."""
    pdf = _Document(f"{handout.clinic.name} · printed {long_date(handout.printed_on)}")
    pdf.add_page()
    _header(pdf, handout)
    _home_part(pdf, handout.home)
    _clinic_part(pdf, handout.at_the_clinic)
    _education(pdf, handout)
    _when_to_call(pdf, handout)
    return bytes(pdf.output())


def _printable(text: str) -> str:
    """Composed accents (a name typed as e + combining circumflex prints as ê, which DejaVu
    has), line ends as newlines, and no other control characters."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\t", " "))
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")


def _header(pdf: _Document, handout: Handout) -> None:
    clinic = handout.clinic
    pdf.para(clinic.name, size=13, bold=True)
    pdf.para(clinic.address)
    if clinic.phone:
        pdf.para(f"Phone: {clinic.phone}")
    pdf.gap(4)
    pdf.para("Your home exercise program", size=18, bold=True)
    pdf.gap(1)
    if handout.patient_name:
        pdf.para(f"Patient: {handout.patient_name}")
    pdf.para(f"Therapist: {handout.therapist_name}")
    pdf.para(f"Date: {long_date(handout.printed_on)}")
    pdf.gap()
    pdf.rule()
    if handout.plan_note:
        pdf.para("From your therapist:", bold=True)
        pdf.para(handout.plan_note)
        pdf.gap()


def _section(pdf: _Document, title: str) -> None:
    pdf.gap(2)
    pdf.para(title, size=14, bold=True)
    pdf.gap(1.5)


def _home_part(pdf: _Document, exercises: tuple[HandoutExercise, ...]) -> None:
    _section(pdf, "At home")
    if not exercises:
        pdf.para("No home exercises on this plan yet.")
    for number, exercise in enumerate(exercises, start=1):
        _exercise(pdf, number, exercise)


def _exercise(pdf: _Document, number: int, exercise: HandoutExercise) -> None:
    pdf.para(f"{number}. {exercise.name}", size=12, bold=True)
    pdf.para(exercise.dosage, bold=True)
    pdf.para(exercise.instructions)
    for cue in exercise.cues:
        pdf.para(f"•  {cue}", indent=4)
    if exercise.precautions:
        pdf.para(f"Take care: {exercise.precautions}")
    if exercise.note:
        pdf.para(f"From your therapist: {exercise.note}")
    pdf.gap(4)


def _clinic_part(pdf: _Document, exercises: tuple[HandoutExercise, ...]) -> None:
    if not exercises:
        return
    _section(pdf, "At the clinic")
    pdf.para("These you do with your therapist at your visits, not at home.")
    for exercise in exercises:
        pdf.para(f"•  {exercise.name}: {exercise.dosage}", indent=4)
        if exercise.note:
            pdf.para(exercise.note, indent=8)


def _education(pdf: _Document, handout: Handout) -> None:
    if not handout.education:
        return
    _section(pdf, "Good to know")
    for point in handout.education:
        pdf.para(point.title, bold=True)
        pdf.para(point.text)
        pdf.gap(1.5)


def _when_to_call(pdf: _Document, handout: Handout) -> None:
    clinic, when = handout.clinic, handout.when_to_call
    _section(pdf, "When to call the clinic")
    whom = clinic.name + (f" at {clinic.phone}" if clinic.phone else "")
    pdf.para(f"Call {whom} if:", bold=True)
    for sign in (*when.signs, ANY_WORRY):
        pdf.para(f"•  {sign}", indent=4)
    if when.advice:
        pdf.gap(1.5)
        pdf.para(when.advice)
