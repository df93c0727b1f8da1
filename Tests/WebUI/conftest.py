"""Fixtures for the browser tests: the real `csanmt serve` on a fresh database, and headless Chromium.

Environment:
  CSANMT_BIN              the csanmt binary (default <repo>/.build/debug/csanmt)
  CSANMT_UI_ARTIFACTS     where screenshots and the server log go (default <repo>/.build/webui-artifacts)
  CSANMT_WEB_ROOT         passed through to the server: serve the UI from this folder instead of the bundle
  CSANMT_READY_TIMEOUT    seconds to wait for /api/ready (default 90)
  CHROMIUM / CHROMEDRIVER browser and driver (default /usr/bin/chromium, /usr/bin/chromedriver)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("CSANMT_BIN", REPO / ".build" / "debug" / "csanmt"))
ARTIFACTS = Path(os.environ.get("CSANMT_UI_ARTIFACTS", REPO / ".build" / "webui-artifacts"))
READY_TIMEOUT = float(os.environ.get("CSANMT_READY_TIMEOUT", "90"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")

ALL_SCOPES = "translate:basic,translate:batch,usage:read,tenant:admin"
USER_SCOPES = "translate:basic,translate:batch,usage:read"

VIEWPORT = (1280, 800)


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

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.db = workdir / "tenants.sqlite"
        self.audit_log = workdir / "audit.log"
        self.log_path = workdir / "server.log"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    # ---- CLI

    def cli(self, *args: str) -> str:
        result = subprocess.run([str(BIN), *args], cwd=REPO, capture_output=True, text=True, timeout=120)
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
        """The plaintext operator key (cso_…), the last line of `operator create`."""
        out = self.cli("operator", "create", "--db", str(self.db), "--id", operator_id, "--name", operator_id)
        key = out.strip().splitlines()[-1].strip()
        assert key.startswith("cso_"), f"unexpected `operator create` output:\n{out}"
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
            with urllib.request.urlopen(request, timeout=60) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read())

    def token(self, tenant_id: str, api_key: str) -> str:
        response = self.http("POST", "/api/v1/auth/token", {"tenant_id": tenant_id, "api_key": api_key})
        assert response.status == 200, f"token: {response.status} {response.text}"
        return response.json["token"]

    def operator_token(self) -> str:
        response = self.http("POST", "/api/v1/auth/operator-token", {"operator_id": "ui_operator", "api_key": self.operator_key})
        assert response.status == 200, f"operator token: {response.status} {response.text}"
        return response.json["token"]

    # ---- process

    def start(self) -> None:
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(BIN), "serve", "--db", str(self.db), "--port", str(self.port), "--host", "127.0.0.1",
             "--metrics-port", str(free_port()), "--audit-log", str(self.audit_log)],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"csanmt serve exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(self.base_url + "/api/ready", timeout=2) as response:
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


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def server(tmp_path_factory, artifacts) -> Server:
    if not BIN.exists():
        pytest.exit(f"csanmt binary not found at {BIN} (build it, or set CSANMT_BIN)", returncode=2)
    srv = Server(tmp_path_factory.mktemp("csanmt"))
    # The database exists before the server opens it. The operator manages every tenant; ui_admin is a tenant admin
    # (tenant:admin), confined to its own tenant.
    srv.operator_key = srv.create_operator("ui_operator")
    srv.create_tenant("ui_admin", "UI Admin", scopes=ALL_SCOPES)
    srv.admin_key_id, srv.admin_key = srv.create_key("ui_admin")
    srv.start()
    yield srv
    srv.stop()
    for name in ("server.log", "audit.log"):
        source = srv.workdir / name
        if source.exists():
            shutil.copy(source, artifacts / name)


class Browsers:
    """Starts headless Chromium sessions on demand and quits them all at the end of the test."""

    def __init__(self):
        self.drivers: list[webdriver.Chrome] = []

    def new(self, language: str = "en-US") -> webdriver.Chrome:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}", f"--lang={language}",
                    "--disable-extensions", "--no-first-run", "--hide-scrollbars"):
            options.add_argument(arg)
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        # Screenshots are exactly 1280×800 CSS pixels at scale 1, whatever the window decorations.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": VIEWPORT[0], "height": VIEWPORT[1], "deviceScaleFactor": 1, "mobile": False})
        self.drivers.append(driver)
        return driver

    def quit_all(self) -> None:
        for driver in self.drivers:
            try:
                driver.quit()
            except Exception:  # noqa: BLE001 - a crashed browser must not hide the test's own failure
                pass
        self.drivers.clear()


@pytest.fixture
def browsers():
    b = Browsers()
    yield b
    b.quit_all()


@pytest.fixture
def browser(browsers) -> webdriver.Chrome:
    return browsers.new()
