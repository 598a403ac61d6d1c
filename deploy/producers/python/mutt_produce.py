#!/usr/bin/env python3
"""Publish one event into MUTT's JetStream stream MUTT_EVENTS with nats-py, the way a Python producer should.

A JetStream publish that waits for the PubAck; the event id as Nats-Msg-Id (JetStream stores an id once within
MUTT_EVENTS' 2-minute duplicate window, so a retry after a lost ack stores nothing twice); a retry with backoff
while MUTT cannot take the event yet. Subject, headers and body follow docs/PRODUCERS.md.

  python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
  NATS_URL=tls://nats1:4222 NATS_USER=syslog NATS_PASS=... NATS_TLS_CA=/etc/mutt/ca.pem \\
    .venv/bin/python mutt_produce.py --severity error --id r1-0001 router1.example.com 'LINK-3-UPDOWN: Gi0/1 down'

Exit codes: 0 stored (or already stored: "duplicate": true), 1 refused (permissions, a stream error that a retry
will not fix, TLS or authentication failure), 2 usage error, 75 not stored after every attempt (MUTT's backlog
full, JetStream not answering, no server): safe to run again later with the same --id.
"""
import argparse
import asyncio
import json
import os
import socket
import ssl
import sys
import time
import uuid

import nats
import nats.errors
import nats.js.errors

EXIT_REFUSED, EXIT_USAGE, EXIT_TRY_LATER = 1, 2, 75  # 75: EX_TEMPFAIL (sysexits.h)
FIRST_BACKOFF, MAX_BACKOFF = 0.25, 5.0
STREAM = "MUTT_EVENTS"
SEVERITIES = {"emerg": 0, "emergency": 0, "alert": 1, "crit": 2, "critical": 2, "err": 3, "error": 3,
              "warning": 4, "warn": 4, "notice": 5, "info": 6, "informational": 6, "debug": 7}


class Refused(Exception):
    """The server refused the publish (a permissions violation): trying again will not help."""


def host_token(host: str) -> str:
    """protocol/subjects.ts encodeToken: lower-case, '.' -> '_', [a-z0-9-] kept, every other byte -> %XX."""
    if host == "":
        return "%"
    out = []
    for b in host.lower().encode("utf-8"):
        c = chr(b)
        if "a" <= c <= "z" or "0" <= c <= "9" or c == "-":
            out.append(c)
        elif c == ".":
            out.append("_")
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def build_event(args) -> dict:
    """An IngestEvent (protocol/messages.ts) as JSON-ready values."""
    now = int(time.time() * 1000)
    event = {
        "kind": args.kind, "id": args.id or str(uuid.uuid4()), "correlationId": args.correlation_id or str(uuid.uuid4()),
        "host": args.host, "message": args.message, "severity": args.severity, "time": now, "receivedAt": now,
        "source": {"input": "nats", "address": socket.gethostname()},
    }
    if args.trap_oid:
        event["trapOid"] = "." + args.trap_oid.strip().lstrip(".")
    if args.kind == "syslog":
        event["parse"] = "json"
    else:
        event["version"], event["varbinds"] = "unknown", []
    return event


def retryable(err: Exception) -> bool:
    """MUTT_EVENTS full (discard: new answers 503 "maximum messages exceeded" / "maximum bytes exceeded"), no
    stream answering (JetStream down, leader election, MUTT not set up yet), a timeout, no connection."""
    if isinstance(err, nats.js.errors.APIError):
        return err.code == 503
    if isinstance(err, nats.errors.AuthorizationError):
        return False
    return isinstance(err, (nats.js.errors.NoStreamResponseError, nats.errors.NoRespondersError, nats.errors.TimeoutError,
                            asyncio.TimeoutError, nats.errors.ConnectionClosedError, nats.errors.NoServersError,
                            ConnectionError))


def describe(err: Exception) -> str:
    if isinstance(err, nats.js.errors.APIError):
        return f"{err.description} (code {err.code}, err_code {err.err_code})"
    return f"{type(err).__name__}: {err}".rstrip(": ")


async def connect(args, refused: asyncio.Queue):
    async def on_error(err: Exception) -> None:
        # A publish permissions violation arrives here, not as the request's error (the request would time out).
        if "permissions violation" in str(err).lower():
            refused.put_nowait(Refused(str(err)))

    opts = {"servers": args.server.split(","), "name": "mutt-produce-python", "connect_timeout": args.timeout,
            "error_cb": on_error,
            # produce() owns the retrying: without these nats-py would try each server 60 times, 2 s apart, first.
            "allow_reconnect": False, "max_reconnect_attempts": 1, "reconnect_time_wait": 0.1}
    if args.creds:
        opts["user_credentials"] = args.creds
    if args.user:
        opts["user"], opts["password"] = args.user, args.password
    if args.tlsca or any(s.strip().startswith("tls://") for s in args.server.split(",")):
        opts["tls"] = ssl.create_default_context(cafile=args.tlsca or None)
    if args.inbox_prefix:
        opts["inbox_prefix"] = args.inbox_prefix
    return await nats.connect(**opts)


async def publish_once(js, subject: str, body: bytes, headers: dict, timeout: float, refused: asyncio.Queue):
    """One JetStream publish and its PubAck, or the permissions violation that refused it, whichever comes first."""
    pub = asyncio.ensure_future(js.publish(subject, body, timeout=timeout, stream=STREAM, headers=dict(headers)))
    denial = asyncio.ensure_future(refused.get())
    done, _ = await asyncio.wait({pub, denial}, return_when=asyncio.FIRST_COMPLETED)
    if pub in done:
        denial.cancel()
        return pub.result()
    pub.cancel()
    raise denial.result()


async def produce(args) -> int:
    event = build_event(args)
    subject = f"mutt.events.{args.kind}.{host_token(args.host)}"
    # The same Nats-Msg-Id on every attempt is what makes retrying safe.
    headers = {"Nats-Msg-Id": event["id"], "Mutt-Correlation-Id": event["correlationId"],
               "Mutt-Host": args.host.replace("\r", " ").replace("\n", " "), "Content-Type": "application/json"}
    body = json.dumps(event).encode("utf-8")
    refused: asyncio.Queue = asyncio.Queue()
    nc, backoff, attempt = None, FIRST_BACKOFF, 0
    try:
        while True:
            attempt += 1
            try:
                if nc is None or nc.is_closed:
                    nc = await connect(args, refused)
                ack = await publish_once(nc.jetstream(), subject, body, headers, args.timeout, refused)
                print(json.dumps({"subject": subject, "id": event["id"], "stream": ack.stream, "seq": ack.seq,
                                  "duplicate": bool(ack.duplicate), "attempts": attempt}))
                return 0
            except Exception as err:  # noqa: BLE001 - every failure is sorted into retry or refuse below
                if isinstance(err, Refused) or not retryable(err):
                    print(f"mutt-produce: refused: {describe(err)}", file=sys.stderr)
                    return EXIT_REFUSED
                if attempt >= args.attempts:
                    print(f"mutt-produce: not stored after {attempt} attempts: {describe(err)} "
                          f"(run again later with --id {event['id']})", file=sys.stderr)
                    return EXIT_TRY_LATER
                print(f"mutt-produce: attempt {attempt}: {describe(err)}; retrying in {backoff:g}s", file=sys.stderr)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
    finally:
        if nc is not None and not nc.is_closed:
            await nc.close()


def duration(text: str) -> float:
    """Seconds from '5s', '500ms' or '5' (the Go example's --timeout takes the same)."""
    for suffix, scale in (("ms", 0.001), ("s", 1.0)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * scale
    return float(text)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="mutt_produce.py", description="Publish one event to MUTT_EVENTS")
    p.add_argument("host")
    p.add_argument("message", help="the text rules match (may be '')")
    p.add_argument("--server", default=os.environ.get("NATS_URL", "nats://127.0.0.1:4222"),
                   help="NATS servers, comma-separated (env NATS_URL); tls:// to require TLS")
    p.add_argument("--creds", default=os.environ.get("NATS_CREDS"), help=".creds file, JWT + NKey (env NATS_CREDS)")
    p.add_argument("--user", default=os.environ.get("NATS_USER"), help="NATS user (env NATS_USER)")
    p.add_argument("--password", help="NATS password (prefer env NATS_PASS or NATS_PASS_FILE: a flag shows in ps)")
    p.add_argument("--tlsca", default=os.environ.get("NATS_TLS_CA"), help="CA certificate of the server (env NATS_TLS_CA)")
    p.add_argument("--inbox-prefix", default=os.environ.get("NATS_INBOX_PREFIX"),
                   help="inbox prefix for PubAcks, when the user may subscribe only to its own (env NATS_INBOX_PREFIX)")
    p.add_argument("--kind", choices=["syslog", "trap"], default="syslog")
    p.add_argument("--severity", help="0-7 or a name (error, warning, ...); unset = unknown")
    p.add_argument("--trap-oid")
    p.add_argument("--id", help="stable event id, also the Nats-Msg-Id: a re-send with the same id within 2 minutes is stored once")
    p.add_argument("--correlation-id")
    p.add_argument("--attempts", type=int, default=6, help="publish attempts before giving up with exit 75")
    p.add_argument("--timeout", type=duration, default=5.0, help="connect timeout and the wait for each PubAck: 5s, 500ms")
    args = p.parse_args(argv)  # a usage error exits 2, naming the argument
    sev = args.severity
    if sev is not None:
        args.severity = int(sev) if sev.isdigit() and int(sev) <= 7 else SEVERITIES.get(sev.lower())
        if args.severity is None:
            p.error(f"--severity: {sev!r} is not 0-7 or a severity name")
    if not 1 <= len(args.host) <= 255:
        p.error("host: 1-255 characters")
    if len(args.message) > 65536:
        p.error("message: at most 65,536 characters")
    if len(args.id or "") > 200 or len(args.correlation_id or "") > 200:
        p.error("--id / --correlation-id: at most 200 characters")
    if args.attempts < 1 or args.timeout <= 0:
        p.error("--attempts must be at least 1 and --timeout positive")
    if args.password is None:
        args.password = os.environ.get("NATS_PASS")
    if args.password is None and os.environ.get("NATS_PASS_FILE"):
        with open(os.environ["NATS_PASS_FILE"], encoding="utf-8") as f:
            args.password = f.read().rstrip("\r\n")
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(produce(parse_args(sys.argv[1:]))))
