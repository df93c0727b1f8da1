"""Browser tests of the csanmt web UI against the real server (see conftest.py for the set-up).

Each test signs in as its own tenant, so the tests do not depend on each other's quotas or keys.
Screenshots of every page and error state go to $CSANMT_UI_ARTIFACTS.
"""

from __future__ import annotations

import getpass
import json
import re
import time
from pathlib import Path

import pytest

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

import pages
from pages import by_id, wait, wait_hidden, wait_text, wait_visible

SENTENCE = "今天天气很好。"
SESSION_EXPIRED = "Your session has expired, please sign in again."


def test_page_headers(server):
    """/ carries the strict CSP and nosniff; the UI's files come with the right types; no path escapes /ui/."""
    response = server.http("GET", "/")
    assert response.status == 200
    assert response.headers.get("Content-Type", "").startswith("text/html")
    csp = response.headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                      "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
        assert directive in csp, f"CSP lacks {directive!r}: {csp!r}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert 'src="/ui/app.js"' in response.text

    for name, kind in (("app.js", "javascript"), ("i18n.js", "javascript"), ("api.js", "javascript"),
                       ("translator.js", "javascript"), ("admin.js", "javascript"), ("app.css", "text/css")):
        asset = server.http("GET", "/ui/" + name)
        assert asset.status == 200, f"/ui/{name}: {asset.status}"
        assert kind in asset.headers.get("Content-Type", ""), f"/ui/{name}: {asset.headers.get('Content-Type')}"
        assert asset.headers.get("X-Content-Type-Options") == "nosniff"

    for path in ("/ui/../../Package.swift", "/ui/%2e%2e/%2e%2e/Package.swift", "/ui/..%2f..%2fPackage.swift"):
        escaped = server.http("GET", path)
        assert not (escaped.status == 200 and "swift-tools-version" in escaped.text), f"{path} escapes the web root"


def test_login_and_translate(server, browser, artifacts):
    """Sign in, translate a sentence (button) and two paragraphs (Ctrl+Enter); the token stays in sessionStorage."""
    server.create_tenant("ui_user", "Marketing")
    _, key = server.create_key("ui_user")

    pages.open_app(browser, server.base_url)
    assert browser.title
    assert not by_id(browser, "main-nav").is_displayed()
    pages.screenshot(browser, artifacts, "login")

    pages.sign_in(browser, None, "ui_user", key)
    assert by_id(browser, "session-tenant").text == "Marketing"
    assert by_id(browser, "login-key").get_attribute("value") == "", "the API key stays in the form"
    assert not by_id(browser, "nav-admin").is_displayed(), "a tenant without 'admin' sees the admin tab"
    # The shipped models serve zh→en and en→zh: the swap button shows.
    wait(browser).until(lambda d: by_id(d, "swap-button").is_displayed())

    pages.translate(browser, SENTENCE)
    output = pages.wait_translation(browser)
    assert re.search(r"[A-Za-z]{2,}", output), f"not English: {output!r}"
    assert not re.search(r"[\u4e00-\u9fff]", output), f"Chinese left in the output: {output!r}"
    pages.wait_usage(browser, 1)
    assert by_id(browser, "char-counter").text == "7 / 5,000"
    assert by_id(browser, "copy-button").is_enabled()
    pages.screenshot(browser, artifacts, "translator")

    # Newlines survive: two paragraphs in, two paragraphs out (the output keeps white-space: pre-wrap).
    pages.translate(browser, "今天天气很好。\n\n我们去公园散步吧。", use_shortcut=True)
    wait(browser, pages.TRANSLATE_TIMEOUT).until(lambda d: "\n" in by_id(d, "translation-output").text)
    output = pages.wait_translation(browser)
    assert len([p for p in output.split("\n") if p.strip()]) == 2, repr(output)
    assert by_id(browser, "translation-output").value_of_css_property("white-space") == "pre-wrap"
    pages.wait_usage(browser, 2)
    pages.screenshot(browser, artifacts, "translator-paragraphs")

    # The token lives in sessionStorage only; no secrets in localStorage or the URL.
    stored = pages.session_storage(browser)
    assert stored.get("csanmt.token", "").count(".") == 2, stored
    assert key not in str(stored)
    assert not any(v and ("." in v and v.count(".") == 2 and len(v) > 40) for v in pages.local_storage(browser).values())
    assert key not in str(pages.local_storage(browser))
    assert "?" not in browser.current_url and "#" not in browser.current_url
    assert pages.csp_violations(browser) == []

    # Sign out clears the session and signs the token out on the server.
    token = stored["csanmt.token"]
    assert server.http("GET", "/api/v1/whoami", token=token).status == 200
    by_id(browser, "logout-button").click()
    wait_visible(browser, "login-view")
    assert pages.session_storage(browser) == {}
    deadline = time.time() + 10
    while server.http("GET", "/api/v1/whoami", token=token).status == 200 and time.time() < deadline:
        time.sleep(0.05)
    revoked = server.http("GET", "/api/v1/whoami", token=token)
    assert revoked.status == 401 and revoked.json["error"]["code"] == "token_revoked", revoked.text
    browser.refresh()
    wait_visible(browser, "login-view")
    assert not by_id(browser, "translator-view").is_displayed()


def test_translate_as_you_type_and_copy(server, browser, artifacts):
    """The live mode translates after a pause in typing; Copy puts the translation on the clipboard."""
    server.create_tenant("ui_live")
    _, key = server.create_key("ui_live")
    browser.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": server.base_url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    pages.sign_in(browser, server.base_url, "ui_live", key)

    by_id(browser, "live-translate").click()
    by_id(browser, "source-text").send_keys(SENTENCE)
    output = wait(browser, pages.TRANSLATE_TIMEOUT).until(lambda d: by_id(d, "translation-output").text.strip())
    assert re.search(r"[A-Za-z]{2,}", output)

    by_id(browser, "copy-button").click()
    assert wait_text(browser, "translate-status") == "Copied to the clipboard."
    copied = browser.execute_async_script(
        "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('ERROR ' + e));")
    assert copied == output


def test_narrow_screen_stacks_panes(server, browser, artifacts):
    """Below 720 px the source and translation panes are stacked, not side by side."""
    server.create_tenant("ui_narrow", "Mobile")
    _, key = server.create_key("ui_narrow")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    pages.sign_in(browser, server.base_url, "ui_narrow", key)
    source = by_id(browser, "source-text").rect
    output = by_id(browser, "translation-output").rect
    assert output["y"] >= source["y"] + source["height"], (source, output)
    assert abs(output["x"] - source["x"]) < 40, (source, output)
    pages.screenshot(browser, artifacts, "translator-narrow")


def test_wrong_key_shows_login_error(server, browser, artifacts):
    server.create_tenant("ui_wrongkey")
    server.create_key("ui_wrongkey")
    pages.open_app(browser, server.base_url)
    pages.sign_in(browser, None, "ui_wrongkey", "csk_" + "x" * 40, expect_success=False)
    error = wait_text(browser, "login-error")
    assert "Unknown id or key" in error
    assert by_id(browser, "login-view").is_displayed()
    assert not by_id(browser, "translator-view").is_displayed()
    assert by_id(browser, "login-key").get_attribute("value") == ""
    assert pages.session_storage(browser) == {}
    pages.screenshot(browser, artifacts, "login-error")

    # The message follows the language switch.
    from selenium.webdriver.support.ui import Select
    Select(by_id(browser, "lang-select")).select_by_value("zh")
    wait(browser).until(lambda d: "不正确" in by_id(d, "login-error").text)
    assert by_id(browser, "login-title").text == "登录"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    pages.screenshot(browser, artifacts, "login-error-zh")


def test_chinese_browser_defaults_to_chinese(server, browsers, artifacts):
    server.create_tenant("ui_zh", "市场部")
    _, key = server.create_key("ui_zh")
    driver = browsers.new("zh-CN")
    pages.open_app(driver, server.base_url)
    assert by_id(driver, "login-title").text == "登录"
    assert by_id(driver, "login-submit").text == "登录"
    pages.sign_in(driver, None, "ui_zh", key)
    assert by_id(driver, "translate-button").text == "翻译"
    pages.translate(driver, SENTENCE)
    assert pages.wait_translation(driver)
    wait(driver).until(lambda d: "请求" in by_id(d, "usage-requests").text)
    pages.screenshot(driver, artifacts, "translator-zh")


def test_revoked_key_returns_to_login(server, browser, artifacts):
    """A 401 in the middle of a session (key revoked; a bad token after reload) → login with a clear message."""
    server.create_tenant("ui_revoke")
    key_id, key = server.create_key("ui_revoke")
    pages.sign_in(browser, server.base_url, "ui_revoke", key)
    server.revoke_key(key_id)

    pages.translate(browser, SENTENCE)
    wait_visible(browser, "login-view", pages.TRANSLATE_TIMEOUT)
    assert wait_text(browser, "login-notice") == SESSION_EXPIRED
    assert not by_id(browser, "translator-view").is_displayed()
    assert not by_id(browser, "logout-button").is_displayed()
    assert pages.session_storage(browser) == {}
    pages.screenshot(browser, artifacts, "session-expired")

    # An expired or forged token found in sessionStorage after a reload: whoami → 401 → login.
    expired = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
               "eyJ0aWQiOiJ1aV9yZXZva2UiLCJleHAiOjEwMDAwMDAwMDB9."
               "c2lnbmF0dXJlLW5vdC12YWxpZC1zaWduYXR1cmUtbm90LXZhbGlk")
    browser.execute_script("sessionStorage.setItem('csanmt.token', arguments[0]);"
                           "sessionStorage.setItem('csanmt.tokenExpiresAt', String(Date.now() + 3600e3));", expired)
    browser.refresh()
    wait_visible(browser, "login-view")
    assert wait_text(browser, "login-notice") == SESSION_EXPIRED
    assert pages.session_storage(browser) == {}

    # A token the page itself knows to have expired is dropped without asking the server.
    browser.execute_script("sessionStorage.setItem('csanmt.token', arguments[0]);"
                           "sessionStorage.setItem('csanmt.tokenExpiresAt', String(Date.now() - 1000));", expired)
    browser.refresh()
    wait_visible(browser, "login-view")
    assert wait_text(browser, "login-notice") == SESSION_EXPIRED


def test_request_quota_exhausted(server, browser, artifacts):
    server.create_tenant("ui_quota", "Quota test", daily_requests=1)
    _, key = server.create_key("ui_quota")
    pages.sign_in(browser, server.base_url, "ui_quota", key)
    wait(browser).until(lambda d: "0 / 1" in by_id(d, "usage-requests").text)

    pages.translate(browser, SENTENCE)
    assert pages.wait_translation(browser)
    wait(browser).until(lambda d: "1 / 1" in by_id(d, "usage-requests").text)

    pages.translate(browser, "我们去公园散步吧。")
    message = pages.wait_translate_error(browser)
    assert "Daily request quota reached" in message, message
    assert "resets at" in message and re.search(r"\d{1,2}:\d{2}", message), message
    assert by_id(browser, "translator-view").is_displayed(), "a 429 must not end the session"
    pages.screenshot(browser, artifacts, "quota-exceeded")


def test_client_side_errors(server, browser, artifacts):
    """Too long (client check), 503 with retries, and an unreachable server: fetch is replaced in the page."""
    server.create_tenant("ui_errors")
    _, key = server.create_key("ui_errors")
    pages.sign_in(browser, server.base_url, "ui_errors", key)
    wait(browser).until(lambda d: "/ 5,000" in by_id(d, "char-counter").text)

    # Over max_characters_per_request: refused before sending, with the limit.
    source = by_id(browser, "source-text")
    browser.execute_script("arguments[0].value = arguments[1];"
                           "arguments[0].dispatchEvent(new Event('input'));", source, "好" * 5001)
    assert by_id(browser, "char-counter").text == "5,001 / 5,000"
    by_id(browser, "translate-button").click()
    message = wait_text(browser, "translate-error")
    assert "too long" in message and "5,000" in message, message
    pages.screenshot(browser, artifacts, "error-too-long")

    # 503 four times: "busy, retrying…", then a give-up message; exactly 4 tries.
    browser.execute_script("""
        window.__calls = 0;
        const realFetch = window.fetch;
        window.fetch = function (url, init) {
          if (String(url).includes('/api/v1/translate')) {
            window.__calls++;
            return Promise.resolve(new Response(JSON.stringify({error: {code: 'busy', message: 'busy'}}),
              {status: 503, headers: {'Content-Type': 'application/json', 'Retry-After': '0'}}));
          }
          return realFetch(url, init);
        };""")
    pages.translate(browser, SENTENCE)
    assert "retrying" in wait_text(browser, "translate-status")
    message = wait_text(browser, "translate-error", 30)
    assert "still busy" in message, message
    assert browser.execute_script("return window.__calls") == 4
    pages.screenshot(browser, artifacts, "error-busy")

    # The server cannot be reached.
    browser.execute_script("window.fetch = function () { return Promise.reject(new TypeError('Failed to fetch')); };")
    pages.translate(browser, SENTENCE)
    message = wait_text(browser, "translate-error")
    assert message.startswith("Cannot reach the server"), message
    assert by_id(browser, "translator-view").is_displayed()
    pages.screenshot(browser, artifacts, "error-network")


def test_admin_creates_tenant_and_key(server, browsers, artifacts):
    """An operator creates a tenant and a key in the UI; a second browser signs in with them and translates;
    the operator then sees its usage and audit events, and disabling the tenant ends its session."""
    admin = browsers.new()
    pages.sign_in(admin, server.base_url, "ui_operator", server.operator_key)
    assert not by_id(admin, "main-nav").is_displayed(), "an operator has no translator tab"
    assert "Operator" in by_id(admin, "admin-role").text
    pages.open_admin(admin)
    pages.tenant_row(admin, "ui_admin")

    by_id(admin, "tenant-id").send_keys("ui_created")
    by_id(admin, "tenant-name").send_keys("Created in the UI")
    by_id(admin, "tenant-daily-requests").send_keys("50")
    by_id(admin, "tenant-submit").click()
    row = pages.tenant_row(admin, "ui_created")
    assert "Created in the UI" in row.text and "Enabled" in row.text
    chips = [c.text for c in row.find_elements(By.CSS_SELECTOR, ".chip")]
    assert sorted(chips) == ["translate:basic", "translate:batch", "usage:read"], chips
    assert "Tenant ui_created created." in wait_text(admin, "admin-status")

    # The key panel opens on the new tenant; create a key and read it from the one-time box.
    wait(admin).until(lambda d: by_id(d, "keys-tenant-id").text == "ui_created")
    by_id(admin, "create-key-button").click()
    wait_visible(admin, "new-key-box")
    api_key = by_id(admin, "new-key-value").get_attribute("value")
    assert api_key.startswith("csk_"), api_key
    assert "not shown again" in by_id(admin, "new-key-box").text
    wait(admin).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#keys-body tr[data-key-id]"))
    pages.screenshot(admin, artifacts, "admin-new-key")

    # A second browser signs in as the new tenant and translates.
    user = browsers.new()
    pages.sign_in(user, server.base_url, "ui_created", api_key)
    assert by_id(user, "session-tenant").text == "Created in the UI"
    assert not by_id(user, "nav-admin").is_displayed()
    pages.translate(user, SENTENCE)
    assert re.search(r"[A-Za-z]{2,}", pages.wait_translation(user))
    pages.wait_usage(user, 1)

    # The admin sees today's usage and the audit trail of the new tenant.
    by_id(admin, "new-key-dismiss").click()
    wait_hidden(admin, "new-key-box")
    by_id(admin, "admin-refresh").click()
    wait(admin).until(lambda d: "1 / 50" in pages.tenant_row(d, "ui_created").text)
    # Engine time spent on the tenant's translation, from /api/v1/admin/usage.
    engine = pages.by_testid(admin, "engine-ui_created").text
    assert re.fullmatch(r"engine [\d.,]+ s", engine), engine
    usage = server.http("GET", "/api/v1/admin/usage", token=server.operator_token()).json
    row = next(t for t in usage["tenants"] if t["tenant_id"] == "ui_created")
    assert row["engine_ms"] > 0, row
    audit_filter = by_id(admin, "audit-tenant")
    audit_filter.send_keys("ui_created")
    pages.by_testid(admin, "audit-refresh").click()
    wait(admin).until(lambda d: "/api/v1/translate" in by_id(d, "audit-body").text)
    rows = admin.find_elements(By.CSS_SELECTOR, "#audit-body tr")
    assert all("ui_created" in r.text for r in rows), [r.text for r in rows]
    admin.execute_script("window.scrollTo(0, 0)")
    pages.screenshot(admin, artifacts, "admin")

    # Edit: quota to unlimited, then disable the tenant; the user's next call sends it back to the login page.
    pages.by_testid(admin, "edit-ui_created").click()
    wait(admin).until(lambda d: "ui_created" in by_id(d, "tenant-form-title").text)
    by_id(admin, "tenant-daily-requests").clear()
    by_id(admin, "tenant-submit").click()
    wait(admin).until(lambda d: "1 / unlimited" in pages.tenant_row(d, "ui_created").text)
    pages.by_testid(admin, "toggle-ui_created").click()
    wait(admin).until(lambda d: "Disabled" in pages.tenant_row(d, "ui_created").text)

    pages.translate(user, SENTENCE)
    wait_visible(user, "login-view", pages.TRANSLATE_TIMEOUT)
    assert "Access was denied" in wait_text(user, "login-notice")
    pages.screenshot(user, artifacts, "tenant-disabled")


def test_admin_edits_weight_and_rate_limits(server, browser, artifacts):
    """The admin sets a tenant's scheduling weight and rate limits in the form: the table shows them (its own values in
    bold), they survive a reload and reach the API as the tenant's overrides; an emptied field goes back to the server
    default; invalid values are refused in the page, with a message and without a request."""
    server.create_tenant("ui_limits", "Limits")
    pages.sign_in(browser, server.base_url, "ui_operator", server.operator_key)
    pages.open_admin(browser)
    pages.tenant_row(browser, "ui_limits")
    defaults = ["weight 1", "10 req/s (burst 20)", "100,000 chars/min", "4 in flight", "256 queued"]
    assert pages.wait_limits(browser, "ui_limits", defaults) == defaults
    assert pages.limit_overrides(browser, "ui_limits") == []

    # Empty fields show the server default; set weight 2, 5 requests/s, burst 8 and no character limit.
    pages.edit_tenant(browser, "ui_limits")
    assert set(pages.limit_values(browser).values()) == {""}
    assert by_id(browser, "tenant-weight").get_attribute("placeholder") == "default (1)"
    assert by_id(browser, "tenant-cpm").get_attribute("placeholder") == "default (100,000)"
    pages.set_limits(browser, weight=2, requests_per_second=5, burst=8, characters_per_minute="unlimited")
    by_id(browser, "tenant-submit").click()
    assert "Tenant ui_limits saved." in wait_text(browser, "admin-status")
    edited = ["weight 2", "5 req/s (burst 8)", "unlimited chars/min", "4 in flight", "256 queued"]
    assert pages.wait_limits(browser, "ui_limits", edited) == edited
    assert pages.limit_overrides(browser, "ui_limits") == ["weight 2", "5 req/s", "(burst 8)", "unlimited chars/min"]
    browser.execute_script("window.scrollTo(0, 0)")
    pages.screenshot(browser, artifacts, "admin-limits")

    # Reloaded from the server: the same.
    old_cell = pages.by_testid(browser, "limits-ui_limits")
    by_id(browser, "admin-refresh").click()
    wait(browser).until(EC.staleness_of(old_cell))
    assert pages.wait_limits(browser, "ui_limits", edited) == edited

    # The API has them as the tenant's own values; the others stay at the default.
    token = server.operator_token()
    tenant = server.http("GET", "/api/v1/admin/tenants/ui_limits", token=token)
    assert tenant.status == 200, tenant.text
    limits = tenant.json["limits"]
    assert {k: limits.get(k) for k in ("weight", "requests_per_second", "burst", "characters_per_minute")} == {
        "weight": 2, "requests_per_second": 5, "burst": 8, "characters_per_minute": "unlimited"}, limits
    assert limits.get("max_in_flight") is None and limits.get("max_queued_sentences") is None, limits
    assert tenant.json["effective_limits"] == {
        "weight": 2, "requests_per_second": 5, "burst": 8, "characters_per_minute": "unlimited",
        "max_in_flight": 4, "max_queued_sentences": 256}, tenant.json["effective_limits"]

    # The form shows the tenant's own values; emptying the weight puts it back to the default.
    pages.edit_tenant(browser, "ui_limits")
    assert pages.limit_values(browser) == {
        "weight": "2", "requests_per_second": "5", "burst": "8", "characters_per_minute": "unlimited",
        "max_in_flight": "", "max_queued_sentences": ""}
    assert by_id(browser, "tenant-weight").get_attribute("placeholder") == "default (1)"
    pages.set_limits(browser, weight="")
    by_id(browser, "tenant-submit").click()
    assert pages.wait_limits(browser, "ui_limits", ["weight 1", "5 req/s (burst 8)", "unlimited chars/min"])
    assert pages.limit_overrides(browser, "ui_limits") == ["5 req/s", "(burst 8)", "unlimited chars/min"]
    tenant = server.http("GET", "/api/v1/admin/tenants/ui_limits", token=token)
    assert tenant.json["limits"].get("weight") is None, tenant.json
    assert tenant.json["effective_limits"]["weight"] == 1
    assert tenant.json["limits"].get("requests_per_second") == 5, tenant.json

    # Invalid values: a message naming the rule, the field marked, and no request to the server.
    pages.edit_tenant(browser, "ui_limits")
    browser.execute_script("""
        window.__tenantWrites = 0;
        const realFetch = window.fetch;
        window.fetch = function (url, init) {
          if (String(url).startsWith('/api/v1/admin/tenants') && init && init.method && init.method !== 'GET') {
            window.__tenantWrites++;
          }
          return realFetch(url, init);
        };""")
    weight_rule = "Weight must be a whole number from 1 to 100"
    for key, value, message in (
            ("weight", "0", weight_rule),
            ("weight", "abc", weight_rule),
            ("weight", "101", weight_rule),
            ("burst", "unlimited", "Burst (requests) must be a whole number from 1 to 1,000,000 (or empty"),
            ("requests_per_second", "abc", "Requests per second must be a whole number from 1 to 1,000,000,000 or “unlimited”")):
        pages.set_limits(browser, **{key: value})
        by_id(browser, "tenant-submit").click()
        assert message in wait_text(browser, "admin-error"), (key, value)
        field = by_id(browser, pages.LIMIT_FIELDS[key])
        assert field.get_attribute("aria-invalid") == "true", (key, value)
        assert browser.switch_to.active_element == field, (key, value)
        if (key, value) == ("weight", "0"):
            pages.screenshot(browser, artifacts, "admin-limits-invalid")
        pages.set_limits(browser, **{key: {"weight": "", "burst": "8", "requests_per_second": "5"}[key]})
    assert browser.execute_script("return window.__tenantWrites") == 0
    assert not by_id(browser, "admin-status").is_displayed()
    by_id(browser, "tenant-cancel").click()
    assert pages.wait_limits(browser, "ui_limits", ["weight 1", "5 req/s (burst 8)", "unlimited chars/min"])

    # The server refuses them too.
    for limits in ({"weight": 0}, {"weight": 101}, {"burst": "unlimited"}, {"max_in_flight": 0}):
        response = server.http("PATCH", "/api/v1/admin/tenants/ui_limits", {"limits": limits}, token=token)
        assert response.status == 400, f"{limits}: {response.status} {response.text}"
        assert response.json["error"]["code"] in ("bad_request", "invalid_request"), response.text
    tenant = server.http("GET", "/api/v1/admin/tenants/ui_limits", token=token)
    assert tenant.json["effective_limits"]["weight"] == 1 and tenant.json["effective_limits"]["burst"] == 8


def test_non_admin_has_no_admin_console(server, browser, artifacts):
    server.create_tenant("ui_plain", "Plain user", scopes="translate:basic")
    _, key = server.create_key("ui_plain")
    pages.sign_in(browser, server.base_url, "ui_plain", key)

    # No admin tab, and no usage bar without usage:read.
    assert not by_id(browser, "nav-admin").is_displayed()
    assert not by_id(browser, "admin-view").is_displayed()
    wait(browser).until(EC.invisibility_of_element_located((By.ID, "usage-bar")))
    # Even when forced, the admin view does not open (the app checks the scopes).
    browser.execute_script("document.getElementById('nav-admin').click()")
    assert not by_id(browser, "admin-view").is_displayed()
    assert by_id(browser, "translator-view").is_displayed()
    pages.screenshot(browser, artifacts, "translator-no-admin")

    # Nor through the API.
    token = server.token("ui_plain", key)
    for path in ("/api/v1/admin/tenants", "/api/v1/admin/usage", "/api/v1/admin/audit?limit=5"):
        response = server.http("GET", path, token=token)
        assert response.status == 403, f"{path}: {response.status} {response.text}"
        assert response.json["error"]["code"] == "insufficient_scope"
    response = server.http("POST", "/api/v1/admin/tenants", {"id": "ui_sneaky", "name": "x"}, token=token)
    assert response.status == 403
    response = server.http("GET", "/api/v1/usage", token=token)
    assert response.status == 403


def test_cli_shows_and_edits_weight_and_limits(server):
    """`csanmt tenant create/update/show` and `key update` set and show a tenant's weight and rate limits, which the
    admin API then reports; 'default' goes back to the server default and bad values are refused with a clear error."""
    db = str(server.db)
    out = server.cli("tenant", "create", "--db", db, "--id", "cli_limits", "--name", "CLI limits", "--weight", "3",
                     "--requests-per-second", "unlimited")
    assert re.search(r"weight:\s+3\n", out), out
    assert re.search(r"requests/second:\s+unlimited, burst 20 \(default\)", out), out
    assert re.search(r"max in flight:\s+4 \(default\)", out), out
    out = server.cli("tenant", "update", "--db", db, "--id", "cli_limits", "--burst", "7", "--characters-per-minute", "5000",
                     "--max-in-flight", "9", "--weight", "default")
    assert re.search(r"weight:\s+1 \(default\)", out), out
    assert re.search(r"burst 7\n", out) and re.search(r"characters/min:\s+5000\n", out), out
    assert re.search(r"max in flight:\s+9\n", out), out
    shown = server.cli("tenant", "show", "--db", db, "--id", "cli_limits")
    assert re.search(r"max in flight:\s+9\n", shown), shown

    token = server.operator_token()
    tenant = server.http("GET", "/api/v1/admin/tenants/cli_limits", token=token).json
    assert tenant["limits"] == {"requests_per_second": "unlimited", "burst": 7, "characters_per_minute": 5000, "max_in_flight": 9}
    assert tenant["effective_limits"] == {"weight": 1, "requests_per_second": "unlimited", "burst": 7,
                                          "characters_per_minute": 5000, "max_in_flight": 9, "max_queued_sentences": 256}

    key_id, _ = server.create_key("cli_limits")
    out = server.cli("key", "update", "--db", db, "--id", key_id, "--requests-per-second", "2")
    assert "2 req/s (burst 4)" in out, out
    keys = server.http("GET", "/api/v1/admin/keys?tenant=cli_limits", token=token).json["keys"]
    assert [k["limits"] for k in keys if k["id"] == key_id] == [{"requests_per_second": 2}]

    with pytest.raises(AssertionError, match="weight must be 1-100"):
        server.cli("tenant", "update", "--db", db, "--id", "cli_limits", "--weight", "0")
    with pytest.raises(AssertionError, match="must be a number, 'unlimited' or 'default'"):
        server.cli("tenant", "update", "--db", db, "--id", "cli_limits", "--requests-per-second", "lots")


def test_audit_verify_cli(server, tmp_path):
    """The server's audit file verifies with `csanmt audit verify`; an edited copy fails, naming the edited line."""
    token = server.token("ui_admin", server.admin_key)
    for _ in range(3):
        assert server.http("GET", "/api/v1/whoami", token=token).status == 200
    assert server.http("GET", "/api/health").status == 200
    deadline = time.time() + 10   # the audit writer is asynchronous: wait for the three lines
    while server.audit_log.read_text().count('"/api/v1/whoami"') < 3 and time.time() < deadline:
        time.sleep(0.05)
    out = server.cli("audit", "verify", str(server.audit_log))
    assert "chain intact" in out, out
    lines = server.audit_log.read_text().splitlines()
    assert len(lines) >= 3 and not any('"/api/health"' in line for line in lines)
    tampered = tmp_path / "audit.log"
    lines[1] = lines[1].replace('"status":200', '"status":201')
    tampered.write_text("\n".join(lines) + "\n")
    with pytest.raises(AssertionError, match="line 2 does not follow the chain"):
        server.cli("audit", "verify", str(tampered))


def test_session_renews_before_expiry(server, browser, artifacts):
    """An admin token lives 15 minutes: the page swaps it for a new one (POST /api/v1/auth/refresh) when it is about
    to expire, and the old token stops working."""
    pages.sign_in(browser, server.base_url, "ui_operator", server.operator_key)
    pages.open_admin(browser)
    old = pages.session_storage(browser)["csanmt.token"]
    issued = server.http("POST", "/api/v1/auth/operator-token", {"operator_id": "ui_operator", "api_key": server.operator_key})
    assert issued.json["expires_in"] == 900, issued.text
    # Pretend the token runs out in a minute; the next call renews it first.
    browser.execute_script("API.session.expiresAt = Date.now() + 60000;")
    by_id(browser, "admin-refresh").click()
    wait(browser).until(lambda d: pages.session_storage(d).get("csanmt.token") not in (None, old))
    new = pages.session_storage(browser)["csanmt.token"]
    assert server.http("GET", "/api/v1/whoami", token=new).status == 200
    assert server.http("GET", "/api/v1/whoami", token=old).json["error"]["code"] == "token_revoked"
    assert by_id(browser, "admin-view").is_displayed()   # still signed in


def test_cli_actions_are_audited(server):
    """CLI writes leave audit lines (actor cli, the OS user, the field diff, never the key) in the CLI's own
    hash-chained file, next to the database unless --audit-log says otherwise."""
    path = Path(str(server.db) + ".cli-audit.log")
    server.cli("tenant", "create", "--db", str(server.db), "--id", "cli_audited", "--name", "Audited")
    key_id, plaintext = server.create_key("cli_audited")
    server.cli("tenant", "update", "--db", str(server.db), "--id", "cli_audited", "--daily-requests", "7")
    server.cli("key", "revoke", "--db", str(server.db), "--id", key_id)
    events = [json.loads(line) for line in path.read_text().splitlines()]
    mine = [e for e in events if e.get("target") in ("cli_audited", key_id)]
    assert [e["action"] for e in mine] == ["tenant.create", "key.create", "tenant.update", "key.revoke"], mine
    assert all(e["actor"] == "cli" and e["os_user"].startswith(getpass.getuser()) for e in mine), mine
    created = next(e for e in mine if e["action"] == "key.create")
    assert created["changes"]["id"]["after"] == f'"{key_id}"' and created["tenant_id"] == "cli_audited"
    update = next(e for e in mine if e["action"] == "tenant.update")
    assert update["changes"]["daily_requests"] == {"after": "7"}, update   # no "before": it was unset (unlimited)
    assert plaintext not in path.read_text() and '"hash"' not in path.read_text()
    assert "chain intact" in server.cli("audit", "verify", str(path))


def test_tenant_admin_console_is_confined(server, browsers, artifacts):
    """A tenant admin (tenant:admin) sees its own tenant only: no other tenant, no tenant creation, no quota, limit,
    scope or enable controls, no audit filter. It edits its name, creates a key, and sees its own audit lines. The
    operator, in another browser, sees both tenants and every control."""
    server.create_tenant("ui_other", "Other team")
    key_id, _ = server.create_key("ui_other")
    tenant_admin = browsers.new()
    pages.sign_in(tenant_admin, server.base_url, "ui_admin", server.admin_key)
    assert by_id(tenant_admin, "nav-admin").is_displayed(), "a tenant admin has the admin tab"
    pages.open_admin(tenant_admin)
    assert "ui_admin" in by_id(tenant_admin, "admin-role").text
    rows = tenant_admin.find_elements(By.CSS_SELECTOR, "#tenants-body tr[data-tenant-id]")
    assert [r.get_attribute("data-tenant-id") for r in rows] == ["ui_admin"]
    assert not by_id(tenant_admin, "tenant-form-card").is_displayed(), "only operators create tenants"
    assert not tenant_admin.find_elements(By.CSS_SELECTOR, '[data-testid="toggle-ui_admin"]')
    assert not by_id(tenant_admin, "audit-tenant").is_displayed()

    pages.edit_tenant(tenant_admin, "ui_admin")
    for hidden in ("tenant-daily-requests", "tenant-daily-characters", "tenant-weight", "tenant-enabled"):
        assert not by_id(tenant_admin, hidden).is_displayed(), hidden
    assert not pages.by_testid(tenant_admin, "scope-tenant-admin").is_displayed()
    name = by_id(tenant_admin, "tenant-name")
    name.clear()
    name.send_keys("UI Admin team")
    by_id(tenant_admin, "tenant-submit").click()
    wait(tenant_admin).until(lambda d: "UI Admin team" in pages.tenant_row(d, "ui_admin").text)

    pages.by_testid(tenant_admin, "keys-ui_admin").click()
    wait(tenant_admin).until(lambda d: by_id(d, "keys-tenant-id").text == "ui_admin")
    by_id(tenant_admin, "create-key-button").click()
    wait_visible(tenant_admin, "new-key-box")
    assert by_id(tenant_admin, "new-key-value").get_attribute("value").startswith("csk_")
    by_id(tenant_admin, "new-key-dismiss").click()
    pages.by_testid(tenant_admin, "audit-refresh").click()
    wait(tenant_admin).until(lambda d: "tenant.update" in by_id(d, "audit-body").text)
    assert "ui_other" not in by_id(tenant_admin, "audit-body").text
    pages.screenshot(tenant_admin, artifacts, "admin-tenant-admin")

    # The server refuses what the page hides: another tenant's keys, and the operator's fields on its own tenant.
    token = server.token("ui_admin", server.admin_key)
    assert server.http("GET", "/api/v1/admin/tenants/ui_other/keys", token=token).json["error"]["code"] == "tenant_mismatch"
    assert server.http("POST", f"/api/v1/admin/keys/{key_id}/revoke", token=token).status == 403
    refused = server.http("PATCH", "/api/v1/admin/tenants/ui_admin", {"daily_requests": None}, token=token)
    assert refused.json["error"]["code"] == "operator_required", refused.text

    operator = browsers.new()
    pages.sign_in(operator, server.base_url, "ui_operator", server.operator_key)
    pages.open_admin(operator)
    pages.tenant_row(operator, "ui_other")
    pages.tenant_row(operator, "ui_admin")
    assert by_id(operator, "tenant-form-card").is_displayed()
    assert pages.by_testid(operator, "toggle-ui_other").is_displayed()
    assert by_id(operator, "audit-tenant").is_displayed()


def test_swap_direction_with_both_models(two_way_server, browser, artifacts):
    """With zh→en and en→zh served, the swap button appears; swapping moves the translation into the source pane,
    flips the language labels, and the next translation goes en→zh."""
    two_way_server.create_tenant("ui_swap", "Swap")
    _, key = two_way_server.create_key("ui_swap")
    pages.sign_in(browser, two_way_server.base_url, "ui_swap", key)
    swap = by_id(browser, "swap-button")
    wait(browser).until(lambda d: swap.is_displayed())
    assert by_id(browser, "source-lang-name").text == "Chinese" and by_id(browser, "target-lang-name").text == "English"

    pages.translate(browser, SENTENCE)
    english = pages.wait_translation(browser)
    assert re.search(r"[A-Za-z]{2,}", english), f"not English: {english!r}"
    swap.click()
    assert by_id(browser, "source-lang-name").text == "English" and by_id(browser, "target-lang-name").text == "Chinese"
    assert by_id(browser, "source-text").get_attribute("value") == english, "the translation moves to the source pane"
    assert by_id(browser, "translation-output").text == ""
    by_id(browser, "translate-button").click()
    output = pages.wait_translation(browser)
    assert re.search(r"[\u4e00-\u9fff]{2,}", output), f"not Chinese: {output!r}"
    pages.screenshot(browser, artifacts, "translator-swapped")
    # The server saw the swapped direction (its log names neither, so ask it the same question).
    token = two_way_server.token("ui_swap", key)
    answer = two_way_server.http("POST", "/api/v1/translate", {"text": english, "source": "en", "target": "zh"}, token)
    assert answer.status == 200 and answer.json["translated_text"] == output

