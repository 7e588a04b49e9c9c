#!/usr/bin/python3
"""Runs inside the client namespace: sends crafted frames with scapy and reports answers as JSON.

    scapy_client.py probe-arp IFACE IP [TIMEOUT]   -> {"answers": [mac, ...]}
    scapy_client.py probe-ns IFACE IP [TIMEOUT]    -> {"answers": [mac, ...]}
    scapy_client.py hostile IFACE VIP4 VIP6 OTHER4 OTHER6 OWNER_MAC -> {"sent": {name: count}}
    scapy_client.py dad IFACE VIP6 [TIMEOUT]       -> {"answers": [[src, dst, S, O], ...]}
    scapy_client.py claim IFACE IP4 MAC COUNT INTERVAL -> {"sent": n}
        a foreign device answering for IP4: COUNT gratuitous ARP replies from MAC, INTERVAL s
        apart
    scapy_client.py attack IFACE IP4 IP6 MAC COUNT INTERVAL -> {"sent": n}
        an attacker claiming both VIPs: per round an ARP reply for IP4 and an unsolicited,
        overriding NA for IP6, both from MAC; COUNT rounds INTERVAL s apart
"""
import json
import sys

from scapy.all import (ARP, Dot1Q, Ether, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr,
                       IPv6, conf, get_if_hwaddr, in6_getnsma, in6_getnsmac, inet_pton,
                       inet_ntop, sendp, srp, AsyncSniffer)
import socket

conf.verb = 0


def nsma(ip6):
    return inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, ip6)))


def nsmac(ip6):
    return in6_getnsmac(inet_pton(socket.AF_INET6, ip6))


def main(argv):
    cmd, iface = argv[1], argv[2]
    me = get_if_hwaddr(iface)
    if cmd == "probe-arp":
        ip, timeout = argv[3], float(argv[4]) if len(argv) > 4 else 1.0
        ans, _ = srp(Ether(dst="ff:ff:ff:ff:ff:ff", src=me) /
                     ARP(op=1, hwsrc=me, psrc="192.0.2.1", pdst=ip),
                     iface=iface, timeout=timeout, multi=True)
        # Only replies to this request (unicast to us): gratuitous ARP replies from an
        # acquire burst are broadcast and would otherwise be miscounted as answers.
        print(json.dumps({"answers": [r[ARP].hwsrc for _, r in ans
                                      if r[ARP].op == 2 and r[Ether].dst == me]}))
    elif cmd == "probe-ns":
        ip, timeout = argv[3], float(argv[4]) if len(argv) > 4 else 1.0
        ans, _ = srp(Ether(dst=nsmac(ip), src=me) / IPv6(src="2001:db8:1::1", dst=nsma(ip)) /
                     ICMPv6ND_NS(tgt=ip) / ICMPv6NDOptSrcLLAddr(lladdr=me),
                     iface=iface, timeout=timeout, multi=True)
        print(json.dumps({"answers": [r[ICMPv6ND_NA].lladdr if r.haslayer("ICMPv6NDOptDstLLAddr")
                                      else r[Ether].src for _, r in ans
                                      # Solicited only: unsolicited NAs of an acquire burst
                                      # are not answers to this solicitation.
                                      if r.haslayer(ICMPv6ND_NA) and r[ICMPv6ND_NA].S == 1]}))
    elif cmd == "dad":
        ip, timeout = argv[3], float(argv[4]) if len(argv) > 4 else 1.0
        sniffer = AsyncSniffer(iface=iface, lfilter=lambda p: p.haslayer(ICMPv6ND_NA)
                               and p[ICMPv6ND_NA].tgt == ip and p[Ether].src != me)
        sniffer.start()
        import time
        time.sleep(0.3)
        sendp(Ether(dst=nsmac(ip), src=me) / IPv6(src="::", dst=nsma(ip)) / ICMPv6ND_NS(tgt=ip),
              iface=iface)
        time.sleep(timeout)
        got = sniffer.stop()
        print(json.dumps({"answers": [[p[IPv6].src, p[IPv6].dst, int(p[ICMPv6ND_NA].S),
                                       int(p[ICMPv6ND_NA].O)] for p in got]}))
    elif cmd == "hostile":
        vip4, vip6, other4, other6, owner = argv[3:8]
        bcast = "ff:ff:ff:ff:ff:ff"
        arp_ok = Ether(dst=bcast, src=me) / ARP(op=1, hwsrc=me, psrc="192.0.2.1", pdst=vip4)
        ns_ok = (Ether(dst=nsmac(vip6), src=me) / IPv6(src="2001:db8:1::1", dst=nsma(vip6)) /
                 ICMPv6ND_NS(tgt=vip6) / ICMPv6NDOptSrcLLAddr(lladdr=me))
        frames = {
            # ARP: truncated after the op field (still passes the kernel filter)
            "arp_truncated": Ether(bytes(arp_ok)[:14 + 20]),
            "arp_bad_hardware_type": Ether(dst=bcast, src=me) / ARP(hwtype=6, op=1, hwsrc=me,
                                                                    psrc="192.0.2.1", pdst=vip4),
            "arp_bad_protocol_type": Ether(dst=bcast, src=me) / ARP(ptype=0x86dd, op=1,
                                                                    hwsrc=me, psrc="192.0.2.1",
                                                                    pdst=vip4),
            "arp_bad_address_length": Ether(bytes(arp_ok)[:18] + b"\x08" + bytes(arp_ok)[19:]),
            "arp_sender_mac_invalid": Ether(dst=bcast, src=me) / ARP(op=1, hwsrc="01:00:5e:00:00:01",
                                                                     psrc="192.0.2.1", pdst=vip4),
            "arp_not_for_us": Ether(dst="02:00:00:00:00:99", src=me) / ARP(op=1, hwsrc=me,
                                                                            psrc="192.0.2.1",
                                                                            pdst=vip4),
            "not_owned_arp": Ether(dst=bcast, src=me) / ARP(op=1, hwsrc=me, psrc="192.0.2.1",
                                                            pdst=other4),
            "vlan_tagged": Ether(dst=bcast, src=me) / Dot1Q(vlan=100) / ARP(op=1, hwsrc=me,
                                                                            psrc="192.0.2.1",
                                                                            pdst=vip4),
            # NDP
            "ndp_bad_checksum": Ether(bytes(ns_ok)[:14 + 40 + 2] + b"\xde\xad" +
                                      bytes(ns_ok)[14 + 40 + 4:]),
            "ndp_bad_hop_limit": Ether(dst=nsmac(vip6), src=me) / IPv6(src="2001:db8:1::1",
                                                                       dst=nsma(vip6), hlim=64) /
                                 ICMPv6ND_NS(tgt=vip6) / ICMPv6NDOptSrcLLAddr(lladdr=me),
            "ndp_bad_code": Ether(dst=nsmac(vip6), src=me) / IPv6(src="2001:db8:1::1",
                                                                  dst=nsma(vip6)) /
                            ICMPv6ND_NS(tgt=vip6, code=1) / ICMPv6NDOptSrcLLAddr(lladdr=me),
            "ndp_bad_option": Ether(dst=nsmac(vip6), src=me) / IPv6(src="2001:db8:1::1",
                                                                    dst=nsma(vip6)) /
                              ICMPv6ND_NS(tgt=vip6) / ICMPv6NDOptSrcLLAddr(lladdr=me, len=0),
            # Unicast (a NUD probe) to the owner's MAC: a bridge with multicast snooping validates
            # IPv6 headers of multicast frames and would drop this one before it reaches us.
            "ipv6_bad_payload_length": Ether(bytes(Ether(dst=owner, src=me) /
                                                   IPv6(src="2001:db8:1::1", dst=vip6, plen=64) /
                                                   ICMPv6ND_NS(tgt=vip6) /
                                                   ICMPv6NDOptSrcLLAddr(lladdr=me))),
            "ndp_dad_with_sllao": Ether(dst=nsmac(vip6), src=me) / IPv6(src="::", dst=nsma(vip6)) /
                                  ICMPv6ND_NS(tgt=vip6) / ICMPv6NDOptSrcLLAddr(lladdr=me),
            "ndp_dad_bad_destination": Ether(dst="33:33:00:00:00:01", src=me) /
                                       IPv6(src="::", dst="ff02::1") / ICMPv6ND_NS(tgt=vip6),
            "dad_probe_not_owned": Ether(dst=nsmac(other6), src=me) /
                                   IPv6(src="::", dst=nsma(other6)) / ICMPv6ND_NS(tgt=other6),
            "not_owned_ns": Ether(dst=nsmac(other6), src=me) / IPv6(src="2001:db8:1::1",
                                                                     dst=nsma(other6)) /
                            ICMPv6ND_NS(tgt=other6) / ICMPv6NDOptSrcLLAddr(lladdr=me),
        }
        for frame in frames.values():
            sendp(frame, iface=iface)
        print(json.dumps({"sent": {name: 1 for name in frames}}))
    elif cmd == "claim":
        import time
        ip, mac, count, interval = argv[3], argv[4], int(argv[5]), float(argv[6])
        garp = Ether(dst="ff:ff:ff:ff:ff:ff", src=mac) / ARP(op=2, hwsrc=mac, psrc=ip,
                                                             hwdst="ff:ff:ff:ff:ff:ff", pdst=ip)
        for n in range(count):
            if n:
                time.sleep(interval)
            sendp(garp, iface=iface)
        print(json.dumps({"sent": count}))
    elif cmd == "attack":
        import time
        from scapy.all import ICMPv6NDOptDstLLAddr
        ip4, ip6, mac, count, interval = argv[3], argv[4], argv[5], int(argv[6]), float(argv[7])
        arp = Ether(dst="ff:ff:ff:ff:ff:ff", src=mac) / ARP(op=2, hwsrc=mac, psrc=ip4,
                                                            hwdst="ff:ff:ff:ff:ff:ff", pdst=ip4)
        na = (Ether(dst="33:33:00:00:00:01", src=mac) / IPv6(src=ip6, dst="ff02::1") /
              ICMPv6ND_NA(tgt=ip6, R=0, S=0, O=1) / ICMPv6NDOptDstLLAddr(lladdr=mac))
        for n in range(count):
            if n:
                time.sleep(interval)
            sendp([arp, na], iface=iface)
            print(json.dumps({"round": n + 1, "at": time.monotonic()}), flush=True)
        print(json.dumps({"sent": count}))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
