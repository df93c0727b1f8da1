"""The official client libraries of DeepL, Google Translate v2 and LibreTranslate, unchanged, against csanmt's
drop-in routes: each call goes through the tenant's key, quotas, rate limits, cache, scheduler and audit, and leaves
the same usage and audit as the native route for the same texts."""

from __future__ import annotations

import json
import time

import deepl
import google.oauth2.credentials
import pytest
from google.cloud import translate_v2
from libretranslatepy import LibreTranslateAPI

ZH = ["今天天气很好。", "我们明天见。"]


def deepl_client(server, key: str) -> deepl.Translator:
    return deepl.Translator(key, server_url=server.base_url)


@pytest.fixture(autouse=True)
def no_deepl_retries():
    """deepl retries 429 and 503 with backoff by default; the tests want to see the first answer."""
    saved = deepl.http_client.max_network_retries
    deepl.http_client.max_network_retries = 0
    yield
    deepl.http_client.max_network_retries = saved


def test_deepl_translate_and_usage(server, tenant):
    _, key = tenant()
    translator = deepl_client(server, key)
    one = translator.translate_text(ZH[0], target_lang="EN-US")
    assert isinstance(one, deepl.TextResult) and one.text.strip() and one.detected_source_lang == "ZH"
    assert one.billed_characters == len(ZH[0])
    many = translator.translate_text(ZH, source_lang="ZH", target_lang="EN-GB")
    assert [r.detected_source_lang for r in many] == ["ZH", "ZH"] and all(r.text.strip() for r in many)
    usage = translator.get_usage()
    assert usage.character.count == len(ZH[0]) + sum(map(len, ZH))
    assert usage.character.limit == 1_000_000_000_000 and not usage.any_limit_reached
    assert [lang.code for lang in translator.get_target_languages()] == ["EN-GB", "EN-US"]
    assert [lang.code for lang in translator.get_source_languages()] == ["ZH"]


def test_deepl_wrong_key(server):
    with pytest.raises(deepl.AuthorizationException):
        deepl_client(server, "csk_" + "x" * 40).translate_text(ZH[0], target_lang="EN-US")


def test_deepl_quota_exceeded(server, tenant):
    _, key = tenant("", "--daily-characters", "10", "--requests-per-second", "unlimited")
    translator = deepl_client(server, key)
    translator.translate_text(ZH[0], target_lang="EN-US")            # 7 of 10 characters
    with pytest.raises(deepl.QuotaExceededException):
        translator.translate_text(ZH[1], target_lang="EN-US")        # 6 more would pass the limit
    usage = translator.get_usage()
    assert usage.character.count == 7 and usage.character.limit == 10


def test_deepl_rate_limited(server, tenant):
    _, key = tenant("", "--requests-per-second", "1", "--burst", "1")
    translator = deepl_client(server, key)
    translator.translate_text(ZH[0], target_lang="EN-US")
    with pytest.raises(deepl.TooManyRequestsException):
        translator.translate_text(ZH[0], target_lang="EN-US")


def test_libretranslate(server, tenant):
    _, key = tenant()
    lt = LibreTranslateAPI(server.base_url, api_key=key)
    text = lt.translate(ZH[0], source="zh", target="en")
    assert isinstance(text, str) and text.strip()
    assert lt.translate(ZH[1], source="auto", target="en").strip()
    assert lt.detect("The weather is nice today.")[0]["language"] == "en"
    assert lt.detect(ZH[0])[0]["language"] == "zh"
    assert lt.languages() == [{"code": "zh", "name": "Chinese", "targets": ["en"]}]
    with pytest.raises(Exception, match="403"):
        LibreTranslateAPI(server.base_url, api_key="csk_" + "y" * 40).translate(ZH[0], source="zh", target="en")


def google_client(server, token: str) -> translate_v2.Client:
    """The v2 client pointed at the server, signed in with a csanmt token as its OAuth bearer token."""
    credentials = google.oauth2.credentials.Credentials(token=token)
    return translate_v2.Client(credentials=credentials, client_options={"api_endpoint": server.base_url})


def test_google_v2_client(server, tenant):
    tenant_id, key = tenant()
    client = google_client(server, server.token(tenant_id, key))
    results = client.translate(ZH, target_language="en", format_="text")
    assert [r["input"] for r in results] == ZH
    assert all(r["translatedText"].strip() and r["detectedSourceLanguage"] == "zh-CN" for r in results)
    single = client.translate(ZH[0], target_language="en", source_language="zh-CN", format_="text")
    assert single["translatedText"].strip() and "detectedSourceLanguage" not in single
    detected = client.detect_language(["How are you?", ZH[1]])
    assert [d["language"] for d in detected] == ["en", "zh-CN"]
    assert {lang["language"] for lang in client.get_languages()} == {"en", "zh-CN"}


def test_google_v2_key_parameter(server, tenant):
    """Google's own `key=`: raw HTTP, checked against the documented shapes."""
    _, key = tenant()
    answer = server.http("POST", f"/language/translate/v2?key={key}", {"q": ZH, "target": "en", "format": "text"})
    assert answer.status == 200, answer.text
    assert [set(t) for t in answer.json["data"]["translations"]] == [{"translatedText", "detectedSourceLanguage"}] * 2
    wrong = server.http("POST", "/language/translate/v2?key=csk_nope", {"q": ZH[0], "target": "en"})
    assert wrong.status == 401 and wrong.json["error"]["status"] == "UNAUTHENTICATED"
    assert wrong.json["error"]["errors"][0]["domain"] == "global"


def test_usage_and_audit_match_the_native_route(server, tenant):
    """The same texts through the three clients and through /api/v1/translate leave the same usage and the same
    audit characters."""
    native_id, native_key = tenant("_n")
    drop_id, drop_key = tenant("_d")
    token = server.token(native_id, native_key)
    for body in ({"text": ZH[0]}, {"text": ZH}, {"text": ZH[1], "source": "zh", "target": "en"}, {"text": ZH[0]}):
        assert server.http("POST", "/api/v1/translate", body, token=token).status == 200
    deepl_client(server, drop_key).translate_text(ZH[0], target_lang="EN-US")
    deepl_client(server, drop_key).translate_text(ZH, target_lang="EN-US")
    LibreTranslateAPI(server.base_url, api_key=drop_key).translate(ZH[1], source="zh", target="en")
    google_client(server, server.token(drop_id, drop_key)).translate(ZH[0], target_language="en", format_="text")

    def usage(tenant_id, key):
        u = server.http("GET", "/api/v1/usage", token=server.token(tenant_id, key)).json
        return u["requests"]["used"], u["characters"]["used"]
    assert usage(drop_id, drop_key) == usage(native_id, native_key) == (4, 7 + 13 + 6 + 7)

    def audited(tenant_id):
        deadline = time.time() + 10   # the audit writer is asynchronous
        while True:
            lines = [json.loads(line) for line in server.audit_log.read_text().splitlines()]
            mine = [e for e in lines if e.get("tenant_id") == tenant_id and e.get("characters") is not None]
            if len(mine) >= 4 or time.time() > deadline:
                return mine
            time.sleep(0.05)
    native, drop = audited(native_id), audited(drop_id)
    assert sorted(e["characters"] for e in drop) == sorted(e["characters"] for e in native)
    assert [e["path"] for e in drop] == ["/v2/translate", "/v2/translate", "/translate", "/language/translate/v2"]
    assert all(e["status"] == 200 and e["key_id"] for e in drop)
