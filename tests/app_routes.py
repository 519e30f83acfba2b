"""Every route of an app, flattened (FastAPI keeps included routers nested in app.routes),
and which of them a request was routed to."""

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) for each operation an APIRoute serves."""
    pairs = {
        (method, context.path_format)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
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
