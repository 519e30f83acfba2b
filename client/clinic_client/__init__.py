"""The clinic's API client: `Clinic` (blocking) and `AsyncClinic`, with typed answers.

    from clinic_client import Clinic

    with Clinic("https://clinic.example") as clinic:  # or Clinic() for `make run`
        clinic.sign_in("frontdesk@clinic.example", password)
        for patient in clinic.patients.search("dana"):
            print(patient.family_name, patient.birth_date)

Errors are raised as the `ProblemError` of their status (errors.py); models are in
`clinic_client.models`.
"""

from clinic_client._async.client import AsyncClinic
from clinic_client._sync.client import Clinic
from clinic_client.errors import (
    BadGateway,
    BadRequest,
    ClinicError,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ProblemError,
    ServiceUnavailable,
    ServiceUnreachable,
    SessionExpired,
    TooManyRequests,
    Unauthorized,
    UnexpectedAnswer,
    ValidationFailed,
)
from clinic_client.layout import ServiceURLs
from clinic_client.retries import Retry, RetryPolicy
from clinic_client.session import Session

__all__ = [
    "AsyncClinic",
    "BadGateway",
    "BadRequest",
    "Clinic",
    "ClinicError",
    "Conflict",
    "FieldError",
    "Forbidden",
    "NotFound",
    "PreconditionFailed",
    "PreconditionRequired",
    "ProblemError",
    "Retry",
    "RetryPolicy",
    "ServiceURLs",
    "ServiceUnavailable",
    "ServiceUnreachable",
    "Session",
    "SessionExpired",
    "TooManyRequests",
    "Unauthorized",
    "UnexpectedAnswer",
    "ValidationFailed",
]
