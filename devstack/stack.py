"""The embedded stack: Temporal dev server, worker and API as children of one runner.

Each child gets its own process group, so a Ctrl-C in the terminal reaches only the runner,
which then stops the API before the worker and the worker before the server they depend on.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, NoReturn

from sqlalchemy.engine import make_url
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

from core.logging import configure_logging, get_logger
from core.settings import Settings, get_settings
from core.temporal import dev_server_search_attribute_flags, installed_binary
from devstack.keys import export_embedded_key
from ops.users_cli import bootstrap_demo_users
from store.db import create_schema, engine_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
_POLL_INTERVAL = 0.2
_LOG_TAIL_LINES = 30
_DEFAULT_TEMPORAL_PORT = 7233

log = get_logger("devstack")


class StackError(Exception):
    """Startup or supervision failed; the message (and detail, if any) is for the user."""

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail


class _Stopping(Exception):
    """A stop signal arrived."""


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path | None = None
    # Where this run's output starts in a log file that earlier runs appended to.
    log_offset: int = 0

    def log_tail(self) -> str | None:
        if self.log_path is None:
            return None
        try:
            with self.log_path.open("rb") as f:
                f.seek(self.log_offset)
                lines = f.read().decode(errors="replace").splitlines()
        except OSError:
            return None
        tail = "\n".join(lines[-_LOG_TAIL_LINES:])
        return f"--- last lines of {self.log_path.resolve()} ---\n{tail}\n---"


def split_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or (host.count(":") and not host.startswith("[")):
        # No port, or a bare IPv6 literal whose last group only looks like one.
        return address.strip("[]"), _DEFAULT_TEMPORAL_PORT
    return host.strip("[]"), int(port)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _connectable_host(host: str) -> str:
    # A wildcard bind is reached through loopback; browsers reject 0.0.0.0 as a target anyway.
    if host in {"", "0.0.0.0"}:
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


def _url_host(host: str) -> str:
    host = _connectable_host(host)
    return f"[{host}]" if ":" in host else host


def _api_url(settings: Settings) -> str:
    return f"http://{_url_host(settings.api_host)}:{settings.api_port}"


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((_connectable_host(host), port), timeout=0.5):
            return True
    except OSError:
        return False


def _require_free_port(host: str, port: int, what: str, setting: str) -> None:
    if _listening(host, port):
        raise StackError(
            f"{host}:{port} ({what}) is already in use, perhaps by a stack left running "
            f"elsewhere; stop that or set {setting} to another port"
        )


def _describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"


def api_command() -> list[str]:
    return [sys.executable, "-m", "api"]


def worker_command() -> list[str]:
    return [sys.executable, "worker.py"]


def ui_proxy_command(upstream: str, host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "devstack.ui_proxy", upstream, host, str(port)]


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _child_environment() -> dict[str, str]:
    env = dict(os.environ)
    # Without a terminal of their own, Python children would buffer and interleave late.
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


class Stack:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.children: list[Child] = []
        self.stop_signal: int | None = None
        self.signal_count = 0
        temporal_host, self.temporal_port = split_address(settings.temporal_address)
        self.embedded_temporal = is_loopback(temporal_host)
        # The dev server cannot bind a name; localhost is served on IPv4 loopback.
        self.temporal_ip = "127.0.0.1" if temporal_host.lower() == "localhost" else temporal_host
        self.tokens_file: Path | None = None

    def handle_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signal_count += 1
        if self.stop_signal is None:
            self.stop_signal = signum

    def _check(self) -> None:
        if self.stop_signal is not None:
            raise _Stopping
        for child in self.children:
            returncode = child.process.poll()
            if returncode is not None:
                raise StackError(
                    f"{child.name} {_describe_exit(returncode)} unexpectedly", child.log_tail()
                )

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._check()
            time.sleep(min(_POLL_INTERVAL, max(0.0, deadline - time.monotonic())))

    def _spawn(
        self,
        name: str,
        command: Sequence[str],
        *,
        output: IO[bytes] | None = None,
        log_path: Path | None = None,
        log_offset: int = 0,
    ) -> Child:
        process = subprocess.Popen(
            list(command),
            cwd=PROJECT_ROOT,
            env=_child_environment(),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT if output is not None else None,
            process_group=0,
        )
        child = Child(name, process, log_path, log_offset)
        self.children.append(child)
        return child

    def start(self) -> None:
        if self.embedded_temporal:
            self._start_temporal()
        else:
            log.info(
                "using an external Temporal, no dev server started",
                temporal_address=self.settings.temporal_address,
            )
        # Before the worker and the API, which migrate the same database at their start.
        self._bootstrap_users()
        self._start_worker()
        self._start_api()

    def _bootstrap_users(self) -> None:
        # A new user of the embedded stack needs someone to be: demo users on the first start,
        # their tokens in var/tokens.env (never printed, never logged).
        engine = engine_for(self.settings)
        try:
            create_schema(engine)
            path = bootstrap_demo_users(self.settings, engine)
        finally:
            engine.dispose()
        self.tokens_file = self.settings.var_dir / "tokens.env"
        if path is not None:
            log.info("demo users created", tokens_file=str(path))

    def _start_temporal(self) -> None:
        settings = self.settings
        _require_free_port(self.temporal_ip, self.temporal_port, "Temporal", "TEMPORAL_ADDRESS")
        _require_free_port(
            self.temporal_ip, settings.temporal_ui_port, "Temporal UI", "TEMPORAL_UI_PORT"
        )
        try:
            binary = installed_binary("temporal")
        except FileNotFoundError as err:
            raise StackError(str(err)) from None
        # The dev server's own UI listens inside; people reach it read-only, through the
        # proxy on TEMPORAL_UI_PORT (devstack/ui_proxy.py).
        self.internal_ui_port = _free_port(self.temporal_ip)
        command = [
            str(binary),
            "server",
            "start-dev",
            "--ip",
            self.temporal_ip,
            "--port",
            str(self.temporal_port),
            "--ui-port",
            str(self.internal_ui_port),
            "--db-filename",
            str(settings.var_dir / "temporal.db"),
            "--namespace",
            settings.temporal_namespace,
            "--log-level",
            "warn",
            # Payloads are ciphertext; the UI asks the API's codec endpoint to show them.
            "--ui-codec-endpoint",
            f"{_api_url(settings)}/codec",
        ]
        # Given on every start, not only the first: the server adds the ones a persisted
        # database lacks and accepts the ones it already has.
        for flag in dev_server_search_attribute_flags():
            command += ["--search-attribute", flag]
        log_path = settings.var_dir / "temporal.log"
        log.info("starting temporal dev server", address=settings.temporal_address)
        with log_path.open("ab") as log_file:
            child = self._spawn(
                "temporal dev server",
                command,
                output=log_file,
                log_path=log_path,
                log_offset=log_file.tell(),
            )
        asyncio.run(self._wait_for_temporal(child))
        log.info("temporal dev server ready", pid=child.process.pid)
        upstream = f"http://{_url_host(self.temporal_ip)}:{self.internal_ui_port}"
        proxy = self._spawn(
            "temporal ui (read-only)",
            ui_proxy_command(upstream, self.temporal_ip, settings.temporal_ui_port),
        )
        log.info("temporal ui proxy started", pid=proxy.process.pid, read_only=True)

    async def _wait_for_temporal(self, child: Child) -> None:
        namespace = self.settings.temporal_namespace
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last_error: BaseException | None = None
        while True:
            self._check()
            try:
                client = await asyncio.wait_for(
                    Client.connect(self.settings.temporal_address, namespace=namespace), timeout=5
                )
                # The frontend answers before the namespace exists; the worker needs both.
                await client.workflow_service.describe_namespace(
                    DescribeNamespaceRequest(namespace=namespace)
                )
                return
            except Exception as err:
                last_error = err
            if time.monotonic() >= deadline:
                raise StackError(
                    f"temporal dev server did not accept connections within "
                    f"{STARTUP_TIMEOUT:.0f} s (last error: {last_error})",
                    child.log_tail(),
                )
            await asyncio.sleep(0.5)

    def _start_worker(self) -> None:
        child = self._spawn("worker", worker_command())
        log.info("worker started", pid=child.process.pid)

    def _start_api(self) -> None:
        settings = self.settings
        _require_free_port(settings.api_host, settings.api_port, "API", "API_PORT")
        child = self._spawn("api", api_command())
        url = f"http://{_url_host(settings.api_host)}:{settings.api_port}/health"
        # A proxy from the environment must not answer for our own loopback port.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last_error = "no answer"
        while True:
            self._check()
            try:
                with opener.open(url, timeout=2) as response:
                    if response.status == 200:
                        break
                    last_error = f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as err:
                last_error = str(err)
            if time.monotonic() >= deadline:
                raise StackError(
                    f"api did not answer {url} with 200 within {STARTUP_TIMEOUT:.0f} s "
                    f"(last: {last_error})"
                )
            self._sleep(0.5)
        log.info("api ready", pid=child.process.pid)

    def announce(self) -> None:
        settings = self.settings
        api = f"http://{_url_host(settings.api_host)}:{settings.api_port}"
        lines = [
            "",
            "The stack is up; Ctrl-C stops it.",
            f"  Log in        {api}/login  (paste a token: MEDIATOR_TOKEN etc., file below)",
            f"  My work       {api}/work   (the cases waiting for you; open a case from here)",
            f"  Board         {api}/board  (every deadline; {api}/dashboard for supervisors)",
            f"  Workers       {api}/my     (a worker follows a case or files a complaint)",
            f"  API docs      {api}/docs",
        ]
        if self.embedded_temporal:
            ui_host = _url_host(self.temporal_ip)
            lines += [
                f"  Temporal UI   http://{ui_host}:{settings.temporal_ui_port} (read-only)",
                f"  UI codec      {api}/codec (supervisors and admins; docs/configuration.md)",
                f"  Temporal log  {PROJECT_ROOT / settings.var_dir / 'temporal.log'}",
            ]
        else:
            lines.append(
                f"  Temporal      {settings.temporal_address} "
                f"(namespace {settings.temporal_namespace})"
            )
        database = make_url(settings.database_url).render_as_string(hide_password=True)
        lines += [f"  Database      {database}"]
        if self.tokens_file is not None and self.tokens_file.exists():
            lines.append(f"  API tokens    {self.tokens_file} (demo users; `. {self.tokens_file}`)")
        lines.append("")
        print("\n".join(lines), file=sys.stderr, flush=True)

    def supervise(self) -> None:
        while True:
            self._sleep(3600)

    def stop(self) -> None:
        # Any signal beyond the one that asked for the stop means the user will not wait.
        patience = 1 if self.stop_signal is not None else self.signal_count
        # Reverse start order: API, worker, then the server both of them talk to.
        for child in reversed(self.children):
            self._stop_child(child, patience)

    def _stop_child(self, child: Child, patience: int) -> None:
        if child.process.poll() is not None:
            return
        log.info("stopping", process=child.name, pid=child.process.pid)
        _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and self.signal_count <= patience:
            if child.process.poll() is not None:
                return
            time.sleep(0.1)
        log.warning("killing", process=child.name, pid=child.process.pid)
        _signal_group(child, signal.SIGKILL)
        child.process.wait()


def _signal_group(child: Child, signum: signal.Signals) -> None:
    try:
        os.killpg(child.process.pid, signum)
    except ProcessLookupError:
        pass


def run_stack(settings: Settings) -> int:
    stack = Stack(settings)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stack.handle_signal)
    exit_code = 0
    try:
        stack.start()
        stack.announce()
        stack.supervise()
    except _Stopping:
        assert stack.stop_signal is not None
        log.info("stopping the stack", signal=signal.Signals(stack.stop_signal).name)
    except StackError as err:
        log.error(str(err))
        if err.detail:
            print(err.detail, file=sys.stderr, flush=True)
        exit_code = 1
    except BaseException:
        stack.stop()
        raise
    stack.stop()
    log.info("stack stopped")
    return exit_code


def _exec(command: Sequence[str]) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], list(command), _child_environment())


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description="Run the Temporal dev server, worker and API together, or one piece alone.",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="up",
        choices=["up", "worker", "api"],
        help="up (default): the whole stack; worker or api: that process alone, in the foreground",
    )
    args = parser.parse_args(argv)

    # Settings resolve `.env`, `var/` and a relative SQLite path against the working directory.
    os.chdir(PROJECT_ROOT)
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    if is_loopback(split_address(settings.temporal_address)[0]):
        # The embedded stack encrypts with a key of its own under var/ unless given one.
        try:
            settings = export_embedded_key(settings)
        except ValueError as err:
            log.error(str(err))
            return 1

    if args.command == "worker":
        _exec(worker_command())
    if args.command == "api":
        _exec(api_command())
    return run_stack(settings)
