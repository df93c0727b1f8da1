"""A real `csanmt serve` on a fresh database, for the Python test suites (web UI, drop-in client libraries).

Environment:
  CSANMT_BIN              the csanmt binary (each suite has its default)
  CSANMT_READY_TIMEOUT    seconds to wait for /api/ready (default 90)
"""

from __future__ import annotations

import json
import os
import re
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT = float(os.environ.get("CSANMT_READY_TIMEOUT", "90"))
USER_SCOPES = "translate:basic,translate:batch,usage:read"


class Response:
    """An HTTP answer from urllib: status, headers, parsed JSON body (or None)."""

    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.text) if self.text else None
        except ValueError:
            self.json = None


class Server:
    """A running `csanmt serve` plus helpers for the CLI and plain HTTP calls."""

    def __init__(self, workdir: Path, binary: Path, extra_args: list[str] | None = None, tls: bool = False):
        self.workdir = workdir
        self.binary = binary
        self.extra_args = extra_args or []
        self.tls = tls
        self.operator_id: str | None = None
        self.operator_key: str | None = None
        self.db = workdir / "tenants.sqlite"
        self.audit_log = workdir / "audit.log"
        self.log_path = workdir / "server.log"
        self.port = free_port()
        self.base_url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.ssl_context: ssl.SSLContext | None = None
        if tls:
            self.cert, self.key = make_certificate(workdir, "csanmt-test")
            self.extra_args += ["--tls-cert", str(self.cert), "--tls-key", str(self.key)]
            self.ssl_context = ssl.create_default_context(cafile=str(self.cert))
        self.process: subprocess.Popen | None = None

    # ---- CLI

    def cli(self, *args: str) -> str:
        result = subprocess.run([str(self.binary), *args], cwd=REPO, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise AssertionError(f"csanmt {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def create_tenant(self, tenant_id: str, name: str | None = None, scopes: str = USER_SCOPES,
                      daily_requests: int | None = None, daily_characters: int | None = None) -> str:
        args = ["tenant", "create", "--db", str(self.db), "--id", tenant_id, "--name", name or tenant_id,
                "--scopes", scopes]
        if daily_requests is not None:
            args += ["--daily-requests", str(daily_requests)]
        if daily_characters is not None:
            args += ["--daily-characters", str(daily_characters)]
        self.cli(*args)
        return tenant_id

    def create_key(self, tenant_id: str) -> tuple[str, str]:
        """(key id, plaintext key): the key is the last line of stdout, the id is in 'created key_… for …'."""
        out = self.cli("key", "create", "--db", str(self.db), "--tenant", tenant_id)
        lines = [line.strip() for line in out.strip().splitlines() if line.strip()]
        match = re.search(r"created (\S+) for", out)
        assert match and lines and lines[-1].startswith("csk_"), f"unexpected `key create` output:\n{out}"
        return match.group(1), lines[-1]

    def create_operator(self, operator_id: str) -> str:
        """Creates the operator this server's helpers act as; returns its plaintext key (cso_…), the last line of
        `operator create`."""
        out = self.cli("operator", "create", "--db", str(self.db), "--id", operator_id, "--name", operator_id)
        key = out.strip().splitlines()[-1].strip()
        assert key.startswith("cso_"), f"unexpected `operator create` output:\n{out}"
        self.operator_id, self.operator_key = operator_id, key
        return key

    def revoke_key(self, key_id: str) -> None:
        self.cli("key", "revoke", "--db", str(self.db), "--id", key_id)

    # ---- HTTP

    def http(self, method: str, path: str, body=None, token: str | None = None) -> Response:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=60, context=self.ssl_context) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read())

    def token(self, tenant_id: str, api_key: str) -> str:
        response = self.http("POST", "/api/v1/auth/token", {"tenant_id": tenant_id, "api_key": api_key})
        assert response.status == 200, f"token: {response.status} {response.text}"
        return response.json["token"]

    def operator_token(self) -> str:
        response = self.http("POST", "/api/v1/auth/operator-token", {"operator_id": self.operator_id, "api_key": self.operator_key})
        assert response.status == 200, f"operator token: {response.status} {response.text}"
        return response.json["token"]

    # ---- process

    def start(self) -> None:
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--db", str(self.db), "--port", str(self.port), "--host", "127.0.0.1",
             "--metrics-port", str(free_port()), "--audit-log", str(self.audit_log), *self.extra_args],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"csanmt serve exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(self.base_url + "/api/ready", timeout=2, context=self.ssl_context) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.25)   # polling, not waiting for something to happen in the UI
        self.stop()
        raise AssertionError(f"csanmt serve not ready after {READY_TIMEOUT:.0f} s:\n{self.log_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed P-256 certificate for 127.0.0.1 and localhost, made now with openssl: (cert.pem, key.pem)."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "2", "-subj", f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key
