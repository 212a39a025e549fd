"""Starts the built NpsGrpc server as a child process on a free loopback port, for the client tests."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import grpc

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
SERVER_DLL = REPOSITORY_ROOT / "src/NpsGrpc.Server/bin/Release/net10.0/NpsGrpc.Server.dll"
CLI_DLL = REPOSITORY_ROOT / "src/NpsGrpc.Cli/bin/Release/net10.0/nps.dll"

# grpc.health.v1.HealthCheckResponse with status SERVING (field 1, varint 1). The health protos are
# not generated for this client, so the test compares the encoded bytes.
_SERVING = b"\x08\x01"
_START_ATTEMPTS = 3
_START_TIMEOUT_SECONDS = 90.0


def server_settings(connection_string: str, port: int) -> dict[str, str]:
    """Return the environment variables the test server runs with.

    This is the one place to add a setting for the test server, for example an authentication mode.
    """
    return {
        "ConnectionStrings__Nps": connection_string,
        "Kestrel__Endpoints__Grpc__Url": f"http://127.0.0.1:{port}",
        "Kestrel__Endpoints__Grpc__Protocols": "Http2",
        # A free port for the metrics listener: the default 9464 may be taken by another server on the machine.
        "Telemetry__Prometheus__Url": "http://127.0.0.1:0",
        "Exports__SchedulerEnabled": "false",
    }


def create_test_key(connection_string: str) -> str:
    """Create an API key with every scope in the test database and return it.

    NPS_TEST_API_KEY, when set, is returned instead. Otherwise the key is written straight to the
    database with `nps keys create --connection-string`, the bootstrap path an operator uses.
    """
    configured = os.environ.get("NPS_TEST_API_KEY")
    if configured:
        return configured
    if not CLI_DLL.is_file():
        raise RuntimeError(f"{CLI_DLL} not found; build the CLI first with 'make build'")

    command = ["dotnet", str(CLI_DLL), "keys", "create", "--connection-string", connection_string,
               "--name", f"python-client-tests-{uuid.uuid4().hex}", "--expires", "1d"]
    for scope in ("ingest", "query", "export", "admin"):
        command += ["--scope", scope]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


class RunningServer:
    """A server process; ``target`` is its ``127.0.0.1:PORT``."""

    def __init__(self, process: subprocess.Popen, target: str, log_path: Path, api_key: str):
        self.process = process
        self.target = target
        self.log_path = log_path
        self.api_key = api_key

    def stop(self) -> None:
        """Stop the process with SIGTERM, then SIGKILL if it has not exited after 15 seconds."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server() -> RunningServer:
    """Start the server and wait until its health check returns SERVING.

    The database comes from NPS_TEST_CONNECTION_STRING, or from the private 'test' cluster
    (scripts/pg-cluster.sh) when that is unset. A port that another process takes between the
    free-port probe and the server's bind makes the server exit, and a new port is tried.
    """
    if not SERVER_DLL.is_file():
        raise RuntimeError(f"{SERVER_DLL} not found; build the server first with 'make build'")

    connection_string = os.environ.get("NPS_TEST_CONNECTION_STRING") or _start_cluster()
    api_key = create_test_key(connection_string)
    log_path = Path(tempfile.mkstemp(prefix="nps-python-client-server-", suffix=".log")[1])
    for _ in range(_START_ATTEMPTS):
        port = _free_port()
        environment = os.environ | server_settings(connection_string, port)
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                ["dotnet", str(SERVER_DLL)],
                cwd=SERVER_DLL.parent,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        server = RunningServer(process, f"127.0.0.1:{port}", log_path, api_key)
        if _wait_until_serving(server):
            return server
        server.stop()

    raise RuntimeError(f"the server did not report SERVING after {_START_ATTEMPTS} attempts; log: {log_path}")


def _wait_until_serving(server: RunningServer) -> bool:
    with grpc.insecure_channel(server.target) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        end = time.monotonic() + _START_TIMEOUT_SECONDS
        while time.monotonic() < end:
            if server.process.poll() is not None:
                return False
            try:
                if check(b"", timeout=2) == _SERVING:
                    return True
            except grpc.RpcError:
                pass
            time.sleep(0.2)
    return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_cluster() -> str:
    script = REPOSITORY_ROOT / "scripts/pg-cluster.sh"
    return subprocess.run([str(script), "start", "test"], check=True, capture_output=True, text=True).stdout.strip()
