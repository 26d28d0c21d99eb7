"""`triage serve`: every deployment in one process (a Prefect runner, as `prefect.serve`
builds), the review web app beside it, and on the embedded default a Prefect server of its own.

Prefect's ephemeral API runs no scheduler (its scheduler service is not among those an
ephemeral server starts, and the runner warns that it cannot schedule there), so served
deployments would never get a run. Unless PREFECT_API_URL names a server, this starts plain
`prefect server start` on 127.0.0.1 with its SQLite database under the data dir, in a session
of its own: a Ctrl-C at the terminal reaches this process, which stops the server last, after
the runner has cancelled what was running and paused its schedules through it.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console

from core.settings import Settings
from flows.prefect_env import configure_prefect


class ServeError(RuntimeError):
    """`triage serve` could not start: the message says which part and why."""


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalPrefectServer:
    """`prefect server start` as a child process; its output goes to `server.log` beside
    its database, under PREFECT_HOME."""

    def __init__(self, home: Path, port: int) -> None:
        self.home = home
        self.port = port or free_port()
        self.log_path = home / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self, timeout: float = 120.0) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
        with self.log_path.open("ab") as log:
            # `prefect server start` as its console script runs it: this interpreter's
            # Prefect, never a module of the working directory (-P).
            self.process = subprocess.Popen(
                [sys.executable, "-P", "-m", "prefect", "server", "start",
                 "--host", "127.0.0.1", "--port", str(self.port), "--no-ui", "--analytics-off"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServeError(f"the Prefect server exited ({self.process.returncode}) "
                                 f"on start; see {self.log_path}")
            if self.healthy():
                return
            time.sleep(0.2)
        self.stop()
        raise ServeError(f"the Prefect server did not answer within {timeout:.0f} s; "
                         f"see {self.log_path}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class WebApp(threading.Thread):
    """The review web app (what `triage web` serves) on a thread of this process."""

    def __init__(self, settings: Settings, host: str, port: int) -> None:
        super().__init__(name="review-web-app", daemon=True)
        import uvicorn

        from review.app import serving_app

        self.address = f"http://{host}:{port}"
        self.server = uvicorn.Server(uvicorn.Config(serving_app(settings), host=host, port=port,
                                                    log_level="warning"))

    def run(self) -> None:
        self.server.run()

    def wait_started(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.is_alive() or time.monotonic() > deadline:
                raise ServeError(f"the review web app did not start on {self.address}")
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.join(timeout)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM before (or after) the runner's own handler stops us as Ctrl-C does, so every
    child is stopped in `finally`; the runner installs its own while it serves."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_deployments(deployments: list, console: Console) -> None:
    """What `prefect.serve` does (a runner polling for the deployments' scheduled runs, each
    run a child process, schedules paused on the way out), but SIGTERM and Ctrl-C stop it
    through the runner's own `astop`, which cancels a run under way and records it so.

    Prefect's SIGTERM handler calls `sys.exit` inside the runner's event loop (a traceback,
    and a run left marked RUNNING); a bare interrupt leaves a long run marked RUNNING too.
    """
    import asyncio

    from prefect.runner import Runner

    class StopsCleanly(Runner):
        stop_asked = False

        def handle_sigterm(self, *args: object, **kwargs: object) -> None:
            if not self.started or self.stop_asked:  # not serving yet, or asked twice
                raise KeyboardInterrupt
            self.stop_asked = True
            loop = asyncio.get_running_loop()
            loop.call_soon_threadsafe(lambda: loop.create_task(self.astop()))

    runner = StopsCleanly(pause_on_shutdown=True)
    for deployment in deployments:
        runner.add_deployment(deployment)
    console.print("serving " + ", ".join(d.name for d in deployments) + " (Ctrl-C to stop)")
    previous = signal.signal(signal.SIGINT, runner.handle_sigterm)
    try:
        asyncio.run(runner.start())  # installs handle_sigterm for SIGTERM itself
    finally:
        signal.signal(signal.SIGINT, previous)


def serve(settings: Settings, *, web: bool, web_host: str, web_port: int, prefect_port: int,
          console: Console) -> int:
    """Serve until SIGINT or SIGTERM; 0 after a clean stop, 1 if something failed to start."""
    configure_prefect(settings.data_dir, quiet=False)
    server: LocalPrefectServer | None = None
    app: WebApp | None = None
    with _sigterm_interrupts():
        try:
            if web:
                app = WebApp(settings, web_host, web_port)
                app.start()
                app.wait_started()
                console.print(f"review web app on {app.address}")
            if not os.environ.get("PREFECT_API_URL"):
                server = LocalPrefectServer(Path(os.environ["PREFECT_HOME"]), prefect_port)
                server.start()
                os.environ["PREFECT_API_URL"] = server.api_url
                console.print(f"Prefect server on {server.api_url} (its database and log "
                              f"under {server.home})")
            else:
                console.print(f"Prefect API {os.environ['PREFECT_API_URL']}")
            if settings.scan_dir is None:  # the default folder, under the data dir
                settings.resolved_scan_dir.mkdir(parents=True, exist_ok=True)
            from flows.deployments import build_deployments

            run_deployments(build_deployments(settings), console)
        except KeyboardInterrupt:
            pass
        except ServeError as exc:
            console.print(f"[red]error:[/] {exc}")
            return 1
        finally:
            if app is not None:
                app.stop()
            if server is not None:
                server.stop()
    console.print("stopped")
    return 0
