#!/usr/bin/python3
"""Runs in the client namespace: attacks the speakers' membership port without the key.

    forge.py IFACE PORT IP,IP,...  < capture.pcap

Sends to every IP: random junk, a header with ironlb's magic and an unknown key fingerprint, and,
for every UDP datagram of the pcap read from stdin (real membership traffic captured on a node),
an exact replay from the original source address to the original destination and a copy with
one byte of the body flipped (the HMAC no longer matches). Prints a JSON summary.
"""
import json
import os
import sys

from scapy.all import IP, UDP, Raw, conf, send
from scapy.utils import PcapReader

conf.verb = 0


def main(argv):
    iface, port, targets = argv[1], int(argv[2]), argv[3].split(",")
    sent = {"junk": 0, "unknown_key": 0, "replay": 0, "tampered": 0}
    for ip in targets:
        for n in (1, 40, 96, 200):
            send(IP(dst=ip) / UDP(sport=port, dport=port) / Raw(os.urandom(n)), iface=iface)
            sent["junk"] += 1
        header = b"ILBM" + bytes([1, 5, 0, 0]) + os.urandom(4) + os.urandom(84)
        send(IP(dst=ip) / UDP(sport=port, dport=port) / Raw(header + os.urandom(32)), iface=iface)
        sent["unknown_key"] += 1
    with PcapReader(sys.stdin.buffer) as pcap:
        for pkt in pcap:
            if not pkt.haslayer(UDP) or not pkt.haslayer(IP):
                continue
            payload = bytes(pkt[UDP].payload)
            src, dst = pkt[IP].src, pkt[IP].dst
            send(IP(src=src, dst=dst) / UDP(sport=port, dport=port) / Raw(payload), iface=iface)
            sent["replay"] += 1
            if len(payload) > 70:
                flipped = bytearray(payload)
                flipped[66] ^= 0xFF
                send(IP(src=src, dst=dst) / UDP(sport=port, dport=port) / Raw(bytes(flipped)),
                     iface=iface)
                sent["tampered"] += 1
    print(json.dumps({"sent": sent}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
