"""Every API route of an app, flattened (FastAPI keeps included routers nested in app.routes)."""

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) for each operation an APIRoute serves."""
    pairs = {
        (method, context.path_format)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods or ()
    }
    return sorted(pairs)
