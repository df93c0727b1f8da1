"""`csanmt serve --tls-cert --tls-key`: HTTPS with a certificate made at test time, TLS 1.2+ only, the certificate
reloaded on SIGHUP for new connections while open ones carry on, HSTS, and the plain-HTTP redirect."""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Support"))
from csanmt_server import REPO, Server, free_port, make_certificate  # noqa: E402

BIN = Path(os.environ.get("CSANMT_BIN", REPO / ".build" / "debug" / "csanmt"))


@pytest.fixture
def server(tmp_path):
    redirect = free_port()
    srv = Server(tmp_path, BIN, tls=True, extra_args=["--redirect-http", str(redirect)])
    srv.redirect_port = redirect
    srv.start()
    yield srv
    srv.stop()


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def pem_fingerprint(path: Path) -> str:
    return fingerprint(ssl.PEM_cert_to_DER_cert(path.read_text()))


def served_fingerprint(port: int) -> str:
    """The certificate a new connection is given."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, context.wrap_socket(raw) as tls:
        return fingerprint(tls.getpeercert(binary_form=True))


def test_requests_and_curl_over_https(server):
    answer = requests.get(server.base_url + "/api/health", verify=str(server.cert), timeout=10)
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    assert answer.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    curl = subprocess.run(["curl", "-sS", "--cacert", str(server.cert), server.base_url + "/api/health"],
                          capture_output=True, text=True, timeout=30)
    assert curl.returncode == 0 and '"ok"' in curl.stdout, curl.stderr
    with pytest.raises(requests.exceptions.SSLError):   # an untrusted certificate is not silently accepted
        requests.get(server.base_url + "/api/health", timeout=10)


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_old_tls_is_refused(server, version):
    curl = subprocess.run(["curl", "-sS", "--cacert", str(server.cert), f"--tlsv{version}", "--tls-max", version,
                           server.base_url + "/api/health"], capture_output=True, text=True, timeout=30)
    assert curl.returncode != 0, f"TLS {version} was accepted: {curl.stdout}"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(str(server.cert))
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        assert tls.version() == "TLSv1.2"   # the oldest version served


def test_sighup_reloads_the_certificate_and_open_connections_survive(server, tmp_path):
    old = pem_fingerprint(server.cert)
    assert served_fingerprint(server.port) == old
    context = ssl.create_default_context(cafile=str(server.cert))
    open_connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=10)
    open_connection.request("GET", "/api/health")
    assert open_connection.getresponse().read() == b'{"status":"ok"}'

    new_cert, new_key = make_certificate(tmp_path, "csanmt-renewed")
    shutil.copy(new_cert, server.cert)
    shutil.copy(new_key, server.key)
    server.process.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while served_fingerprint(server.port) == old and time.time() < deadline:
        time.sleep(0.1)
    assert served_fingerprint(server.port) == pem_fingerprint(new_cert)
    assert server.process.poll() is None, "SIGHUP must not stop the server"

    open_connection.request("GET", "/api/health")   # the connection opened before the reload carries on
    assert open_connection.getresponse().status == 200
    assert fingerprint(open_connection.sock.getpeercert(binary_form=True)) == old
    open_connection.close()

    # A broken certificate file is refused and the current one stays.
    server.cert.write_text("not a certificate\n")
    server.process.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    assert server.process.poll() is None
    assert served_fingerprint(server.port) == pem_fingerprint(new_cert)
    assert "not reloaded" in server.log_text()


def test_plain_http_is_redirected(server):
    answer = requests.post(f"http://127.0.0.1:{server.redirect_port}/api/v1/translate?x=1", json={"text": "a"},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 308
    assert answer.headers["Location"] == f"https://127.0.0.1:{server.port}/api/v1/translate?x=1"
    plain = subprocess.run(["curl", "-sS", f"http://127.0.0.1:{server.port}/api/health"], capture_output=True, text=True, timeout=30)
    assert '"ok"' not in plain.stdout, "the TLS port must not answer plain HTTP"
