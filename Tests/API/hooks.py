"""Schemathesis hooks for Tests/API/run: the caller's token, and repairs after the fuzzer locks its own caller out.

The fuzzer calls every operation with real, valid data, including the ones that end its own credentials. The
request is sent and checked like any other; afterwards this file puts the caller back, so that the rest of the run
is not a stream of 401/403:

- `POST /api/v1/auth/logout`, `POST /api/v1/auth/refresh` (the calling token is signed out) and
  `POST .../signing-keys/rotate?immediate=true` on the caller's tenant (its tokens stop verifying): a new token is
  fetched before the next request;
- `POST /api/v1/admin/keys/{id}/revoke` of the caller's own key: a new key is made with the CLI, then a token;
- `PATCH /api/v1/admin/tenants/{id}` that sets an allow-list on the caller's tenant (127.0.0.1 is rarely in it):
  the allow-list is removed with the CLI;
- `PATCH /api/v1/admin/keys/{id}` that gives the caller's key rate limits: they are removed with the CLI (a key
  held to 1 request per second would only see 429s).

Nothing is filtered or rewritten before it is sent, and no response is changed. Every repair is logged to
$CSANMT_API_REPAIRS. The run uses one worker, so a repair lands before the next request.

Some failures are dropped, each only after checking here that the server was right (each drop is logged too).
"Missing required header accepted" (ST203) on the DeepL and LibreTranslate routes when the answer is 403
`missing_credentials`: those APIs answer 403, not 401, without credentials, and their client libraries expect it
(docs/compatibility.md). And two kinds of "schema-valid request rejected" (ST202), because no schema can express
the rule:

- `POST /api/v1/admin/tenants/{id}/keys` with `scopes` outside the tenant's current scopes (400 `invalid_request`):
  it depends on the tenant's state, which an operator's PATCH changes during the run. Checked with a fresh GET of
  the tenant.
- a drop-in translation without a source language whose text is detected as English (400
  `unsupported_language_pair`: the model translates zh→en only): it depends on the text's letters. Checked with the
  server's rule (LanguageGuess in Sources/Translation/LanguageGuess.swift).

Environment (set by Tests/API/run): CSANMT_API_BASE, CSANMT_API_ROLE (`tenant` or `operator`), CSANMT_API_PRINCIPAL
(tenant or operator id), CSANMT_API_KEY, CSANMT_BIN, CSANMT_API_DB, CSANMT_API_CLI_AUDIT, CSANMT_API_REPAIRS.
"""
import base64
import json
import os
import subprocess
import threading
import time

import requests
import schemathesis

BASE = os.environ["CSANMT_API_BASE"]
ROLE = os.environ["CSANMT_API_ROLE"]
PRINCIPAL = os.environ["CSANMT_API_PRINCIPAL"]
BIN = os.environ["CSANMT_BIN"]
DB = os.environ["CSANMT_API_DB"]
CLI_AUDIT = os.environ["CSANMT_API_CLI_AUDIT"]
REPAIRS = os.environ["CSANMT_API_REPAIRS"]
TOKEN_LIFE = 600  # renew well before the 15 minutes of an admin token


class Credentials:
    def __init__(self):
        self.lock = threading.Lock()
        self.api_key = os.environ["CSANMT_API_KEY"]
        self.token = None
        self.key_id = None
        self.fetched = 0.0

    def current(self):
        with self.lock:
            if self.token is None or time.monotonic() - self.fetched > TOKEN_LIFE:
                self._fetch()
            return self.token

    def _fetch(self):
        if ROLE == "tenant":
            url, payload = f"{BASE}/api/v1/auth/token", {"tenant_id": PRINCIPAL, "api_key": self.api_key}
        else:
            url, payload = f"{BASE}/api/v1/auth/operator-token", {"operator_id": PRINCIPAL, "api_key": self.api_key}
        r = requests.post(url, json=payload, timeout=30)
        if r.status_code != 200:
            raise RuntimeError(f"token exchange failed: {r.status_code} {r.text}")
        self.token = r.json()["token"]
        self.fetched = time.monotonic()
        claims = self.token.split(".")[1]
        self.key_id = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4))).get("key_id")

    def drop(self, why):
        with self.lock:
            self.token = None
        log(f"new token: {why}")

    def new_key(self, why):
        out = cli("key", "create", "--tenant", PRINCIPAL, "--no-expiry")
        with self.lock:
            self.api_key = out.strip().splitlines()[-1]
            self.token = None
        log(f"new key: {why}")


CREDENTIALS = Credentials()


def log(line):
    with open(REPAIRS, "a", encoding="utf-8") as f:
        f.write(f"{time.strftime('%H:%M:%S')} {line}\n")


def cli(*args):
    return subprocess.run([BIN, *args, "--db", DB, "--audit-log", CLI_AUDIT], check=True, capture_output=True,
                          text=True).stdout


@schemathesis.auth(refresh_interval=None)
class CallerToken:
    """The caller's bearer token, fetched with its key (renewed after the repairs above and every 10 minutes)."""

    def get(self, case, ctx):
        return CREDENTIALS.current()

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


def _used_our_token(case):
    return (case.headers or {}).get("Authorization") == f"Bearer {CREDENTIALS.token}"


# Drop-in routes of APIs that answer 403 for missing credentials (their clients expect it), besides DeepL's /v2/.
DEEPL_LIKE = {"/translate", "/detect"}
COMPAT_TRANSLATE = {"/v2/translate": ("text", "source_lang"), "/language/translate/v2": ("q", "source"),
                    "/translate": ("q", "source")}


def compat_parameters(case):
    """A drop-in call's parameters as the server reads them (CompatParameters): query, then body, as strings."""
    values = {}

    def add(name, value, form):
        if name.endswith("[]"):
            name = name[:-2]
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, bool):   # a form says true/false; JSON's true is an NSNumber, "1"
                v = ("true" if v else "false") if form else ("1" if v else "0")
            if v is None and not form:
                continue
            values.setdefault(name, []).append("null" if v is None else str(v))
    for name, value in (case.query or {}).items():
        add(name, value, True)
    if isinstance(case.body, dict):
        for name, value in case.body.items():
            add(name, value, "json" not in (case.media_type or ""))
    return values


def first(values, name):
    v = (values.get(name) or [""])[0]
    return v or None


def guess_language(text, fallback="zh"):
    """LanguageGuess.guess: Han characters (counted twice) against Latin letters."""
    han = sum(1 for c in text if 0x4E00 <= ord(c) <= 0x9FFF or 0x3400 <= ord(c) <= 0x4DBF
              or 0x20000 <= ord(c) <= 0x2A6DF or 0xF900 <= ord(c) <= 0xFAFF)
    latin = sum(1 for c in text if "A" <= c <= "Z" or "a" <= c <= "z")
    if 2 * han + latin == 0:
        return fallback
    return "zh" if 4 * han >= 2 * han + latin else "en"


def compat_refusal_is_right(case, response):
    texts_name, source_name = COMPAT_TRANSLATE[case.operation.path]
    p = compat_parameters(case)
    texts = p.get(texts_name, [])
    code = response.headers.get("x-error-code", [""])[0]
    if code == "unsupported_language_pair":
        source = first(p, source_name)
        if source is None or source.lower() == "auto":
            language = guess_language("\n".join(texts))
            if language != "zh":
                return f"the text is detected as {language}, the model translates zh→en"
    return None


@schemathesis.hook
def filter_failure(context, failure, case, response):
    path = case.operation.path
    if (failure.code == "ST203" and response.status_code == 403 and (path.startswith("/v2/") or path in DEEPL_LIKE)
            and response.headers.get("x-error-code", [""])[0] == "missing_credentials"):
        api = "DeepL" if path.startswith("/v2/") else "LibreTranslate"
        log(f"dropped ST203 (403, not 401, without credentials, as {api} answers): {case.method.upper()} {path}")
        return False
    if failure.code == "ST202" and path in COMPAT_TRANSLATE and response.status_code == 400:
        why = compat_refusal_is_right(case, response)
        if why:
            log(f"dropped ST202 (content-dependent refusal): {case.method.upper()} {path}, {why}")
            return False
        return True
    if failure.code != "ST202" or path != "/api/v1/admin/tenants/{id}/keys" or response.status_code != 400:
        return True
    asked = set((case.body or {}).get("scopes") or []) if isinstance(case.body, dict) else set()
    tenant = (case.path_parameters or {}).get("id")
    r = requests.get(f"{BASE}/api/v1/admin/tenants/{tenant}", timeout=30,
                     headers={"Authorization": f"Bearer {CREDENTIALS.current()}"})
    if r.status_code != 200 or not asked - set(r.json()["scopes"]):
        return True
    log(f"dropped ST202 (key scopes outside the tenant's): POST /api/v1/admin/tenants/{tenant}/keys asked for "
        f"{sorted(asked)}, the tenant holds {r.json()['scopes']}")
    return False


@schemathesis.hook
def after_call(context, case, response):
    if not 200 <= response.status_code < 300:
        return
    method, path = case.method.upper(), case.operation.path
    params = case.path_parameters or {}
    if method == "POST" and path in ("/api/v1/auth/logout", "/api/v1/auth/refresh"):
        if _used_our_token(case):
            CREDENTIALS.drop(f"{path} signed the token out")
    elif method == "POST" and path.endswith("/signing-keys/rotate"):
        if ROLE == "tenant" and params.get("id") == PRINCIPAL and (case.query or {}).get("immediate") == "true":
            CREDENTIALS.drop("the tenant's signing key was rotated with immediate=true")
    elif method == "POST" and path == "/api/v1/admin/keys/{key_id}/revoke":
        if ROLE == "tenant" and response.json().get("id") == CREDENTIALS.key_id:
            CREDENTIALS.new_key(f"the caller's key {CREDENTIALS.key_id} was revoked")
    elif method == "PATCH" and path == "/api/v1/admin/tenants/{id}":
        body = response.json()
        if body.get("id") == PRINCIPAL and body.get("allowed_ips"):
            cli("tenant", "update", "--id", PRINCIPAL, "--allow-any-ip")
            log(f"allow-list removed from the caller's tenant: {body['allowed_ips']}")
    elif method == "PATCH" and path == "/api/v1/admin/keys/{key_id}":
        body = response.json()
        if body.get("id") == CREDENTIALS.key_id and body.get("limits"):
            cli("key", "update", "--id", CREDENTIALS.key_id)
            log(f"limits removed from the caller's key: {body['limits']}")
