"""Verifies cpxd's signed answers with Python's `cryptography`, sharing no code with cpxd.

Reads a JSON list of cases on stdin and prints a line for each: `ok`, or `fail: <reason>`. A case:
  {"kind": "http", "status": 200, "headers": {...}, "body_b64": "...", "path": "/cpx/acme" | null,
   "jwks": {...}, "now": 1700000000}
  {"kind": "jws", "jws": "<compact>", "jwks": {...}, "now": 1700000000}
The RFC 9421 signature base is rebuilt here from the response, never taken from cpxd.
"""
import base64
import hashlib
import json
import re
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


class Failure(Exception):
    pass


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key(jwk):
    if jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519":
        return "ed25519", Ed25519PublicKey.from_public_bytes(b64url(jwk["x"]))
    if jwk["kty"] == "EC" and jwk["crv"] == "P-256":
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(b64url(jwk["x"]), "big"), int.from_bytes(b64url(jwk["y"]), "big"), ec.SECP256R1())
        return "es256", numbers.public_key()
    raise Failure("unsupported key type")


def find_key(jwks, kid):
    for jwk in jwks["keys"]:
        if jwk.get("kid") == kid:
            return public_key(jwk)
    raise Failure("no key with kid " + kid)


def check(kind, key, data, signature):
    try:
        if kind == "ed25519":
            key.verify(signature, data)
        else:
            if len(signature) != 64:
                raise Failure("bad ECDSA signature length")
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Failure("signature does not verify")


def verify_http(case):
    headers = {name.lower(): value for name, value in case["headers"].items()}
    body = base64.b64decode(case["body_b64"])
    digest = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    if headers.get("content-digest") != digest:
        raise Failure("content-digest does not match the body")
    match = re.fullmatch(r'cpx=(\(([^)]*)\)(.*))', headers.get("signature-input", ""))
    if match is None:
        raise Failure("no cpx signature input")
    params_text = match.group(1)
    components = match.group(2).split(" ")
    params = dict(re.findall(r';([a-z]+)=("[^"]*"|\d+)', match.group(3)))
    signature_match = re.fullmatch(r"cpx=:([A-Za-z0-9+/=]+):", headers.get("signature", ""))
    if signature_match is None:
        raise Failure("no cpx signature")
    required = ['"@status"', '"content-type"', '"content-digest"']
    if case.get("path") is not None:
        required.append('"@path";req')
    for name in required:
        if name not in components:
            raise Failure("signature does not cover " + name)
    created = int(params["created"])
    expires = int(params["expires"])
    if not created <= case["now"] + 60 or not case["now"] < expires:
        raise Failure("outside the validity window")
    lines = []
    for name in components:
        if name == '"@status"':
            lines.append(name + ": " + str(case["status"]))
        elif name == '"@path";req':
            lines.append(name + ": " + case["path"])
        else:
            lines.append(name + ": " + headers[name.strip('"')])
    lines.append('"@signature-params": ' + params_text)
    kind, key = find_key(case["jwks"], params["keyid"].strip('"'))
    expected_alg = {"ed25519": "ed25519", "es256": "ecdsa-p256-sha256"}[kind]
    if params["alg"].strip('"') != expected_alg:
        raise Failure("alg does not match the key")
    check(kind, key, "\n".join(lines).encode(), base64.b64decode(signature_match.group(1)))


def verify_jws(case):
    parts = case["jws"].split(".")
    if len(parts) != 3:
        raise Failure("not a compact JWS")
    header = json.loads(b64url(parts[0]))
    if header.get("typ") != "cpx+jws":
        raise Failure("wrong typ")
    for claim in ("iat", "exp"):
        if not isinstance(header.get(claim), int):
            raise Failure(claim + " is not an integer")
    if not header["iat"] <= case["now"] + 60 or not case["now"] < header["exp"]:
        raise Failure("outside the validity window")
    kind, key = find_key(case["jwks"], header["kid"])
    if header["alg"] != {"ed25519": "EdDSA", "es256": "ES256"}[kind]:
        raise Failure("alg does not match the key")
    check(kind, key, (parts[0] + "." + parts[1]).encode(), b64url(parts[2]))
    json.loads(b64url(parts[1]))


def verdict(case):
    try:
        (verify_http if case["kind"] == "http" else verify_jws)(case)
    except Failure as failure:
        return "fail: " + str(failure)
    return "ok"


def main():
    for case in json.load(sys.stdin):
        print(verdict(case))


main()
