package alpaca_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds/alpaca"
	"github.com/capwatch/capwatch/feeds/alpaca/alpacafake"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// BenchmarkDecode: one frame of a minute bar and a trade (the steady-state
// messages), per message.
func BenchmarkDecode(b *testing.B) {
	frame := []byte(`[{"T":"t","i":1,"S":"IWM","x":"V","p":201.37,"s":100,"t":"2026-03-04T15:01:02.123456789Z","c":["@"],"z":"B"},` +
		`{"T":"b","S":"SPY","o":512.1,"h":512.5,"l":511.9,"c":512.3,"v":48211,"t":"2026-03-04T15:01:00Z","n":310,"vw":512.2}]`)
	var d alpaca.Decoder
	n := 0
	fn := func(m *alpaca.Msg) error { n++; return nil }
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if err := d.Decode(frame, fn); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/msg")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStreamMinute is issue 18's streaming goal: 2,000 symbols each
// streaming one minute bar per minute plus trades for 30 symbols at 50 a
// second, through the WebSocket (the in-process fake on loopback), the
// feed's decoder and ~100 ms batches, the pipeline and the engine. One op
// is one simulated minute (20 frames of 100 bars at the minute, 600
// frames of 5 trades, one per 100 ms batch window) starting at 13:00 with
// the session's 210 earlier minutes back-filled over REST. cpu-%/core is
// the process's CPU time (client, engine and the fake server's writes)
// over the minute's 60 s.
func BenchmarkStreamMinute(b *testing.B) {
	const nsym, ntrade = 2000, 30
	ny := calendar.Location()
	start := time.Date(2026, 3, 4, 13, 0, 0, 0, ny)
	open := time.Date(2026, 3, 4, 9, 30, 0, 0, ny)
	clk := clock.NewFake(start)
	syms := make([]string, nsym)
	for i := range syms {
		syms[i] = fmt.Sprintf("S%04d", i)
	}
	syms[0], syms[1] = "IWM", "SPY"
	srv := alpacafake.New(alpacafake.Options{KeyID: "k", Secret: "s", Now: clk.Now, SIPRecent: true, TradeCap: -1})
	defer srv.Close()
	// The session so far, for the back-fill (consolidated: feed sip).
	for i, s := range syms {
		var bars []engine.Bar
		for t := open; t.Before(start); t = t.Add(time.Minute) {
			p := 50 + float64(i%100)
			bars = append(bars, engine.Bar{Symbol: s, Time: t, Open: p, High: p + 0.1, Low: p - 0.1, Close: p, Volume: 1000})
		}
		srv.SetBars("sip", "1Min", s, bars)
	}
	f, err := alpaca.New(alpaca.Options{
		FeedOptions: httpx.FeedOptions{BaseURL: srv.URL(), Client: srv.Client(), Clock: clk, RatePerSec: 1000, Burst: 1000},
		KeyID:       "k", SecretKey: "s", StreamURL: srv.StreamURL(), Feed: "sip", TradeSymbols: ntrade, TradeFirst: []string{"IWM", "SPY"},
		// The fake clock runs far ahead of the socket here (a minute of
		// frames is pushed in milliseconds): no pings, or a pong queued
		// behind the frames would count as a dead connection.
		PingEvery: 24 * time.Hour,
	})
	if err != nil {
		b.Fatal(err)
	}
	cfg := engine.DefaultConfig()
	cfg.Extras = syms[2:]
	cfg.Sectors = nil
	eng, err := engine.New(cfg, calendar.NYSE())
	if err != nil {
		b.Fatal(err)
	}
	var last atomic.Int64 // newest data time seen in a snapshot (unix ns)
	snapc := make(chan struct{}, 1)
	p := &app.Pipeline{Feed: f, Engine: eng, Symbols: cfg.Symbols(), Clock: clk,
		OnSnapshot: func(s *engine.Snapshot) {
			last.Store(s.AsOf.UnixNano())
			select {
			case snapc <- struct{}{}:
			default:
			}
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done }()

	waitFor := func(t time.Time) {
		deadline := time.Now().Add(60 * time.Second)
		for last.Load() < t.UnixNano() {
			if time.Now().After(deadline) {
				b.Fatalf("the engine did not reach %v (at %v); transcript %v", t, time.Unix(0, last.Load()), srv.Transcript()[:min(8, len(srv.Transcript()))])
			}
			clk.Advance(100 * time.Millisecond) // let the feed's batch timer fire
			select {                            // the next snapshot, or a bounded wait for one
			case <-snapc:
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	waitFor(start.Add(-time.Minute)) // the back-fill reached the engine

	// Frames of one minute, encoded before timing.
	type window struct{ frames []string }
	minute := func(m int) []window {
		t0 := start.Add(time.Duration(m) * time.Minute)
		ws := make([]window, 600)
		var bars []engine.Bar
		for i, s := range syms {
			p := 50 + float64(i%100) + float64(m%7)/10
			bars = append(bars, engine.Bar{Symbol: s, Time: t0.Add(-time.Minute), Open: p, High: p + 0.1, Low: p - 0.1, Close: p, Volume: 1200})
		}
		for k := 0; k < nsym; k += 100 {
			ws[0].frames = append(ws[0].frames, alpacafake.BarFrame(false, bars[k:k+100]...))
		}
		for w := range ws {
			var tr []alpacafake.Trade
			for j := range 5 {
				k := (w*5 + j) % ntrade
				tr = append(tr, alpacafake.Trade{Symbol: syms[k], Price: 50 + float64(k%100) + float64(w%9)/100, Size: 100})
			}
			ws[w].frames = append(ws[w].frames, alpacafake.TradeFrame(t0.Add(time.Duration(w)*100*time.Millisecond), tr...))
		}
		return ws
	}
	mins := make([][]window, b.N)
	for i := range mins {
		mins[i] = minute(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	c0, w0 := cpuTime(), time.Now()
	for i := range b.N {
		for _, w := range mins[i] {
			for _, fr := range w.frames {
				srv.Push(fr)
			}
			clk.Advance(100 * time.Millisecond)
		}
	}
	waitFor(start.Add(time.Duration(b.N-1)*time.Minute + 59*time.Second))
	b.StopTimer()
	cpu := cpuTime() - c0
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/minute")
	b.ReportMetric(100*cpu.Seconds()/float64(b.N)/60, "cpu-%/core")
	b.ReportMetric(float64(time.Since(w0).Milliseconds())/float64(b.N), "wall-ms/minute")
	if strings.Contains(strings.Join(srv.Transcript(), " "), "drop") {
		b.Fatal("the connection dropped")
	}
}
