package httpx

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRefusalOutranksACancelledRequest: a request whose context was
// cancelled by its caller just after the transport's refusal came back
// (FetchAll aborts the others once one symbol finds the host down) is the
// refusal, not "did not answer within 15s": the error's own cause comes
// before the request context's state. CI saw "Yahoo did not answer within
// 15s" 20 ms after a connection refused.
func TestRefusalOutranksACancelledRequest(t *testing.T) {
	c, err := NewClient(ClientOptions{Source: "Yahoo", Timeout: 15 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9},
		Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	nxdomain := &net.DNSError{Err: "no such host", Name: "quotes.test", IsNotFound: true}
	for _, tc := range []struct {
		err    error
		kind   Kind
		detail string
	}{
		{fmt.Errorf("Get %q: %w", "http://127.0.0.1:9/", refused), KindUnreachable, "connection refused"},
		{fmt.Errorf("Get %q: dial tcp: %w", "http://quotes.test/", nxdomain), KindUnreachable, "no such host quotes.test"},
	} {
		ctx := context.Background()             // the caller's first look: still running
		rctx, cancel := context.WithCancel(ctx) // then cancelled, as by its parent
		cancel()
		e := c.transportError(ctx, rctx, "yahoo: fetch IWM", 0, tc.err)
		if e.Kind != tc.kind || !strings.HasPrefix(e.Detail, tc.detail) {
			t.Errorf("%v: kind %v detail %q (timeout %v), want %v %q", tc.err, e.Kind, e.Detail, e.Timeout, tc.kind, tc.detail)
		}
	}
	// A request that timed out is still a timeout.
	ctx := context.Background()
	rctx, cancel := context.WithDeadline(ctx, time.Unix(0, 0))
	defer cancel()
	if e := c.transportError(ctx, rctx, "yahoo: fetch IWM", 0, context.DeadlineExceeded); e.Kind != KindTimeout {
		t.Errorf("a request past its deadline: kind %v, want timeout", e.Kind)
	}
}
