"""Page helpers for the browser tests: what a user does on the csanmt web UI, with explicit waits."""

from __future__ import annotations

from pathlib import Path

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

UI_TIMEOUT = 15          # page changes, API calls without the model
TRANSLATE_TIMEOUT = 120  # a translation (a debug build of the engine is slow)


def by_id(driver: WebDriver, element_id: str) -> WebElement:
    return driver.find_element(By.ID, element_id)


def by_testid(driver: WebDriver, test_id: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, f'[data-testid="{test_id}"]')


def wait(driver: WebDriver, timeout: float = UI_TIMEOUT) -> WebDriverWait:
    # Tables are re-rendered after each API call: an element found a moment ago may be gone; look again.
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


def wait_visible(driver: WebDriver, element_id: str, timeout: float = UI_TIMEOUT) -> WebElement:
    return wait(driver, timeout).until(EC.visibility_of_element_located((By.ID, element_id)))


def wait_hidden(driver: WebDriver, element_id: str, timeout: float = UI_TIMEOUT) -> None:
    wait(driver, timeout).until(EC.invisibility_of_element_located((By.ID, element_id)))


def wait_text(driver: WebDriver, element_id: str, timeout: float = UI_TIMEOUT) -> str:
    """Waits until the element is visible with some text, and returns that text."""
    def nonempty(d):
        el = d.find_element(By.ID, element_id)
        return el.is_displayed() and el.text.strip() and el.text.strip()
    return wait(driver, timeout).until(nonempty, f"#{element_id} has no text")


def open_app(driver: WebDriver, base_url: str) -> None:
    driver.get(base_url + "/")
    wait_visible(driver, "login-view")


def sign_in(driver: WebDriver, base_url: str | None, tenant_id: str, api_key: str, expect_success: bool = True) -> None:
    """Fills the login form and submits it (opens the app first when base_url is given). A tenant lands on the
    translator; an operator (key cso_…) on the admin console."""
    if base_url:
        open_app(driver, base_url)
    tenant = by_id(driver, "login-tenant")
    tenant.clear()
    tenant.send_keys(tenant_id)
    by_id(driver, "login-key").send_keys(api_key)
    by_id(driver, "login-submit").click()
    if expect_success:
        wait_visible(driver, "admin-view" if api_key.startswith("cso_") else "translator-view")
        wait_text(driver, "session-tenant")


def translate(driver: WebDriver, text: str, use_shortcut: bool = False) -> None:
    """Types text into the source pane and starts a translation (button or Ctrl+Enter)."""
    source = by_id(driver, "source-text")
    source.clear()
    source.send_keys(text)
    if use_shortcut:
        source.send_keys(Keys.CONTROL, Keys.ENTER)
    else:
        wait(driver).until(EC.element_to_be_clickable((By.ID, "translate-button"))).click()


def wait_translation(driver: WebDriver) -> str:
    """Waits for the translation to finish and returns it."""
    wait(driver, TRANSLATE_TIMEOUT).until(
        lambda d: by_id(d, "translate-button").get_attribute("aria-busy") != "true"
        and (by_id(d, "translation-output").text.strip() or by_id(d, "translate-error").is_displayed()))
    error = by_id(driver, "translate-error")
    assert not error.is_displayed(), f"translation failed: {error.text}"
    return by_id(driver, "translation-output").text.strip()


def wait_translate_error(driver: WebDriver) -> str:
    return wait_text(driver, "translate-error", TRANSLATE_TIMEOUT)


def wait_usage(driver: WebDriver, requests_used: int) -> str:
    """Waits until the usage bar shows requests_used requests today."""
    def shows(d):
        el = by_id(d, "usage-requests")
        return el.is_displayed() and f": {requests_used}" in el.text and el.text
    return wait(driver).until(shows, f"usage bar never showed {requests_used} requests")


def open_admin(driver: WebDriver) -> None:
    """Opens the admin console (a tenant admin's tab; an operator is already there) and waits for the tenants."""
    if not by_id(driver, "admin-view").is_displayed():
        wait(driver).until(EC.element_to_be_clickable((By.ID, "nav-admin"))).click()
    wait_visible(driver, "admin-view")
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#tenants-body tr[data-tenant-id]"))


def tenant_row(driver: WebDriver, tenant_id: str, timeout: float = UI_TIMEOUT) -> WebElement:
    return wait(driver, timeout).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, f'#tenants-body tr[data-tenant-id="{tenant_id}"]')))


# The admin form's scheduling weight and rate limit fields, by their key in the API's "limits".
LIMIT_FIELDS = {
    "weight": "tenant-weight",
    "requests_per_second": "tenant-rps",
    "burst": "tenant-burst",
    "characters_per_minute": "tenant-cpm",
    "max_in_flight": "tenant-max-in-flight",
    "max_queued_sentences": "tenant-max-queued",
}


def edit_tenant(driver: WebDriver, tenant_id: str) -> None:
    """Clicks the tenant's Edit button and waits for the form to switch to it."""
    wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, f'[data-testid="edit-{tenant_id}"]'))).click()
    wait(driver).until(lambda d: tenant_id in by_id(d, "tenant-form-title").text)


def set_limits(driver: WebDriver, **values) -> None:
    """Types into the limit fields named by API key (weight=2, characters_per_minute="unlimited"); "" empties one."""
    for key, value in values.items():
        field = by_id(driver, LIMIT_FIELDS[key])
        field.clear()
        if value != "":
            field.send_keys(str(value))


def limit_values(driver: WebDriver) -> dict:
    """What the limit fields hold now, by API key."""
    return {key: by_id(driver, field).get_attribute("value") for key, field in LIMIT_FIELDS.items()}


_LIMITS_CELL = ("const c = document.querySelector('[data-testid=\"limits-' + arguments[0] + '\"]');"
                " if (!c) return null;")


def limits_parts(driver: WebDriver, tenant_id: str) -> list[str] | None:
    """The tenant's limits cell split at " · " (["weight 2", "5 req/s (burst 8)", …]), read in one go."""
    return driver.execute_script(_LIMITS_CELL + r" return c.innerText.trim().split(/\s+·\s+/);", tenant_id)


def limit_overrides(driver: WebDriver, tenant_id: str) -> list[str] | None:
    """The parts of the tenant's limits cell marked as its own overrides (bold)."""
    return driver.execute_script(
        _LIMITS_CELL + " return Array.from(c.querySelectorAll('.limit-override'), e => e.innerText.trim());", tenant_id)


def wait_limits(driver: WebDriver, tenant_id: str, expected: list[str], timeout: float = UI_TIMEOUT) -> list[str]:
    """Waits until the tenant's limits cell begins with the expected parts; returns all its parts."""
    seen = []

    def shows(d):
        parts = limits_parts(d, tenant_id) or []
        seen[:] = parts
        return parts[:len(expected)] == expected and parts
    try:
        return wait(driver, timeout).until(shows)
    except TimeoutException:
        raise AssertionError(f"limits of {tenant_id}: expected {expected}, the table shows {seen}") from None


def session_storage(driver: WebDriver) -> dict:
    return driver.execute_script(
        "const o = {}; for (let i = 0; i < sessionStorage.length; i++) { const k = sessionStorage.key(i);"
        " o[k] = sessionStorage.getItem(k); } return o;")


def local_storage(driver: WebDriver) -> dict:
    return driver.execute_script(
        "const o = {}; for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i);"
        " o[k] = localStorage.getItem(k); } return o;")


def csp_violations(driver: WebDriver) -> list[str]:
    """Console messages about blocked content (CSP) or script errors."""
    messages = [entry.get("message", "") for entry in driver.get_log("browser")]
    return [m for m in messages if "Content Security Policy" in m or "Refused to" in m or "Uncaught" in m]


def screenshot(driver: WebDriver, folder: Path, name: str) -> Path:
    """Saves the viewport (1280×800) as folder/name.png, after moving keyboard focus out of the way."""
    driver.execute_script("if (document.activeElement) document.activeElement.blur();")
    # Park the mouse in the bottom-left corner (no hover effects; unlike move_to_element this does not scroll).
    driver.execute_cdp_cmd("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": 1, "y": 799})
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
