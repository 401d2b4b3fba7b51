#!/usr/bin/env python3
"""Closed-loop RADIUS Access-Request load with per-request latency (issue 16 read-path measurement).

    load.py ADDR SECRET MACS_FILE COUNT CONCURRENCY

Keeps CONCURRENCY requests in flight on one UDP socket (ids 0..255, so at most 255), each a
MAC-authentication request (User-Name = User-Password = a MAC from MACS_FILE, round robin), and
prints one line: sent, accepts, rejects, lost (no answer within 2 s), wall time, requests/s, p50
and p99 latency in ms. Standard library only; a deadline on every wait.
"""
import hashlib, os, random, select, socket, struct, sys, time

def access_request(ident, secret, mac):
    auth = os.urandom(16)
    pw = mac.encode().ljust(16, b"\0")
    hidden = bytes(a ^ b for a, b in zip(pw, hashlib.md5(secret + auth).digest()))
    attrs = b""
    for typ, val in ((1, mac.encode()), (2, hidden), (31, mac.upper().encode()), (4, socket.inet_aton("127.0.0.1"))):
        attrs += struct.pack("!BB", typ, len(val) + 2) + val
    return struct.pack("!BBH", 1, ident, 20 + len(attrs)) + auth + attrs

def main():
    host, port = sys.argv[1].rsplit(":", 1)
    secret = sys.argv[2].encode()
    macs = [l.strip() for l in open(sys.argv[3]) if l.strip()]
    random.shuffle(macs)
    count, conc = int(sys.argv[4]), min(int(sys.argv[5]), 255)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    sock.connect((host, int(port)))
    inflight, free_ids, lat = {}, list(range(256)), []
    sent = accepts = rejects = lost = 0
    start = time.perf_counter()
    while sent < count or inflight:
        while sent < count and len(inflight) < conc:
            ident = free_ids.pop()
            sock.send(access_request(ident, secret, macs[sent % len(macs)]))
            inflight[ident] = time.perf_counter()
            sent += 1
        ready, _, _ = select.select([sock], [], [], 0.05)
        now = time.perf_counter()
        if ready:
            data = sock.recv(4096)
            ident = data[1]
            if ident in inflight:
                lat.append(now - inflight.pop(ident))
                free_ids.append(ident)
                if data[0] == 2: accepts += 1
                else: rejects += 1
        for ident, t in list(inflight.items()):
            if now - t > 2.0:
                del inflight[ident]; free_ids.append(ident); lost += 1
    wall = time.perf_counter() - start
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")
    print(f"sent={sent} accepts={accepts} rejects={rejects} lost={lost} wall={wall:.2f}s "
          f"rate={sent / wall:.0f}/s p50={pct(0.50):.2f}ms p99={pct(0.99):.2f}ms")

main()
