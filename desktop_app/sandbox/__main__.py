"""``orderdesk-sandbox``: the platform sandbox as a standalone server.

    orderdesk-sandbox --control --port 8750 --orders 500 --seed 7
    orderdesk-sandbox --dump-openapi resources/openapi.json
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from desktop_app.sandbox.app import asgi, create_app
from desktop_app.sandbox.server import SandboxOptions, bind, open_world, uvicorn_config


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="orderdesk-sandbox",
        description="A faithful local implementation of the platform API, for demos and tests.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8750, help="0: any free port")
    parser.add_argument("--orders", type=int, default=200, help="orders per merchant")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--token-ttl", type=int, default=3600, metavar="SECONDS",
                        help="access token lifetime (wall time)")
    parser.add_argument("--db", type=Path, default=None, metavar="PATH",
                        help="SQLite file (reopened if it exists); default: in memory")
    parser.add_argument("--control", action="store_true",
                        help="enable the /_sandbox control endpoints")
    parser.add_argument("--simulate-buyers", type=float, default=0.0, metavar="RATE",
                        help="mean simulated buyer moves per second")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--dump-openapi", type=Path, metavar="PATH",
                        help="write the OpenAPI document to PATH ('-': stdout) and exit")
    args = parser.parse_args(argv)
    if args.token_ttl < 1 or args.orders < 0 or args.simulate_buyers < 0:
        parser.error("--token-ttl must be >= 1; --orders and --simulate-buyers >= 0")
    return args


def openapi_text(control: bool = False) -> str:
    """The served OpenAPI document, as committed under resources/ (stable key order)."""
    options = SandboxOptions(orders=0, control=control)
    world = open_world(options)
    try:
        document = create_app(world, control=control).openapi()
    finally:
        world.close()
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _exit_cleanly(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.dump_openapi is not None:
        text = openapi_text()
        if str(args.dump_openapi) == "-":
            sys.stdout.write(text)
        else:
            args.dump_openapi.write_text(text, encoding="utf-8")
        return 0
    options = SandboxOptions(
        orders=args.orders,
        seed=args.seed,
        token_ttl=args.token_ttl,
        db_path=args.db,
        control=args.control,
        simulate_buyers=args.simulate_buyers,
    )
    world = open_world(options)
    try:
        app = create_app(world, control=options.control, simulate_buyers=options.simulate_buyers)
        sock = bind(args.host, args.port)
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        # One line a supervising process can read to learn the port (useful with --port 0).
        sys.stdout.write(f"orderdesk-sandbox listening on http://{shown}:{port}\n")
        sys.stdout.flush()
        config = uvicorn_config(asgi(app, world), args.host, sock.getsockname()[1],
                                log_level=args.log_level, in_process=False)
        # uvicorn shuts down gracefully on SIGTERM, then re-raises it: make that a clean exit.
        signal.signal(signal.SIGTERM, _exit_cleanly)
        try:
            uvicorn.Server(config).run(sockets=[sock])
        finally:
            sock.close()
    finally:
        world.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
