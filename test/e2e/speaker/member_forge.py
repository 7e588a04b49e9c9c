#!/usr/bin/python3
"""Runs in a node namespace with no speaker: a compromised member (it holds the membership key
and sends from its own address) forging membership notices. Wire format: speaker/membership/
message.h (version 1).

    member_forge.py KEYFILE SENDER_NAME SENDER_INC TARGETS CLAIMS
      TARGETS  ip:name,...           each gets one notice (from this namespace's port 7946)
      CLAIMS   name:incarnation:status,...   status alive|withdrawn|dead|left; incarnation an
               integer or now+MS (wall-clock milliseconds + MS)
Prints {"sent": n}.
"""
import hashlib
import hmac
import json
import socket
import struct
import sys
import time

PORT = 7946
STATUS = {"alive": 1, "withdrawn": 2, "dead": 3, "left": 4}


def member_id(name):
    return struct.unpack(">Q", hashlib.sha256(name.encode()).digest()[:8])[0]


def incarnation(text):
    if text.startswith("now+"):
        return int(time.time() * 1000) + int(text[4:])
    return int(text)


def notice(key, sender, sender_inc, dest, claims):
    fingerprint = hashlib.sha256(b"ironlb-membership-key" + key).digest()[:4]
    head = b"ILBM" + bytes([1, 5, 0, len(claims)]) + fingerprint
    # The sender says it has left (status 4): it is then never counted live or monitored, so
    # the speakers' live sets stay those of the real speakers.
    head += struct.pack(">QQBBHQQQQ", member_id(sender), sender_inc, 4, 0, 0, time.time_ns(),
                        member_id(dest), 0, 0)
    body = b"".join(struct.pack(">QQB", member_id(n), inc, STATUS[s]) for n, inc, s in claims)
    msg = head + body
    return msg + hmac.new(key, msg, hashlib.sha256).digest()


def main(argv):
    with open(argv[1], "rb") as f:
        key = f.read().rstrip(b"\r\n ")
    sender, sender_inc = argv[2], int(argv[3])
    targets = [t.split(":", 1) for t in argv[4].split(",")]
    claims = []
    for c in argv[5].split(","):
        name, inc, status = c.split(":")
        claims.append((name, incarnation(inc), status))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", PORT))
    for ip, name in targets:
        s.sendto(notice(key, sender, sender_inc, name, claims), (ip, PORT))
    print(json.dumps({"sent": len(targets), "claims": [[n, i, st] for n, i, st in claims]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
