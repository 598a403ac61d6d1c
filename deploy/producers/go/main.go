// mutt-produce publishes one event into MUTT's JetStream stream MUTT_EVENTS with nats.go, the way a Go
// producer should: a JetStream publish that waits for the PubAck, the event id as Nats-Msg-Id (JetStream stores
// an id once within MUTT_EVENTS' 2-minute duplicate window, so a retry after a lost ack stores nothing twice),
// and a retry with backoff while MUTT cannot take the event yet. Subject, headers and body follow
// docs/PRODUCERS.md. Copy it, or `go build -o mutt-produce .` and call it from a script.
//
//	NATS_URL=tls://nats1:4222 NATS_USER=syslog NATS_PASS=... NATS_TLS_CA=/etc/mutt/ca.pem \
//	  ./mutt-produce --severity 3 --id r1-0001 router1.example.com 'LINK-3-UPDOWN: Gi0/1 down'
//
// Exit codes: 0 stored (or already stored: "duplicate": true), 1 refused (permissions, a stream error that a
// retry will not fix, TLS or authentication failure), 2 usage error, 75 not stored after every attempt (MUTT's
// backlog full, JetStream not answering, no server): safe to run again later with the same --id.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	exitRefused   = 1
	exitUsage     = 2
	exitTryLater  = 75 // EX_TEMPFAIL (sysexits.h)
	maxBackoff    = 5 * time.Second
	firstBackoff  = 250 * time.Millisecond
	streamName    = "MUTT_EVENTS"
	appIdentifier = "mutt-produce-go"
)

var severities = map[string]int{"emerg": 0, "emergency": 0, "alert": 1, "crit": 2, "critical": 2, "err": 3, "error": 3,
	"warning": 4, "warn": 4, "notice": 5, "info": 6, "informational": 6, "debug": 7}

type options struct {
	server, creds, user, password, tlsCA, inboxPrefix string
	kind, severity, trapOID, id, correlationID        string
	attempts                                          int
	timeout                                           time.Duration
	host, message                                     string
}

func main() { os.Exit(run()) }

func run() int {
	o, err := parseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutt-produce:", err)
		return exitUsage
	}
	event, err := buildEvent(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutt-produce:", err)
		return exitUsage
	}
	body, _ := json.Marshal(event)
	subject := "mutt.events." + o.kind + "." + hostToken(o.host)

	refused := make(chan error, 1) // publish permission violations arrive asynchronously, not as the request's error
	var nc *nats.Conn
	defer func() {
		if nc != nil {
			nc.Close()
		}
	}()

	header := nats.Header{}
	header.Set("Mutt-Correlation-Id", event["correlationId"].(string))
	header.Set("Mutt-Host", strings.NewReplacer("\r", " ", "\n", " ").Replace(o.host))
	header.Set("Content-Type", "application/json")
	id := event["id"].(string)

	backoff := firstBackoff
	for attempt := 1; ; attempt++ {
		var ack *jetstream.PubAck
		err = nil
		if nc == nil || nc.IsClosed() {
			if nc, err = nats.Connect(o.server, connectOptions(o, refused)...); err != nil {
				err = fmt.Errorf("connect: %w", err)
			}
		}
		if err == nil {
			msg := &nats.Msg{Subject: subject, Data: body, Header: maps.Clone(header)}
			ack, err = publishOnce(nc, msg, id, o.timeout, refused)
		}
		if err == nil {
			out, _ := json.Marshal(map[string]any{"subject": subject, "id": id, "stream": ack.Stream, "seq": ack.Sequence, "duplicate": ack.Duplicate, "attempts": attempt})
			fmt.Println(string(out))
			return 0
		}
		if !retryable(err) {
			fmt.Fprintf(os.Stderr, "mutt-produce: refused: %v\n", err)
			return exitRefused
		}
		if attempt >= o.attempts {
			fmt.Fprintf(os.Stderr, "mutt-produce: not stored after %d attempts: %v (run again later with --id %s)\n", attempt, err, id)
			return exitTryLater
		}
		if nc != nil && !nc.IsConnected() {
			nc.Close() // connect afresh on the next attempt
		}
		fmt.Fprintf(os.Stderr, "mutt-produce: attempt %d: %v; retrying in %v\n", attempt, err, backoff)
		time.Sleep(backoff)
		backoff = min(backoff*2, maxBackoff)
	}
}

// publishOnce is one JetStream publish and its PubAck. The same msg id on every attempt is what makes retrying safe.
func publishOnce(nc *nats.Conn, msg *nats.Msg, id string, timeout time.Duration, refused <-chan error) (*jetstream.PubAck, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	type result struct {
		ack *jetstream.PubAck
		err error
	}
	done := make(chan result, 1)
	go func() {
		// RetryAttempts 0: the loop in run() does the retrying, with a backoff it reports.
		ack, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(id), jetstream.WithExpectStream(streamName), jetstream.WithRetryAttempts(0))
		done <- result{ack, err}
	}()
	select {
	case r := <-done:
		return r.ack, r.err
	case err := <-refused:
		return nil, err
	}
}

// retryable: the event may be stored by trying again later. MUTT_EVENTS full (discard: new answers 503
// "maximum messages exceeded" / "maximum bytes exceeded"), no stream answering (JetStream down, leader
// election, MUTT not set up yet), a timeout, or a connection being re-established.
func retryable(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code == 503
	}
	return errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrConnectionReconnecting) || errors.Is(err, nats.ErrConnectionClosed) ||
		errors.Is(err, nats.ErrNoServers) // nothing listening (yet): a TLS or authentication failure is not this
}

func connectOptions(o options, refused chan<- error) []nats.Option {
	opts := []nats.Option{
		nats.Name(appIdentifier),
		nats.Timeout(o.timeout),
		// A failed first connect is one failed attempt of run()'s loop, which connects again after its backoff.
		nats.ReconnectWait(500 * time.Millisecond),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			if errors.Is(err, nats.ErrPermissionViolation) || errors.Is(err, nats.ErrAuthorization) {
				select {
				case refused <- err:
				default:
				}
			}
		}),
	}
	if o.creds != "" {
		opts = append(opts, nats.UserCredentials(o.creds))
	}
	if o.user != "" {
		opts = append(opts, nats.UserInfo(o.user, o.password))
	}
	if o.tlsCA != "" {
		opts = append(opts, nats.RootCAs(o.tlsCA))
	}
	if o.inboxPrefix != "" {
		opts = append(opts, nats.CustomInboxPrefix(o.inboxPrefix))
	}
	return opts
}

func parseArgs(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("mutt-produce", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: mutt-produce [flags] HOST MESSAGE")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.server, "server", envOr("NATS_URL", "nats://127.0.0.1:4222"), "NATS servers, comma-separated (env NATS_URL); tls:// to require TLS")
	fs.StringVar(&o.creds, "creds", os.Getenv("NATS_CREDS"), "NATS .creds file, JWT + NKey (env NATS_CREDS)")
	fs.StringVar(&o.user, "user", os.Getenv("NATS_USER"), "NATS user (env NATS_USER)")
	fs.StringVar(&o.password, "password", "", "NATS password (prefer env NATS_PASS or NATS_PASS_FILE: a flag shows in ps)")
	fs.StringVar(&o.tlsCA, "tlsca", os.Getenv("NATS_TLS_CA"), "CA certificate that signed the server's certificate (env NATS_TLS_CA)")
	fs.StringVar(&o.inboxPrefix, "inbox-prefix", os.Getenv("NATS_INBOX_PREFIX"), "inbox prefix for PubAcks, when the user may subscribe only to its own (env NATS_INBOX_PREFIX)")
	fs.StringVar(&o.kind, "kind", "syslog", "syslog or trap")
	fs.StringVar(&o.severity, "severity", "", "0-7 or a name (error, warning, ...); unset = unknown")
	fs.StringVar(&o.trapOID, "trap-oid", "", "trap OID, dotted decimal")
	fs.StringVar(&o.id, "id", "", "stable event id, also the Nats-Msg-Id: a re-send with the same id within 2 minutes is stored once (default random)")
	fs.StringVar(&o.correlationID, "correlation-id", "", "correlation id (default random)")
	fs.IntVar(&o.attempts, "attempts", 6, "publish attempts before giving up with exit 75")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "connect timeout and the wait for each PubAck")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.password == "" {
		o.password = os.Getenv("NATS_PASS")
	}
	if file := os.Getenv("NATS_PASS_FILE"); o.password == "" && file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return o, fmt.Errorf("NATS_PASS_FILE: %w", err)
		}
		o.password = strings.TrimRight(string(b), "\r\n")
	}
	if fs.NArg() != 2 {
		return o, errors.New("want HOST and MESSAGE (MESSAGE may be '')")
	}
	o.host, o.message = fs.Arg(0), fs.Arg(1)
	switch {
	case o.kind != "syslog" && o.kind != "trap":
		return o, fmt.Errorf("--kind: %q is not syslog or trap", o.kind)
	case o.host == "" || len(o.host) > 255:
		return o, errors.New("HOST: 1-255 characters")
	case len(o.message) > 65536:
		return o, errors.New("MESSAGE: at most 65,536 characters")
	case len(o.id) > 200 || len(o.correlationID) > 200:
		return o, errors.New("--id / --correlation-id: at most 200 characters")
	case o.attempts < 1:
		return o, errors.New("--attempts: at least 1")
	case o.timeout <= 0:
		return o, errors.New("--timeout: must be positive")
	}
	return o, nil
}

// buildEvent returns an IngestEvent (protocol/messages.ts) as JSON-ready values.
func buildEvent(o options) (map[string]any, error) {
	now := time.Now().UnixMilli()
	var severity any
	if o.severity != "" {
		n, err := strconv.Atoi(o.severity)
		if name, ok := severities[strings.ToLower(o.severity)]; ok {
			n, err = name, nil
		}
		if err != nil || n < 0 || n > 7 {
			return nil, fmt.Errorf("--severity: %q is not 0-7 or a severity name", o.severity)
		}
		severity = n
	}
	address, _ := os.Hostname()
	event := map[string]any{
		"kind": o.kind, "id": orRandom(o.id), "correlationId": orRandom(o.correlationID),
		"host": o.host, "message": o.message, "severity": severity, "time": now, "receivedAt": now,
		"source": map[string]any{"input": "nats", "address": address},
	}
	if o.trapOID != "" {
		event["trapOid"] = "." + strings.TrimPrefix(strings.TrimSpace(o.trapOID), ".")
	}
	if o.kind == "syslog" {
		event["parse"] = "json"
	} else {
		event["version"] = "unknown"
		event["varbinds"] = []any{}
	}
	return event, nil
}

// hostToken is protocol/subjects.ts encodeToken: lower-case, '.' -> '_', [a-z0-9-] kept, every other byte -> %XX.
func hostToken(host string) string {
	if host == "" {
		return "%"
	}
	var b strings.Builder
	for _, c := range []byte(strings.ToLower(host)) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
			b.WriteByte(c)
		case c == '.':
			b.WriteByte('_')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func orRandom(s string) string {
	if s != "" {
		return s
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
