// Package nettest gives tests network failures without a network: a
// resolver that answers "no such host" for every name (the real Go resolver
// talks to an in-memory DNS server), a server that accepts requests and
// never answers, and a loopback port that refuses connections. The
// in-memory parts (net.Pipe) work inside a testing/synctest bubble, where
// request timeouts run on the bubble's fake clock.
package nettest

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Client returns an HTTP client that dials with dial (no proxy, no keep-alive
// between tests).
func Client(dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: dial, DisableKeepAlives: true}}
}

// init runs one lookup through the fake DNS server outside any synctest
// bubble: the Go resolver creates its process-wide state (a semaphore
// channel) on first use, and a channel made inside one bubble cannot be
// used from another.
func init() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c, err := NoSuchHost(ctx, "tcp", "prime.invalid:80"); err == nil {
		c.Close()
	}
}

// NoSuchHost is a dialer whose resolver is told by its DNS server that no
// name exists (NXDOMAIN): dials fail as they do for a mistyped or
// unresolvable host, through the real resolver code.
func NoSuchHost(ctx context.Context, network, addr string) (net.Conn, error) {
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		c, s := net.Pipe()
		go serveNXDomain(s)
		return c, nil
	}}
	d := &net.Dialer{Resolver: r}
	return d.DialContext(ctx, network, addr)
}

// serveNXDomain answers every DNS query on c (TCP framing: a two-byte
// length before each message) with "no such name", until c is closed.
func serveNXDomain(c net.Conn) {
	defer c.Close()
	for {
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		q := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, q); err != nil || len(q) < 12 {
			return
		}
		// The reply: the query's ID and question, QR=1 RD=1 RA=1 RCODE=3
		// (NXDOMAIN), no answers, no authority, no additional records.
		resp := append([]byte(nil), q...)
		resp[2], resp[3] = 0x81, 0x83
		binary.BigEndian.PutUint16(resp[6:], 0)  // ANCOUNT
		binary.BigEndian.PutUint16(resp[8:], 0)  // NSCOUNT
		binary.BigEndian.PutUint16(resp[10:], 0) // ARCOUNT
		resp = resp[:12+questionLen(q[12:])]
		var out [2]byte
		binary.BigEndian.PutUint16(out[:], uint16(len(resp)))
		if _, err := c.Write(append(out[:], resp...)); err != nil {
			return
		}
	}
}

// questionLen is the length of the first question (name, type, class) in b.
func questionLen(b []byte) int {
	i := 0
	for i < len(b) && b[i] != 0 {
		i += int(b[i]) + 1
	}
	return min(len(b), i+1+4)
}

// Hang is a server that reads every request and never answers (the
// connection stays open until the client gives up). Requests counts the
// connections made.
type Hang struct {
	Requests atomic.Int64
}

// Dial connects to the hanging server.
func (h *Hang) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	h.Requests.Add(1)
	c, s := net.Pipe()
	go func() {
		_, _ = io.Copy(io.Discard, s) // until the client closes its end
		s.Close()
	}()
	return c, nil
}

// ClosedPort returns a base URL (http://127.0.0.1:PORT) at which nothing
// listens: connections are refused.
func ClosedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

// Serve returns a dialer to an in-memory server that answers every
// request with h: each dial is one connection (net.Pipe), so it works
// inside a synctest bubble, where the handler's waits and the client's
// timeouts run on the bubble's clock.
func Serve(h http.Handler) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, s := net.Pipe()
		l := &oneConn{conn: s, done: make(chan struct{})}
		go func() { _ = (&http.Server{Handler: h}).Serve(l) }()
		return c, nil
	}
}

// oneConn is a listener that accepts one connection, then reports itself
// closed once that connection is (so its server's Serve returns).
type oneConn struct {
	conn  net.Conn
	done  chan struct{}
	taken bool
	once  sync.Once
}

func (l *oneConn) Accept() (net.Conn, error) {
	if !l.taken {
		l.taken = true
		return &closeNotify{Conn: l.conn, l: l}, nil
	}
	<-l.done
	return nil, net.ErrClosed
}

func (l *oneConn) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *oneConn) Addr() net.Addr { return l.conn.LocalAddr() }

// closeNotify closes its listener with the connection.
type closeNotify struct {
	net.Conn
	l *oneConn
}

func (c *closeNotify) Close() error {
	err := c.Conn.Close()
	c.l.Close()
	return err
}
