package fake_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
)

func TestHistoryFiltersAndReportsMissing(t *testing.T) {
	d := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	iwm := []engine.Bar{{Symbol: "IWM", Time: d, Open: 1, High: 2, Low: 0.5, Close: 1.5}}
	f := fake.New(fake.Options{
		Kind: feeds.KindDemo,
		History: feeds.History{
			Daily:  map[string][]engine.Bar{"IWM": iwm, "QQQ": iwm},
			Errors: []engine.SymbolError{{Symbol: "PSCU", Message: "scripted"}},
		},
	})
	if f.Name() != "fake" || f.Kind() != feeds.KindDemo {
		t.Errorf("Name/Kind = %q/%v", f.Name(), f.Kind())
	}
	h, err := f.History(context.Background(), []string{"IWM", "SPY", "PSCU"})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Daily) != 1 || len(h.Daily["IWM"]) != 1 || h.Daily["IWM"][0].Close != 1.5 {
		t.Errorf("Daily = %+v", h.Daily)
	}
	want := []engine.SymbolError{{Symbol: "SPY", Message: "fake: no history for SPY"}, {Symbol: "PSCU", Message: "scripted"}}
	if !slices.Equal(h.Errors, want) {
		t.Errorf("Errors = %+v, want %+v", h.Errors, want)
	}
	// The returned slices are copies.
	h.Daily["IWM"][0].Close = 99
	if iwm[0].Close != 1.5 {
		t.Error("History aliases the scripted bars")
	}
	if f.HistoryCalls() != 1 || !slices.Equal(f.LastSymbols(), []string{"IWM", "SPY", "PSCU"}) {
		t.Errorf("calls %d symbols %v", f.HistoryCalls(), f.LastSymbols())
	}
}

func TestHistoryErr(t *testing.T) {
	boom := errors.New("boom")
	f := fake.New(fake.Options{HistoryErr: boom})
	if _, err := f.History(context.Background(), []string{"IWM"}); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
}

func TestStreamForwardsPushedBatchesInOrder(t *testing.T) {
	f := fake.New(fake.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := make(chan feeds.Batch)
	done := make(chan error, 1)
	sctx, stop := context.WithCancel(ctx)
	go func() { done <- f.Stream(sctx, []string{"IWM"}, out) }()

	go func() {
		for i := uint64(1); i <= 3; i++ {
			if err := f.Push(ctx, feeds.Batch{Seq: i, Quotes: []engine.Quote{{Symbol: "IWM", Price: float64(i)}}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := uint64(1); i <= 3; i++ {
		select {
		case b := <-out:
			if b.Seq != i || b.Quotes[0].Price != float64(i) {
				t.Errorf("batch %d = %+v", i, b)
			}
		case <-ctx.Done():
			t.Fatal("timed out waiting for batch")
		}
	}
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Stream returned %v, want context.Canceled", err)
	}
	if f.StreamCalls() != 1 {
		t.Errorf("StreamCalls = %d", f.StreamCalls())
	}
}

func TestPushWithoutStreamHonoursContext(t *testing.T) {
	f := fake.New(fake.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Push(ctx, feeds.Batch{Seq: 7}); !errors.Is(err, context.Canceled) {
		t.Errorf("Push = %v", err)
	}
}

func TestStreamErr(t *testing.T) {
	boom := errors.New("down")
	f := fake.New(fake.Options{StreamErr: boom})
	if err := f.Stream(context.Background(), nil, make(chan feeds.Batch)); !errors.Is(err, boom) {
		t.Errorf("Stream = %v", err)
	}
}
