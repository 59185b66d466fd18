package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds/alpaca"
	"github.com/capwatch/capwatch/feeds/alpaca/alpacafake"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/dashboard"
	"github.com/capwatch/capwatch/tui"
)

// TestAlpacaIEXVolumeIsHonest runs `--feed alpaca` on the free IEX plan
// against the in-process fake Alpaca service, through the pipeline, the
// engine and the dashboard read back through a virtual terminal. IEX
// trades about 3 % of the consolidated volume. Yesterday IWM closed up on
// twice its average volume: small_volume_surge confirmed.
//
//   - 09:40, before any consolidated minute is 15 minutes old: today's
//     volume is IEX's only. RVOL is marked partial (≥ on screen, JSON
//     rvol_partial) and the surge flag is held at yesterday's close with
//     "vol partial" — not fading because IEX is a few per cent.
//   - 10:00, consolidated to 09:45: RVOL is the consolidated volume paced
//     to 09:45, 180,000 ÷ (1,050,000 × 0.09) = 1.90, nothing partial, and
//     the surge holds on it. (Pacing "SIP to 09:45 plus IEX since" to 10:00
//     read 1.18 and faded the flag.)
func TestAlpacaIEXVolumeIsHonest(t *testing.T) {
	ny := calendar.Location()
	day := time.Date(2026, 3, 4, 0, 0, 0, 0, ny) // a Wednesday
	at := func(h, m, s int) time.Time {
		return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
	}
	clk := clock.NewFake(at(9, 40, 0))
	srv := alpacafake.New(alpacafake.Options{KeyID: "k", Secret: "s", Now: clk.Now})
	t.Cleanup(srv.Close)

	cfg := config.Default()
	cfg.Feed = "alpaca"
	cfg.Watchlist.Symbols = nil
	cfg.Sectors.Pairs = []engine.SectorPair{{Name: "Technology", Small: "PSCT", Large: "XLK"}}
	ec := cfg.Engine()
	cal := calendar.NYSE()
	// 30 days of consolidated daily history; IWM's last day closed up on
	// twice the volume (the mean of the 20 days before today: 1,050,000).
	for _, sym := range ec.Symbols() {
		var bars []engine.Bar
		d := cal.PrevTradingDate(day)
		for range 30 {
			bars = append([]engine.Bar{{Symbol: sym, Time: d, Open: 100, High: 100.5, Low: 99.5, Close: 100, Volume: 1e6}}, bars...)
			d = cal.PrevTradingDate(d)
		}
		if sym == "IWM" {
			bars[29].Close, bars[29].High, bars[29].Volume = 101, 101.2, 2e6
		}
		srv.SetBars("sip", "1Day", sym, bars)
	}
	// Today's minutes: 12,000 shares a minute consolidated, 360 on IEX.
	var sip, iex []engine.Bar
	for m := at(9, 30, 0); m.Before(at(10, 0, 0)); m = m.Add(time.Minute) {
		sip = append(sip, engine.Bar{Symbol: "IWM", Time: m, Open: 101.5, High: 101.6, Low: 101.4, Close: 101.5, Volume: 12_000})
		iex = append(iex, engine.Bar{Symbol: "IWM", Time: m, Open: 101.5, High: 101.6, Low: 101.4, Close: 101.5, Volume: 360})
	}
	srv.SetBars("sip", "1Min", "IWM", sip)
	srv.SetBars("iex", "1Min", "IWM", iex[:10]) // the back-fill at 09:40

	feed, err := alpaca.New(alpaca.Options{
		FeedOptions: httpx.FeedOptions{BaseURL: srv.URL(), Client: srv.Client(), Clock: clk, RatePerSec: 1000, Burst: 1000},
		KeyID:       "k", SecretKey: "s", StreamURL: srv.StreamURL(), BatchEvery: -1, TradeFirst: []string{"IWM", "SPY"},
		PingEvery: 24 * time.Hour, // the fake clock jumps ahead of the socket: no pings
	})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(ec, cal)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d, err := dashboard.New(ctx, dashboard.Options{
		Feed: feed, Engine: eng, Config: cfg, Symbols: ec.Symbols(), Clock: clk,
		ProgramOptions: []tea.ProgramOption{tea.WithColorProfile(colorprofile.ANSI256), tea.WithEnvironment([]string{"TERM=xterm-256color"})},
	})
	if err != nil {
		t.Fatal(err)
	}
	const w, h = 120, 40
	tm := teatest.NewTestModel(t, d.Model, teatest.WithInitialTermSize(w, h), teatest.WithProgramOptions(d.ProgramOptions...))
	em := vt.NewEmulator(w, h)
	drained := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, em); close(drained) }()
	var (
		mu   sync.Mutex
		last *engine.Snapshot
	)
	pipeDone := make(chan error, 1)
	go func() {
		pipeDone <- d.RunPipeline(ctx, func(msg tea.Msg) {
			if s, ok := msg.(tui.SnapshotMsg); ok {
				mu.Lock()
				last = s.Snap
				mu.Unlock()
			}
			tm.Send(msg)
		})
	}()
	t.Cleanup(func() {
		_ = tm.Quit()
		tm.WaitFinished(t, teatestTimeout())
		cancel()
		if err := <-pipeDone; err != nil {
			t.Errorf("pipeline: %v", err)
		}
		if c, ok := em.InputPipe().(io.Closer); ok {
			_ = c.Close()
			<-drained
		}
	})
	snap := func() *engine.Snapshot {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
	screen := func() string {
		b, _ := io.ReadAll(tm.Output())
		if len(b) > 0 {
			_, _ = em.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")))
		}
		return em.String()
	}
	// until waits (bounded) until cond holds for the newest snapshot and
	// the screen.
	until := func(what string, cond func(*engine.Snapshot, string) bool) (*engine.Snapshot, string) {
		t.Helper()
		var s *engine.Snapshot
		var scr string
		if !poll(wait, func() bool {
			s, scr = snap(), screen()
			return s != nil && cond(s, scr)
		}) {
			t.Fatalf("never %s; at %v the screen:\n%s", what, clk.Now(), scr)
		}
		return s, scr
	}
	iwm := func(s *engine.Snapshot) engine.SymbolSnapshot { x, _ := s.Symbol("IWM"); return x }
	surge := func(s *engine.Snapshot) engine.Flag { f, _ := s.Flag(engine.FlagSmallVolumeSurge); return f }
	line := func(scr, has string) string {
		for _, l := range strings.Split(scr, "\n") {
			if strings.Contains(l, has) {
				return l
			}
		}
		return ""
	}

	// 09:40: IEX only.
	if err := srv.WaitEvent(ctx, "subscribed", 1); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitEvent(ctx, "rest 1Min iex", 1); err != nil {
		t.Fatal(err)
	}
	srv.Push(alpacafake.TradeFrame(at(9, 40, 1), alpacafake.Trade{Symbol: "IWM", Price: 101.5, Size: 100}))
	s, scr := until("an IEX-only forming day of IWM on screen", func(s *engine.Snapshot, scr string) bool {
		return iwm(s).RVOLPace.Valid && strings.Contains(line(scr, "Small volume surge"), "vol partial")
	})
	if x := iwm(s); !x.RVOLPartial || !x.RVOLAsOf.IsZero() {
		t.Errorf("09:40: IWM RVOL %+v paced %+v partial %v as of %v; want partial", x.RVOL20, x.RVOLPace, x.RVOLPartial, x.RVOLAsOf)
	}
	if f := surge(s); f.State != engine.FlagConfirmed || f.Value.Valid || !f.Partial {
		t.Errorf("09:40: surge %v value %+v partial %v; want held confirmed, no live value, partial", f.State, f.Value, f.Partial)
	}
	if l := line(scr, "Small volume surge"); !strings.Contains(l, "● confirmed") {
		t.Errorf("09:40: flags line %q: want ● confirmed (held), vol partial", l)
	}
	if l := line(scr, "│IWM "); !strings.Contains(l, "≥0.") {
		t.Errorf("09:40: quotes line %q: want the rvol marked ≥ (a lower bound)", l)
	}
	if !strings.Contains(scr, "≥ rvol: partial volume") || !strings.Contains(scr, "vol partial") {
		t.Errorf("09:40: the screen does not say what ≥ means or that volume is partial:\n%s", scr)
	}
	// The marks stay at 80×24.
	em.Resize(80, 24)
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	until("the surge marked partial at 80×24 (no value column: in the label)", func(_ *engine.Snapshot, scr string) bool {
		return strings.Contains(line(scr, "Surge (vol partial)"), "● confirmed")
	})
	em.Resize(w, h)
	tm.Send(tea.WindowSizeMsg{Width: w, Height: h})
	var doc struct {
		Symbols []struct {
			Symbol  string  `json:"symbol"`
			Partial bool    `json:"rvol_partial"`
			AsOf    *string `json:"rvol_as_of"`
		} `json:"symbols"`
		Flags []struct {
			ID      string   `json:"id"`
			Partial bool     `json:"partial"`
			Value   *float64 `json:"value"`
		} `json:"flags"`
		Provenance struct {
			Partial bool    `json:"volume_partial"`
			To      *string `json:"volume_consolidated_to"`
		} `json:"provenance"`
	}
	var buf bytes.Buffer
	if err := app.WriteJSON(&buf, s); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Symbols[0].Symbol != "IWM" || !doc.Symbols[0].Partial || doc.Symbols[0].AsOf != nil {
		t.Errorf("09:40 JSON: %+v", doc.Symbols[0])
	}
	for _, f := range doc.Flags {
		if f.ID == engine.FlagSmallVolumeSurge && (!f.Partial || f.Value != nil) {
			t.Errorf("09:40 JSON surge: partial %v value %v", f.Partial, f.Value)
		}
	}
	if !doc.Provenance.Partial || doc.Provenance.To == nil || *doc.Provenance.To != at(9, 30, 0).Format(time.RFC3339) {
		t.Errorf("09:40 JSON provenance: %+v", doc.Provenance)
	}

	// To 10:00: the stream's IEX minutes to 09:59; at 10:00 the minute
	// sync replaces those 15 minutes old (to 09:45) by consolidated ones.
	srv.Push(alpacafake.BarFrame(false, iex[10:]...))
	until("the IEX minutes to 09:59", func(s *engine.Snapshot, _ string) bool { return !iwm(s).DataTime.Before(at(9, 59, 0)) })
	clk.Advance(at(10, 0, 0).Sub(clk.Now()))
	srv.Push(alpacafake.TradeFrame(at(10, 0, 1), alpacafake.Trade{Symbol: "IWM", Price: 101.5, Size: 100}))
	s, scr = until("IWM's RVOL on the volume consolidated to 09:45", func(s *engine.Snapshot, scr string) bool {
		return iwm(s).RVOLAsOf.Equal(at(9, 45, 0)) && strings.Contains(line(scr, "Small volume surge"), "×") && strings.Contains(scr, "│IWM ")
	})
	x := iwm(s)
	if want := 180_000 / (1_050_000 * 0.09); x.RVOLPartial || x.RVOL20 != engine.Some(180_000.0/1_050_000) || !near(x.RVOLPace.V, want) {
		t.Errorf("10:00: IWM RVOL20 %+v RVOLPace %+v partial %v; want %v, %v, not partial", x.RVOL20, x.RVOLPace, x.RVOLPartial, 180_000.0/1_050_000, want)
	}
	if f := surge(s); f.State != engine.FlagConfirmed || f.Value != x.RVOLPace || f.Partial {
		t.Errorf("10:00: surge %v value %+v partial %v; want confirmed on the consolidated pace", f.State, f.Value, f.Partial)
	}
	if l := line(scr, "Small volume surge"); !strings.Contains(l, "● confirmed") || !strings.Contains(l, "1.90× vs 1.50×") {
		t.Errorf("10:00: flags line %q", l)
	}
	if l := line(scr, "│IWM "); !strings.Contains(l, " 1.9 ") || strings.Contains(l, "≥") {
		t.Errorf("10:00: quotes line %q: want rvol 1.9, not marked", l)
	}
	if strings.Contains(scr, "≥ rvol") {
		t.Errorf("10:00: the partial note is still on screen:\n%s", scr)
	}
}

func near(a, b float64) bool { return a-b < 1e-9*b && b-a < 1e-9*b }
