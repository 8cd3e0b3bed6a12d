"""The ASGI application: routes, problem handlers, the OpenAPI document, faults, buyers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp

from desktop_app import __version__
from desktop_app.sandbox import openapi, problems, routes_control, routes_v1
from desktop_app.sandbox.buyers import BuyerSimulator
from desktop_app.sandbox.faults import FaultInjector
from desktop_app.sandbox.world import World


def create_app(world: World, *, control: bool = True, simulate_buyers: float = 0.0) -> FastAPI:
    """The FastAPI app over ``world``. Serve :func:`asgi` of it, which adds the faults layer."""
    simulator = BuyerSimulator(world, simulate_buyers, world.seed) if simulate_buyers else None

    @asynccontextmanager
    async def lifespan(this: FastAPI) -> AsyncIterator[None]:
        this.state.event_loop = asyncio.get_running_loop()  # see server.RunningSandbox.stop
        if simulator is not None:
            simulator.start()
        try:
            yield
        finally:
            if simulator is not None:
                simulator.stop()

    app = FastAPI(
        title="Platform API (OrderDesk sandbox)",
        version=__version__,
        lifespan=lifespan,
        redoc_url=None,
    )
    problems.install_handlers(app)
    app.include_router(routes_v1.router(world))
    if control:
        app.include_router(routes_control.router(world))
    openapi.install(app)
    return app


def asgi(app: FastAPI, world: World) -> ASGIApp:
    """What the server runs: the app inside the fault injector (outermost, see faults.py)."""
    return FaultInjector(app, world.faults)
