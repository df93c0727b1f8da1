"""Fixtures for the browser tests: the real `csanmt serve` on a fresh database, and headless Chromium.

Environment:
  CSANMT_BIN              the csanmt binary (default <repo>/.build/debug/csanmt)
  CSANMT_UI_ARTIFACTS     where screenshots and the server log go (default <repo>/.build/webui-artifacts)
  CSANMT_WEB_ROOT         passed through to the server: serve the UI from this folder instead of the bundle
  CSANMT_READY_TIMEOUT    seconds to wait for /api/ready (default 90)
  CSANMT_UI_TLS=1         serve HTTPS (a certificate made at start) and run every test over it
  CHROMIUM / CHROMEDRIVER browser and driver (default /usr/bin/chromium, /usr/bin/chromedriver)
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Support"))
from csanmt_server import REPO, USER_SCOPES, Response, Server, free_port  # noqa: E402,F401 - shared with Tests/Compat

BIN = Path(os.environ.get("CSANMT_BIN", REPO / ".build" / "debug" / "csanmt"))
ARTIFACTS = Path(os.environ.get("CSANMT_UI_ARTIFACTS", REPO / ".build" / "webui-artifacts"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")

ALL_SCOPES = "translate:basic,translate:batch,usage:read,tenant:admin"

VIEWPORT = (1280, 800)
TLS = os.environ.get("CSANMT_UI_TLS") == "1"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def server(tmp_path_factory, artifacts) -> Server:
    if not BIN.exists():
        pytest.exit(f"csanmt binary not found at {BIN} (build it, or set CSANMT_BIN)", returncode=2)
    srv = Server(tmp_path_factory.mktemp("csanmt"), BIN, tls=TLS)
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


@pytest.fixture(scope="session")
def two_way_server(tmp_path_factory, artifacts) -> Server:
    """A server with both shipped models named explicitly (zh→en, then en→zh), whatever CSANMT_MODEL says."""
    workdir = tmp_path_factory.mktemp("csanmt-two-way")
    srv = Server(workdir, BIN, tls=TLS,
                 extra_args=["--model", str(REPO / "Weights/csanmt-zh2en-small"),
                             "--model", str(REPO / "Weights/csanmt-en2zh-small")])
    srv.create_operator("ui_operator")
    srv.start()
    yield srv
    srv.stop()
    shutil.copy(srv.log_path, artifacts / "two-way-server.log")


class Browsers:
    """Starts headless Chromium sessions on demand and quits them all at the end of the test."""

    def __init__(self):
        self.drivers: list[webdriver.Chrome] = []

    def new(self, language: str = "en-US") -> webdriver.Chrome:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}", f"--lang={language}",
                    "--disable-extensions", "--no-first-run", "--hide-scrollbars",
                    *(["--ignore-certificate-errors"] if TLS else [])):   # the test certificate is self-signed
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
