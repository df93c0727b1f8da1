#!/usr/bin/env python3
"""Writes the seed inputs of fuzz-tf-bundle, fuzz-request and fuzz-jwt (standard library only).

    python3 Tools/fuzz/corpus/make_seeds.py

Each seed starts with the byte that picks the harness's case (see each harness's main.swift)."""
import json
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def mask(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(v: int) -> bytes:
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def entry(dtype: int, shape: list, offset: int, data: bytes) -> bytes:
    """A BundleEntryProto: dtype, shape, offset, size and the masked crc32c of the bytes."""
    dims = b"".join(b"\x12" + varint(len(d)) + d for d in (b"\x08" + varint(n) for n in shape))
    return (b"\x08" + varint(dtype) + b"\x12" + varint(len(dims)) + dims + b"\x20" + varint(offset)
            + b"\x28" + varint(len(data)) + b"\x35" + struct.pack("<I", mask(crc32c(data))))


def index_file(pairs: list) -> bytes:
    """The SSTable container, as TensorBundleIndexWriter writes it."""
    file = bytearray()

    def block(kvs):
        b = b"".join(varint(0) + varint(len(k)) + varint(len(v)) + k + v for k, v in kvs) + b"\0\0\0\0\1\0\0\0"
        offset = len(file)
        file.extend(b + b"\0" + struct.pack("<I", mask(crc32c(b + b"\0"))))
        return offset, len(b)

    data = block(pairs)
    meta = block([])
    index = block([(pairs[-1][0], varint(data[0]) + varint(data[1]))])
    footer = varint(meta[0]) + varint(meta[1]) + varint(index[0]) + varint(index[1])
    footer += b"\0" * (40 - len(footer)) + struct.pack("<Q", 0xDB4775248B80FB57)
    return bytes(file) + footer


def tf_bundle() -> None:
    a = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
    b = struct.pack("<2f", -1, 0.5)
    pairs = [(b"", b"\x08\x01"), (b"decoder/w", entry(1, [2, 3], 0, a)), (b"encoder/b", entry(1, [2], len(a), b))]
    shard = a + b
    index = index_file(pairs)
    out = HERE / "fuzz-tf-bundle"
    # raw: [0][index length: 2][index][shard]
    (out / "raw").write_bytes(b"\0" + struct.pack(">H", len(index)) + index + shard)
    # structured: [1] then records [key length: 1][key][value length: 2][value], then the shard
    records = b"".join(bytes([len(k)]) + k + struct.pack(">H", len(v)) + v for k, v in pairs)
    (out / "structured").write_bytes(b"\1" + records + shard)


def request() -> None:
    out = HERE / "fuzz-request"
    seeds = {
        "translate": (0, {"text": "你好，世界。", "source": "zh", "target": "en"}),
        "translate-batch": (1, {"text": ["一", "二"], "target": "en"}),
        "token": (2, {"tenant_id": "acme", "api_key": "csk_abc"}),
        "operator-token": (3, {"operator_id": "root", "api_key": "cso_abc"}),
        "create-tenant": (4, {"id": "acme", "name": "Acme", "scopes": ["translate:basic"], "daily_requests": 100,
                              "allowed_ips": ["10.0.0.0/8"], "limits": {"requests_per_second": 5, "burst": 10}}),
        "update-tenant": (5, {"daily_characters": None, "enabled": False, "limits": {"weight": 2}}),
        "create-key": (6, {"expires_in_days": 30, "scopes": ["translate:basic"], "limits": {"requests_per_second": 1}}),
        "update-key": (7, {"limits": {}}),
        "compat-json": (9, {"text": ["Hallo", "Welt"], "target_lang": "EN-US", "source_lang": "ZH", "q": 3}),
    }
    for name, (selector, body) in seeds.items():
        (out / name).write_bytes(bytes([selector]) + json.dumps(body, ensure_ascii=False).encode())
    (out / "compat-form").write_bytes(b"\x08text=%E4%BD%A0%E5%A5%BD&text[]=a+b&target_lang=EN&source_lang=zh&format=text")


def jwt() -> None:
    out = HERE / "fuzz-jwt"
    (out / "unsigned").write_bytes(b"\0eyJhbGciOiJIUzI1NiIsImtpZCI6InNrX3gifQ.eyJ0aWQiOiJiZXRhIn0.c2ln")
    (out / "edit-tenant").write_bytes(b"\1\x00\x10A\x00\x40B")
    (out / "edit-operator").write_bytes(b"\2\x00\x20C")
    header = json.dumps({"alg": "HS256", "typ": "JWT", "kid": "$KID"}).encode()
    claims = {"tid": "alpha", "scope": "translate:basic tenant:admin", "exp": 4102444800, "iat": 1700000000,
              "nbf": 1700000000, "iss": "csanmt", "aud": "csanmt-api", "kid": "$KID", "jti": "fuzzseed",
              "key_id": "$KEY"}
    for name, c in [("signed-alpha", claims), ("signed-beta", {**claims, "tid": "beta"})]:
        (out / name).write_bytes(b"\3" + bytes([len(header)]) + header + json.dumps(c).encode())


if __name__ == "__main__":
    tf_bundle()
    request()
    jwt()
