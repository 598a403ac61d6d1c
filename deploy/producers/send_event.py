#!/usr/bin/env python3
"""Publish one MUTT event straight to NATS JetStream (stream MUTT_EVENTS), bypassing the HTTP gateway.

Standard library only: it speaks the NATS text protocol (CONNECT, SUB, HPUB) over a plain TCP socket and waits
for JetStream's PubAck, so it runs on any box with Python 3.8+. For TLS or .creds authentication use a real
client (nats-py, nats.go): the subject, headers and body stay exactly as built here. See docs/PRODUCERS.md.

  ./send_event.py router1.example.com 'LINK-3-UPDOWN: Gi0/1 down' --severity error
  ./send_event.py sw2.lab '' --kind trap --trap-oid 1.3.6.1.6.3.1.1.5.3 --id sw2-linkdown-0001
  NATS_URL=nats://user:pass@nats1:4222 ./send_event.py ...

Exit codes: 0 stored (or a duplicate of an already stored id), 75 retry later (stream full / no JetStream),
1 refused or failed.
"""
import argparse
import json
import os
import socket
import sys
import time
import uuid
from urllib.parse import urlparse

SEVERITIES = {"emerg": 0, "emergency": 0, "alert": 1, "crit": 2, "critical": 2, "err": 3, "error": 3,
              "warning": 4, "warn": 4, "notice": 5, "info": 6, "informational": 6, "debug": 7}


def host_token(host: str) -> str:
    """protocol/subjects.ts encodeToken: lower-case, '.' -> '_', [a-z0-9-] kept, any other character -> %XX per UTF-8 byte."""
    if host == "":
        return "%"
    out = []
    for ch in host.lower():
        if ("a" <= ch <= "z") or ("0" <= ch <= "9") or ch == "-":
            out.append(ch)
        elif ch == ".":
            out.append("_")
        else:
            out.extend("%%%02X" % b for b in ch.encode("utf-8"))
    return "".join(out)


def build_event(args) -> dict:
    now = int(time.time() * 1000)
    sev = args.severity
    severity = None if sev is None else (int(sev) if sev.isdigit() else SEVERITIES[sev.lower()])
    event = {
        "kind": args.kind, "id": args.id or str(uuid.uuid4()), "correlationId": args.correlation_id or str(uuid.uuid4()),
        "host": args.host, "message": args.message, "severity": severity,
        "time": args.time if args.time is not None else now, "receivedAt": now,
        "source": {"input": "nats", "address": socket.gethostname()},
    }
    if args.trap_oid:
        oid = args.trap_oid.strip()
        event["trapOid"] = oid if oid.startswith(".") else "." + oid
    if args.kind == "syslog":
        event["parse"] = "json"
    else:
        event["version"] = "unknown"
        event["varbinds"] = []
    return event


def publish(url: str, subject: str, headers: dict, body: bytes, timeout: float = 5.0) -> dict:
    u = urlparse(url if "://" in url else "nats://" + url)
    sock = socket.create_connection((u.hostname or "127.0.0.1", u.port or 4222), timeout=timeout)
    f = sock.makefile("rb")
    if not f.readline().startswith(b"INFO "):
        raise RuntimeError("not a NATS server")
    connect = {"verbose": False, "pedantic": False, "headers": True, "no_responders": True, "protocol": 1,
               "lang": "python-stdlib", "version": "1", "name": "mutt-producer-example"}
    if u.username:
        connect.update(user=u.username, **({"pass": u.password} if u.password else {}))
    inbox = "_INBOX." + uuid.uuid4().hex
    head = "NATS/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    hb = head.encode("utf-8")
    sock.sendall(b"CONNECT " + json.dumps(connect).encode() + b"\r\n" + f"SUB {inbox} 1\r\n".encode()
                 + f"HPUB {subject} {inbox} {len(hb)} {len(hb) + len(body)}\r\n".encode() + hb + body + b"\r\nPING\r\n")
    while True:
        line = f.readline()
        if not line:
            raise RuntimeError("connection closed")
        line = line.rstrip(b"\r\n")
        if line == b"PING":
            sock.sendall(b"PONG\r\n")
        elif line.startswith(b"-ERR"):
            raise RuntimeError(line.decode(errors="replace"))
        elif line.startswith(b"MSG ") or line.startswith(b"HMSG "):
            parts = line.split()
            data = f.read(int(parts[-1]) + 2)[:-2]
            if line.startswith(b"HMSG "):
                hdr, data = data[: int(parts[-2])], data[int(parts[-2]):]
                if b" 503" in hdr.split(b"\r\n")[0]:
                    return {"error": {"code": 503, "description": "no JetStream stream answers on " + subject}}
            sock.close()
            return json.loads(data)


def main() -> int:
    p = argparse.ArgumentParser(description="Publish one event to MUTT_EVENTS")
    p.add_argument("host")
    p.add_argument("message")
    p.add_argument("--kind", choices=["syslog", "trap"], default="syslog")
    p.add_argument("--severity", help="0-7 or a name (error, warning, ...)")
    p.add_argument("--trap-oid")
    p.add_argument("--id", help="stable event id: a re-send with the same id within 2 minutes is stored once")
    p.add_argument("--correlation-id")
    p.add_argument("--time", type=int, help="event time, epoch milliseconds (default now)")
    p.add_argument("--nats", default=os.environ.get("NATS_URL", "nats://127.0.0.1:4222").split(",")[0])
    args = p.parse_args()
    event = build_event(args)
    subject = f"mutt.events.{args.kind}.{host_token(args.host)}"
    headers = {"Nats-Msg-Id": event["id"], "Mutt-Correlation-Id": event["correlationId"], "Mutt-Host": args.host,
               "Content-Type": "application/json"}
    try:
        ack = publish(args.nats, subject, headers, json.dumps(event).encode("utf-8"))
    except (OSError, RuntimeError) as err:
        print(f"send_event: {err}", file=sys.stderr)
        return 75
    print(json.dumps({"subject": subject, "id": event["id"], "ack": ack}))
    if "error" in ack:
        return 75 if ack["error"].get("code") == 503 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
