#!/usr/bin/python3
"""Runs in a namespace: floods one UDP endpoint, bounded in time and count.

    udp_flood.py DST PORT SECONDS MAX_PACKETS [SRC KEYFILE]
      without SRC: 96-byte junk datagrams from this namespace's own address (a non-member
        source: a speaker drops them before the HMAC);
      with SRC: raw IPv4 with the source address SRC:PORT spoofed (a member's endpoint) and a
        membership ping header carrying the key's fingerprint (visible on the wire) but a
        wrong HMAC, so each one costs the receiver a full authentication.
Prints {"sent": n, "seconds": s, "pps": r}.
"""
import hashlib
import json
import os
import socket
import struct
import sys
import time


def main(argv):
    dst, port, seconds, limit = argv[1], int(argv[2]), float(argv[3]), int(argv[4])
    payloads = []
    if len(argv) > 5:
        src = argv[5]
        with open(argv[6], "rb") as f:
            key = f.read().rstrip(b"\r\n ")
        fp = hashlib.sha256(b"ironlb-membership-key" + key).digest()[:4]
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        for n in range(64):
            # 96 bytes: a ping with no updates (header 64 + HMAC 32)
            body = b"ILBM" + bytes([1, 1, 0, 0]) + fp + os.urandom(52) + os.urandom(32)
            udp = struct.pack(">HHHH", port, port, 8 + len(body), 0) + body
            ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                             socket.inet_aton(src), socket.inet_aton(dst))
            payloads.append(ip + udp)
        target = (dst, 0)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        payloads = [os.urandom(96) for _ in range(64)]
        target = (dst, port)
    sent = 0
    start = time.monotonic()
    deadline = start + seconds
    send = s.sendto
    while sent < limit:
        for p in payloads:
            try:
                send(p, target)
            except OSError:  # ENOBUFS under pressure: the flood is best effort
                pass
        sent += len(payloads)
        if (sent & 4095) == 0 and time.monotonic() >= deadline:
            break
    took = time.monotonic() - start
    print(json.dumps({"sent": sent, "seconds": round(took, 2), "pps": int(sent / took)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
