"""The engine (built in the app's lifespan, never at import) and the request's session.

The request owns the transaction: the session dependency commits when the route returns and
rolls back when it raises. Service functions flush, they never commit.
"""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import MetaData
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.errors import Problem, problem_body, problem_response, unexpected_error
from services.common.settings import DatabaseSettings

log = logging.getLogger("clinic.database")

# Constraint names are stable so migrations can refer to them and autogenerate stays quiet.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


# A frozen server or a dead network enforces no server-side timeout; the client's own limit,
# a little longer than the server's (which ends a query more cleanly), ends the wait then.
CLIENT_TIMEOUT_MARGIN = 1.0


def build_engine(settings: DatabaseSettings) -> AsyncEngine:
    return create_async_engine(
        settings.async_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
        pool_timeout=settings.db_pool_timeout,
        connect_args={
            "server_settings": session_settings(settings),
            "timeout": settings.db_connect_timeout,
            "command_timeout": settings.db_statement_timeout + CLIENT_TIMEOUT_MARGIN,
        },
    )


def session_settings(settings: DatabaseSettings) -> dict[str, str]:
    """PostgreSQL settings of every connection: no query, lock wait or forgotten transaction
    holds a request (or a lock other requests need) for longer than a few seconds."""
    return {
        "application_name": "clinic",
        "statement_timeout": _milliseconds(settings.db_statement_timeout),
        "lock_timeout": _milliseconds(settings.db_lock_timeout),
        "idle_in_transaction_session_timeout": _milliseconds(settings.db_idle_transaction_timeout),
    }


def _milliseconds(seconds: float) -> str:
    return str(max(1, round(seconds * 1000)))


@asynccontextmanager
async def committing(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Use the session as one unit of work: commit if the block ends well, else roll back
    (then commit only the records a refusal asked to keep, such as its audit row)."""
    async with session:
        try:
            yield session
            await session.commit()
        except BaseException as exc:
            await session.rollback()
            if isinstance(exc, Problem) and exc.records_to_keep:
                session.add_all(exc.records_to_keep)
                await session.commit()
            raise


async def open_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with committing(
        AsyncSession(request.app.state.engine, expire_on_commit=False)
    ) as session:
        yield session


# scope="function": commit before the response is sent, so a failed commit is never a 2xx.
SessionDep = Annotated[AsyncSession, Depends(open_session, scope="function")]

# A transaction of its own beside the request's, committed as soon as its block ends.
OwnTransaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def own_transactions(request: Request) -> OwnTransaction:
    """For a write that must not wait for the request's commit, nor hold its row locks until
    then (a sign-in's attempt count). The tests point it at their rolled-back transaction."""
    engine = request.app.state.engine
    return lambda: committing(AsyncSession(engine, expire_on_commit=False))


OwnTransactionsDep = Annotated[OwnTransaction, Depends(own_transactions)]


# Cancelled by statement_timeout (57014) or lock_timeout (55P03): busy now, fine again soon.
_BUSY_SQLSTATES = frozenset({"57014", "55P03"})


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
    if sqlstate.startswith("22"):
        # A data exception (a NUL byte, a value out of range): the input was bad, not us.
        detail = "The request holds a value the database cannot store (such as a NUL character)."
        body = problem_body(422, "validation-error", "Invalid input", detail, request.url.path)
        return problem_response(request, body)
    if sqlstate in _BUSY_SQLSTATES or isinstance(exc, PoolTimeout | TimeoutError):
        log.warning("database busy: %s %s", type(exc).__name__, sqlstate)
        return _unavailable(request, "The database is busy right now; try again shortly.", 2)
    if (
        isinstance(exc, DBAPIError)
        and not exc.connection_invalidated
        and not _is_connect_error(exc)
    ):
        return await unexpected_error(request, exc)  # any other query error is a bug
    log.warning("database unreachable: %s", type(exc).__name__)
    return _unavailable(request, "The database cannot be reached right now; try again shortly.", 5)


def _unavailable(request: Request, detail: str, retry_after: int) -> JSONResponse:
    body = problem_body(503, "service-unavailable", "Service unavailable", detail, request.url.path)
    return problem_response(request, body, {"Retry-After": str(retry_after)})


def _is_connect_error(exc: DBAPIError) -> bool:
    orig = getattr(exc, "orig", None)
    names = {type(orig).__name__, type(getattr(orig, "__cause__", None)).__name__}
    return bool(
        names
        & {
            "ConnectionDoesNotExistError",
            "CannotConnectNowError",
            "ConnectionRefusedError",
            "InterfaceError",
            "TooManyConnectionsError",
            "AdminShutdownError",
        }
    )


def install_database_handlers(app: FastAPI) -> None:
    # PoolTimeout: every pooled connection is in use (it is not the built-in TimeoutError).
    handled = (
        OperationalError,
        InterfaceError,
        DBAPIError,
        PoolTimeout,
        ConnectionError,
        TimeoutError,
    )
    for exc_type in handled:
        app.add_exception_handler(exc_type, _on_database_error)
