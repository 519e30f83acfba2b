"""`clinic patients`: the front desk's register of patients: search, add, show, give a login."""

import sys
from datetime import date
from itertools import islice
from typing import Annotated

import typer
from rich.table import Table

from clinic_client.cli import lookup
from clinic_client.cli.exits import CommandFailed, ExitStatus
from clinic_client.cli.invocation import JsonOption, QuietOption, current
from clinic_client.models.patients import (
    DiagnosisIn,
    PatientAccountCreate,
    PatientCreate,
    PatientRead,
)

app = typer.Typer(
    help="Search, register and read patients; give a patient a login.", no_args_is_help=True
)

PatientArgument = Annotated[
    str, typer.Argument(help="The patient: an id, or a name only one patient has.")
]


@app.command()
def search(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="The start of any of their names: 'dana oka'.")
    ] = None,
    birth_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    location: Annotated[str | None, typer.Option(help="Their home clinic.")] = None,
    archived: Annotated[
        bool, typer.Option(help="Archived patients instead of active ones.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: JsonOption = False,
) -> None:
    """Find patients by name, birth date, phone or home clinic."""
    invocation = current(ctx, as_json)
    born = date.fromisoformat(birth_date) if birth_date else None
    with invocation.signed_in() as clinic:
        found = list(
            islice(
                clinic.patients.search(
                    name,
                    birth_date=born,
                    phone=phone,
                    home_location=location,
                    status="archived" if archived else None,
                    page_size=min(limit, 100),
                ),
                limit,
            )
        )
    if invocation.as_json:
        invocation.emit_json(found)
        return
    table = Table(
        title=f"{len(found)} patient{'s' if len(found) != 1 else ''}", title_justify="left"
    )
    for column in ("Name", "Born", "Phone", "Clinic", "Id"):
        table.add_column(column)
    for patient in found:
        table.add_row(
            lookup.full_name(patient),
            str(patient.birth_date),
            patient.phone or "",
            patient.home_location,
            str(patient.id),
        )
    invocation.out.print(table)


@app.command()
def add(
    ctx: typer.Context,
    given: Annotated[str, typer.Option(help="Given (first) name.")],
    family: Annotated[str, typer.Option(help="Family (last) name.")],
    birth_date: Annotated[str, typer.Option(help="YYYY-MM-DD.")],
    sex: Annotated[str, typer.Option(help="female, male, other or unknown.")],
    location: Annotated[
        str, typer.Option(help="Home clinic: gaithersburg, frederick or columbia.")
    ],
    preferred: Annotated[str | None, typer.Option(help="The name they go by.")] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    diagnosis: Annotated[
        list[str] | None, typer.Option(help="An ICD-10-CM code, G57.62 say; repeat for more.")
    ] = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Register a patient (safe to run again after a network failure: one record)."""
    invocation = current(ctx, as_json)
    patient = PatientCreate(
        given_name=given,
        family_name=family,
        preferred_name=preferred,
        birth_date=birth_date,
        sex=sex,
        home_location=location,
        phone=phone,
        email=email,
        diagnoses=[DiagnosisIn(code=code) for code in diagnosis or []],
    )
    with invocation.signed_in() as clinic:
        created = clinic.patients.register(patient)
    if invocation.as_json:
        invocation.emit_json(created)
    elif quiet:
        invocation.out.print(str(created.id))
    else:
        invocation.out.print(
            f"Registered {lookup.full_name(created)}, born {created.birth_date}, "
            f"at {created.home_location}: {created.id}"
        )


@app.command()
def show(ctx: typer.Context, patient: PatientArgument, as_json: JsonOption = False) -> None:
    """One patient's record."""
    invocation = current(ctx, as_json)
    with invocation.signed_in() as clinic:
        found = lookup.patient(clinic, patient)
    if invocation.as_json:
        invocation.emit_json(found)
        return
    invocation.out.print(_record_table(found))


def _record_table(patient: PatientRead) -> Table:
    table = Table(title=lookup.full_name(patient), title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    diagnoses = ", ".join(
        f"{each.code}" + (f" ({each.laterality})" if each.laterality else "")
        for each in patient.diagnoses
    )
    rows = {
        "id": str(patient.id),
        "born": str(patient.birth_date),
        "sex": patient.sex,
        "home clinic": patient.home_location,
        "phone": patient.phone or "",
        "email": patient.email or "",
        "diagnoses": diagnoses,
        "status": patient.status,
        "version": str(patient.version),
    }
    for label, value in rows.items():
        table.add_row(label, value)
    return table


@app.command()
def account(
    ctx: typer.Context,
    patient: PatientArgument,
    email: Annotated[str, typer.Option(help="The email they will sign in with.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Give a patient a login (asks for the first password; they can change it later)."""
    invocation = current(ctx, as_json)
    password = _new_password(password_stdin)
    with invocation.signed_in() as clinic:
        found = lookup.patient(clinic, patient)
        created = clinic.patients.create_login(
            found.id, PatientAccountCreate(email=email, password=password)
        )
    if invocation.as_json:
        invocation.emit_json(created)
    else:
        invocation.out.print(f"{lookup.full_name(found)} can now sign in as {created.email}.")


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Their first password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise CommandFailed("No password given.", ExitStatus.USAGE)
    return password
