package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/dashboard"
	"github.com/capwatch/capwatch/internal/nettest"
	"github.com/capwatch/capwatch/tui"
)

// symbolCount finds the counts of symbols a text states ("23 symbols",
// "✖ 23 symbol errors", "· 23 err", "none of 28 symbols loaded").
var symbolCount = regexp.MustCompile(`(\d+) (symbols?|err)\b`)

// TestOneCountOfFailedSymbols: with the feed refused (QA-1 item 9: the
// status line said "all 28 symbols failed", the quotes "✖ 23 symbol
// errors", ? listed 23), every count of failed symbols the user can read
// — the dashboard (status line, quotes, ratio, help screen), the one-shot
// commands' messages — is the snapshot's errors[] count, and the shared
// cause is said once per view, not once per symbol.
func TestOneCountOfFailedSymbols(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.e.Clock = clock.Real{} // the bubble's clock
		h.e.HTTP = nettest.Client(nettest.NoSuchHost)
		base := nettest.ClosedPort(t)
		var texts []string
		for _, cmd := range []string{"snapshot", "status"} {
			code, out, errOut := h.run(cmd, "--feed", "yahoo", "--base-url", base)
			if code != exitFailure {
				t.Errorf("%s: exit %d, want 1", cmd, code)
			}
			texts = append(texts, cmd+" stdout: "+out, cmd+" stderr: "+errOut)
		}

		if code, _, errOut := h.run("--feed", "yahoo", "--base-url", base); code != exitOK || h.dash == nil {
			t.Fatalf("dashboard not started: exit %d %s", code, errOut)
		}
		o := *h.dash
		o.Signals.Log = nil // closed when the stand-in dashboard returned
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		d, err := dashboard.New(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		msgs := make(chan tea.Msg, 256)
		done := make(chan error, 1)
		go func() {
			done <- d.RunPipeline(ctx, func(m tea.Msg) {
				select {
				case msgs <- m:
				default:
				}
			})
		}()
		m, _ := d.Model.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
		var snap *engine.Snapshot
		for snap == nil || len(snap.Errors) == 0 {
			msg := <-msgs
			if s, ok := msg.(tui.SnapshotMsg); ok {
				snap = s.Snap
			}
			m, _ = m.Update(msg)
		}
		synctest.Wait() // the status the same failure gives
		for len(msgs) > 0 {
			m, _ = m.Update(<-msgs)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		dash := ansi.Strip(m.View().Content)
		m, _ = m.Update(tea.KeyPressMsg{Code: '?', Text: "?"})
		help := ansi.Strip(m.View().Content)
		texts = append(texts, "dashboard:\n"+dash, "help:\n"+help)

		want := len(snap.Errors)
		counted := 0
		for _, text := range texts {
			for _, c := range symbolCount.FindAllStringSubmatch(text, -1) {
				counted++
				if n, _ := strconv.Atoi(c[1]); n != want {
					t.Errorf("%q where errors[] holds %d, in %s", c[0], want, text)
				}
			}
		}
		if want < 2 || counted < 2 {
			t.Errorf("%d errors, %d counts read: the dashboard and help should count the failed symbols:\n%s\n%s", want, counted, dash, help)
		}
		cause := "connection refused"
		if _, box, _ := strings.Cut(help, "\n"); strings.Count(box, cause) != 1 { // below the status line
			t.Errorf("the help screen does not say %q once:\n%s", cause, help)
		}
	})
}
