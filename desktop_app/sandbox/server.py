"""Run the sandbox in-process, on a loopback port, for the demo and for test suites.

    with start_sandbox(SandboxOptions(orders=50)) as sandbox:
        httpx.get(f"{sandbox.url}/openapi.json")

uvicorn serves in a background thread from a socket bound here (port 0: a free one), so the URL
is known before the first request; ``start_sandbox`` returns once the server accepts
connections, and ``stop()`` shuts it down and releases the socket, thread and database.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp
from uvicorn.config import LOGGING_CONFIG

from desktop_app.sandbox.app import asgi, create_app
from desktop_app.sandbox.world import World, make_engine

STARTUP_TIMEOUT_S = 120.0


@dataclass
class SandboxOptions:
    orders: int = 200
    seed: int = 7
    token_ttl: int = 3600
    db_path: Path | None = None
    control: bool = True
    simulate_buyers: float = 0.0


def open_world(options: SandboxOptions) -> World:
    """The world described by ``options`` (seeded, or reopened from ``db_path``)."""
    world = World(make_engine(options.db_path), token_ttl=options.token_ttl)
    try:
        world.open(options.seed, options.orders)
    except BaseException:
        world.close()
        raise
    return world


def uvicorn_config(app: ASGIApp, host: str, port: int, *, log_level: str = "warning",
                   in_process: bool = True) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http="h11",  # faults.py closes connections through h11's request cycle
        ws="none",
        lifespan="on",
        log_level=log_level,
        log_config=None if in_process else LOGGING_CONFIG,
        access_log=not in_process,
        timeout_graceful_shutdown=5,
    )


class RunningSandbox:
    """A sandbox serving in a background thread. Use as a context manager, or call stop()."""

    def __init__(self, world: World, app: FastAPI, server: uvicorn.Server,
                 thread: threading.Thread, sock: socket.socket) -> None:
        self.world = world
        self._app = app
        self._server = server
        self._thread = thread
        self._socket = sock
        host, port = sock.getsockname()[:2]
        self.host: str = host
        self.port: int = port
        shown = f"[{host}]" if ":" in host else host
        self.url: str = f"http://{shown}:{port}"

    def stop(self) -> None:
        """Shut down (idempotent): finish in-flight requests, close connections, release all."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=30)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join()
        # The event loop's worker threads (anyio's) are told to stop as it closes; wait until
        # they have, so that a caller checking for leaked threads finds none.
        loop = getattr(self._app.state, "event_loop", None)
        for thread in threading.enumerate():
            if loop is not None and getattr(thread, "loop", None) is loop:
                thread.join(timeout=5)
        self._socket.close()
        self.world.close()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this. Without it, a keep-alive connection waits on the
    # client's delayed ACK (~40 ms) between an answer's head and its body.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def start_sandbox(options: SandboxOptions, host: str = "127.0.0.1",
                  port: int = 0) -> RunningSandbox:
    """Seed (or reopen) a world and serve it; returns once connections are accepted."""
    world = open_world(options)
    app = create_app(world, control=options.control, simulate_buyers=options.simulate_buyers)
    try:
        sock = bind(host, port)
    except OSError:
        world.close()
        raise
    server = uvicorn.Server(uvicorn_config(asgi(app, world), host, sock.getsockname()[1]))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="orderdesk-sandbox", daemon=True
    )
    thread.start()
    running = RunningSandbox(world, app, server, thread, sock)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            with contextlib.suppress(Exception):
                running.stop()
            raise RuntimeError("the sandbox did not start")
        time.sleep(0.005)
    return running
