"""Serving an app in a background thread of this process, on a loopback port it picks itself; or in
several worker processes on one port (`--workers N` of the reference server and the mock).

This is how the suite checks an app in process (`--app module:attr`, the pytest entry): the app, ASGI
or WSGI, is served by uvicorn in a thread, so that the suite judges it over real HTTP, timeouts and
all, with nothing for the caller to start and no port to choose.
"""

from __future__ import annotations

import importlib
import inspect
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import httpx
import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import SIGNALS as SUPERVISOR_SIGNALS
from uvicorn.supervisors.multiprocess import Multiprocess

START_SECONDS = 10.0
WORKERS_START_SECONDS = 60  # each worker is a new interpreter that imports everything and reads the spec


class AppError(Exception):
    """`--app` names nothing that can be served: a one-line reason."""


@runtime_checkable
class Fronted(Protocol):
    """An app served behind a front of its own (a gallery server that drops connections, say)."""

    app: Any

    def front(self, upstream: str, port: int = 0, host: str = "127.0.0.1") -> AbstractContextManager[str]: ...


@contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` (ASGI, or WSGI) until the block ends, on `port` (0: a free one); yields its base URL
    (with the app's `mount_path`, if it has one). The socket is bound first, so no other process can take
    the port in between."""
    if isinstance(app, Fronted):
        with serve_in_thread(app.app) as upstream, app.front(upstream, port, host) as url:
            yield url
        return
    sock = _bound(host, port)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="critical", access_log=False, lifespan="off", interface="auto")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise AppError("the app did not start serving (see its own errors above)")
        time.sleep(0.01)
    try:
        # An app mounted under a prefix (a gallery server behind a gateway) is served where it is mounted.
        yield f"http://{host}:{port}{getattr(app, 'mount_path', '')}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def load_app(reference: str) -> Any:
    """The app named `module:attribute` (`attribute()` calls a factory), imported from the current
    directory as uvicorn and gunicorn do. AppError, in one line, when it cannot be."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise AppError(f"--app must be module:attribute, such as myservice.main:app, got {reference!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise AppError(f"cannot import {module_name!r} (from {os.getcwd()}): {exc}") from None
    except Exception as exc:  # the module's own code failed: say how, in one line
        raise AppError(f"importing {module_name!r} failed: {type(exc).__name__}: {exc}") from None
    factory = attribute.endswith("()")
    found: Any = module
    for part in attribute.removesuffix("()").split("."):
        if not hasattr(found, part):
            raise AppError(f"{module_name!r} has no attribute {attribute.removesuffix('()')!r}")
        found = getattr(found, part)
    if factory:
        try:
            found = found()
        except Exception as exc:
            raise AppError(f"{reference} failed: {type(exc).__name__}: {exc}") from None
    if not _is_app(found):
        raise AppError(
            f"{reference} is not an ASGI app (async, taking scope, receive, send) or a WSGI app (taking"
            " environ, start_response)"
        )
    return found


def _is_app(found: Any) -> bool:
    """Whether `found` can be called as an ASGI 3 or a WSGI app (by its signature, not by trying)."""
    if not callable(found):
        return False
    try:
        signature = inspect.signature(found)
    except (TypeError, ValueError):
        return True  # a builtin or extension callable: uvicorn will tell
    for arguments in ((None, None, None), (None, None)):  # ASGI 3: scope, receive, send; WSGI: two
        try:
            signature.bind(*arguments)
        except TypeError:
            continue
        return True
    return False


def serve_until_stopped(app: Any, host: str, port: int) -> None:
    """Serve `app` until SIGINT or SIGTERM, then return, so that the caller writes its report. uvicorn
    raises the signal it caught again once it has shut down: under the default handlers, a SIGTERM (how CI
    jobs and containers stop a background process) would end the process before any report."""
    stops = (signal.SIGINT, signal.SIGTERM)
    before = {stop: signal.getsignal(stop) for stop in stops}
    for stop in stops:
        signal.signal(stop, lambda *_: None)  # uvicorn's own handlers stop the server; this one ends nothing
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        for stop, handler in before.items():
            signal.signal(stop, handler)


@dataclass
class Workers:
    """Worker processes serving one port, under uvicorn's supervisor (it restarts a worker that dies)."""

    url: str
    supervisor: Multiprocess
    thread: threading.Thread

    def wait(self) -> None:
        """Until the supervisor stops: SIGINT or SIGTERM (the supervisor's handlers), or a worker that
        could not start."""
        while self.thread.is_alive():
            self.thread.join(timeout=0.5)

    @property
    def failed(self) -> bool:
        """Whether a worker ended because it could not start (it printed why)."""
        return any(process.exitcode == STARTUP_FAILURE for process in self.supervisor.processes)


@contextmanager
def serving_workers(
    factory: Callable[[], Any],
    host: str,
    port: int,
    workers: int,
    *,
    probe: str = "/",
    log_level: str = "warning",
) -> Iterator[Workers]:
    """Serve the app `factory()` builds in each of `workers` processes, all accepting on one socket bound
    here (`port` 0: a free one), until the block ends; yields them once one answers a GET of `probe` (a
    path the app answers without counting it as traffic). `factory` is sent to each process (spawned, so
    it must pickle: a module-level class's instance). AppError, in one line, when the port cannot be bound
    or no worker starts."""
    sock = _bound(host, port)
    sock.set_inheritable(True)  # the workers' processes accept on it
    url = f"http://{host}:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        factory,
        factory=True,
        workers=workers,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        # A worker answers the supervisor's health check once it has imported what its app needs.
        timeout_worker_healthcheck=WORKERS_START_SECONDS,
    )
    handlers = {caught: signal.getsignal(caught) for caught in SUPERVISOR_SIGNALS}
    supervisor = Multiprocess(config, sockets=[sock])  # installs its signal handlers: the main thread's
    thread = threading.Thread(target=supervisor.run, name="workers", daemon=True)
    thread.start()
    served = Workers(url, supervisor, thread)
    try:
        _wait_for_answer(served, probe)
        yield served
    finally:
        supervisor.should_exit.set()
        served.wait()
        sock.close()
        for caught, handler in handlers.items():
            signal.signal(caught, handler)


def _bound(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (AppError in one line where it cannot be)."""
    sock = socket.socket()
    # Accepted connections inherit this: without it a response written in two parts (head, then body)
    # waits for the client's delayed ACK, 40 ms a request on Linux.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise AppError(f"cannot serve on {host}:{port}: {exc.strerror}") from None
    return sock


def _wait_for_answer(served: Workers, probe: str) -> None:
    """Until a worker answers an HTTP request (any status): the socket queues connections before any
    worker accepts them, so an answer is the sign one serves."""
    deadline = time.monotonic() + WORKERS_START_SECONDS
    while time.monotonic() < deadline:
        if not served.thread.is_alive() or served.failed:
            break
        try:
            httpx.get(served.url + probe, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    served.supervisor.should_exit.set()
    raise AppError("the workers did not start serving (see their own errors above)")
