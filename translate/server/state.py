"""What every endpoint needs from the app answering it: the service, the options, the gate."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.requests import Request

T = TypeVar("T")

if TYPE_CHECKING:
    from .options import ServeOptions
    from .service import Service


def app_state(request: Request) -> tuple[Service, ServeOptions, Any]:
    """The service, options and gate of the app answering ``request``."""
    state = request.app.state
    return state.service, state.options, state.gate


def per_app(request: Request, name: str, make: Callable[[], T]) -> T:
    """The app's own ``name`` object, made on first use (one per app: tests and Ray replicas run
    several apps in one process)."""
    state = request.app.state
    found = getattr(state, name, None)
    if found is None:
        found = make()
        setattr(state, name, found)
    return found
