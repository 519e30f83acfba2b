"""Every route of an app, flattened (FastAPI keeps included routers nested in app.routes),
which of them only other services may call, and which of them a request was routed to."""

from typing import get_args

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from services.common.auth import ServiceCallerDep


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) for each operation an APIRoute serves."""
    pairs = {
        (method, context.path_format)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods or ()
    }
    return sorted(pairs)


# The check behind `ServiceCallerDep`: a route that depends on it takes service tokens only.
_SERVICES_ONLY = get_args(ServiceCallerDep)[1].dependency


def _takes_only_services(dependant: Dependant) -> bool:
    return dependant.call is _SERVICES_ONLY or any(
        _takes_only_services(sub) for sub in dependant.dependencies
    )


def service_only_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of each operation only a service token may call: internal
    routes, which the public proxy must not route (docs/access.md, "Services")."""
    pairs = {
        (method, context.path_format)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and _takes_only_services(context.original_route.dependant)
        for method in context.methods or ()
    }
    return sorted(pairs)


def served_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every route, the API's and the documentation pages', HEAD
    aside (Starlette adds it to every GET page)."""
    pairs = {
        (method, context.path_format)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute | Route)
        for method in context.methods or ()
        if method != "HEAD"
    }
    return sorted(pairs)


class RouteLedger:
    """Wraps an app and notes the operation each request was routed to: (method, path
    template), for a method the route serves. A request answered before routing (a 404 for
    an unknown path) or by the router (a 405) reaches no operation and is not noted."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.reached: set[tuple[str, str]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        route = scope.get("route")  # set by the router on the scope it was handed
        if isinstance(route, APIRoute) and scope["method"] in route.methods:
            self.reached.add((scope["method"], route.path_format))
