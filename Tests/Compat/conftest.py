"""A release `csanmt serve` with tenants for the client-library tests (see README.md).

Environment: CSANMT_BIN (default <repo>/.build/release/csanmt), CSANMT_READY_TIMEOUT.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Support"))
from csanmt_server import REPO, Server  # noqa: E402

BIN = Path(os.environ.get("CSANMT_BIN", REPO / ".build" / "release" / "csanmt"))
COMPAT_SCOPES = "translate:basic,translate:batch,usage:read,translate:compat"
UNLIMITED = ["--requests-per-second", "unlimited", "--characters-per-minute", "unlimited", "--max-in-flight", "unlimited"]


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    if not BIN.exists():
        pytest.exit(f"csanmt binary not found at {BIN} (build it, or set CSANMT_BIN)", returncode=2)
    # The zh→en model only: the client libraries' language lists below are those of one direction. (The drop-in
    # APIs with both directions are covered by Tests/API and ServerTests.)
    srv = Server(tmp_path_factory.mktemp("csanmt-compat"), BIN,
                 extra_args=["--model", str(REPO / "Weights/csanmt-zh2en-small")])
    srv.create_operator("compat_operator")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def tenant(server, request):
    """A fresh tenant named after the test, with translate:compat and its rate limits lifted: (id, key)."""
    def make(suffix: str = "", *extra: str) -> tuple[str, str]:
        tenant_id = ("c_" + request.node.name.removeprefix("test_") + suffix)[:64]
        server.cli("tenant", "create", "--db", str(server.db), "--id", tenant_id, "--name", tenant_id,
                   "--scopes", COMPAT_SCOPES, *(extra or UNLIMITED))
        return tenant_id, server.create_key(tenant_id)[1]
    return make
