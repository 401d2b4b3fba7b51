#!/usr/bin/env python3
"""Builds WPA2-PSK 4-way handshake message 2 frames with Python's hashlib/hmac only: an
implementation independent of the crate's, to check its MIC matching against.

PSK-SHA256 (AKM 6, key descriptor version 3) uses the `cryptography` package for AES-CMAC.

Usage: python3 make_fixtures.py > fixtures/wpa2.txt
Each record: `name value` lines (hex for octets), records separated by a blank line.
Deterministic: nonces come from SHA-256 of a label, so the output is reproducible.
`--one NAME SSID AA SPA` (passphrase on stdin) prints one WPA2-PSK case.
"""
import hashlib
import hmac
import struct
import sys

RSNE = bytes.fromhex("30140100000fac040100000fac040100000fac020000")  # CCMP, PSK
RSNE_SHA256 = bytes.fromhex("30140100000fac040100000fac040100000fac060000")  # CCMP, PSK-SHA256


def pseudo(label, n):
    return hashlib.sha256(label.encode()).digest()[:n]


def prf(key, label, data, bits):
    out, i = b"", 0
    while len(out) * 8 < bits:
        out += hmac.new(key, label + b"\x00" + data + bytes([i]), hashlib.sha1).digest()
        i += 1
    return out[: bits // 8]


def kdf_sha256_kck(pmk, context):
    """KDF-SHA256-384's first output block (IEEE 802.11-2020 12.7.1.7.2), first 16 bytes."""
    message = struct.pack("<H", 1) + b"Pairwise key expansion" + context + struct.pack("<H", 384)
    return hmac.new(pmk, message, hashlib.sha256).digest()[:16]


def aes_cmac(key, message):
    from cryptography.hazmat.primitives import cmac
    from cryptography.hazmat.primitives.ciphers import algorithms

    mac = cmac.CMAC(algorithms.AES(key))
    mac.update(message)
    return mac.finalize()


def message2(pmk, aa, spa, anonce, snonce, replay, key_data, sha256=False):
    body_len = 95 + len(key_data)
    frame = bytearray(struct.pack(">BBH", 1, 3, body_len))
    # RSN; MIC | pairwise | version 2 (HMAC-SHA1) or 3 (AES-CMAC)
    frame += struct.pack(">BHH", 2, 0x010B if sha256 else 0x010A, 0)
    frame += struct.pack(">Q", replay)
    frame += snonce + bytes(16) + bytes(8) + bytes(8) + bytes(16)
    frame += struct.pack(">H", len(key_data)) + key_data
    data = min(aa, spa) + max(aa, spa) + min(anonce, snonce) + max(anonce, snonce)
    if sha256:
        mic = aes_cmac(kdf_sha256_kck(pmk, data), bytes(frame))
    else:
        kck = prf(pmk, b"Pairwise key expansion", data, 384)[:16]
        mic = hmac.new(kck, bytes(frame), hashlib.sha1).digest()[:16]
    frame[81:97] = mic
    return bytes(frame)


CASES = [
    # name, passphrase, ssid, aa, spa
    ("basic", "correct horse battery", "Lanyard", "0a0b0c0d0e0f", "02aabbccddee"),
    ("spa_below_aa", "12345678", "Cowork-5G", "f0f1f2f3f4f5", "0211223344ff"),
    ("long_passphrase", "x" * 63, "a" * 32, "001122334455", "66778899aabb"),
    ("psk_sha256", "sha256 passphrase", "Lanyard-PMF", "0a0b0c0d0e10", "02aabbccdd00"),
]


def print_case(name, passphrase, ssid, aa, spa):
    aa, spa = bytes.fromhex(aa), bytes.fromhex(spa)
    pmk = hashlib.pbkdf2_hmac("sha1", passphrase.encode(), ssid.encode(), 4096, 32)
    anonce = pseudo(name + "/anonce", 32)
    snonce = pseudo(name + "/snonce", 32)
    sha256 = name == "psk_sha256"
    rsne = RSNE_SHA256 if sha256 else RSNE
    frame = message2(pmk, aa, spa, anonce, snonce, 1, rsne, sha256)
    for key, value in [
        ("name", name),
        ("akm", "6" if sha256 else "2"),
        ("passphrase", passphrase),
        ("ssid", ssid),
        ("pmk", pmk.hex()),
        ("aa", aa.hex()),
        ("spa", spa.hex()),
        ("anonce", anonce.hex()),
        ("frame", frame.hex()),
    ]:
        print(key, value)
    print()


def main():
    # `--one NAME SSID AA SPA` with the passphrase on stdin (never in the process's arguments):
    # one WPA2-PSK case, for the end-to-end tests that need a member's actual passphrase.
    if sys.argv[1:2] == ["--one"]:
        if len(sys.argv) != 6:
            sys.exit("usage: make_fixtures.py --one NAME SSID AA SPA < passphrase")
        name, ssid, aa, spa = sys.argv[2:]
        print_case(name, sys.stdin.readline().rstrip("\n"), ssid, aa, spa)
        return
    for case in CASES:
        print_case(*case)


if __name__ == "__main__":
    main()
