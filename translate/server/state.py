"""What every endpoint needs from the app answering it: the service, the options, the gate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request

if TYPE_CHECKING:
    from .options import ServeOptions
    from .service import Service


def app_state(request: Request) -> tuple[Service, ServeOptions, Any]:
    """The service, options and gate of the app answering ``request``."""
    state = request.app.state
    return state.service, state.options, state.gate
