package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/internal/signals"
)

// TestSecondDashboardTakesOverTheLog (QA-1 item 15): a dashboard whose
// signal log another capwatch records rings its own bell but records
// nothing and does not run alerts.command (the recording one does); it
// tries to take the log every LockRetry of its clock (a timer, not a
// loop); when the holder changes, its note names the new one; when the
// holder quits, it takes the log, says so, records from then on (nothing
// the other wrote twice) and runs the command again. Three logs in one
// process (flock locks per open file), on a fake clock.
func TestSecondDashboardTakesOverTheLog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "signals-demo.jsonl")
		holder := openSignalLog(t, path) // dashboard A
		_, err := signals.Open(path, 0, nil)
		if !errors.Is(err, signals.ErrLocked) {
			t.Fatalf("second open: %v, want locked", err)
		}
		tries := 0
		reopen := func() (*signals.Log, error) {
			tries++
			return signals.Open(path, 0, nil)
		}
		const (
			changeAt = 60  // A quits, C takes the log at once (before B's next try)
			quitAt   = 100 // C quits
			steps    = 200
		)
		var third *signals.Log
		before := func(step int) {
			switch step {
			case changeAt:
				holder.Close()
				if third, err = signals.Open(path, 0, nil); err != nil {
					t.Fatal(err)
				}
				// C is another process: its pid in the lock file.
				if err := os.WriteFile(path+".lock", []byte("4242\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			case quitAt:
				third.Close()
			}
		}
		argv := []string{"notify-send", "capwatch"}
		r := runDemo(t, runOpts{wall: wallStart, steps: steps, reopen: reopen, notRecording: NotRecording(err), before: before,
			alerts: signals.AlertOptions{Enabled: true, OnForming: true, OnFading: true, Every: time.Nanosecond, Command: argv, Timeout: 5 * time.Second}})

		// B tried every 5 s of its clock until it had the log: at 5, 10, …,
		// 105 s (C quit before the step to 101 s), then never again.
		took := wallStart.Add(105 * time.Second)
		if want := 105 / int(DefaultLockRetry/time.Second); tries != want {
			t.Errorf("%d tries to take the log, want %d (one every %v until it is free)", tries, want, DefaultLockRetry)
		}
		var notes []string
		var bellsBefore, bellsAfter int
		for _, n := range r.Notices() {
			if n.Note != nil {
				notes = append(notes, fmt.Sprintf("%v %v %s", n.At.Sub(wallStart), n.Note.Info, n.Note.Text))
			}
			if n.Text != "" {
				if n.At.Before(took) {
					bellsBefore++
				} else {
					bellsAfter++
				}
			}
		}
		wantNotes := []string{
			"1m5s false signals not recorded here: another capwatch (pid 4242) records signals-demo.jsonl",
			"1m45s true signals recorded here now (signals-demo.jsonl)",
		}
		if strings.Join(notes, "\n") != strings.Join(wantNotes, "\n") {
			t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(notes, "\n"), strings.Join(wantNotes, "\n"))
		}
		// The bell rang here all along; the command only once B recorded.
		if bellsBefore == 0 || bellsAfter == 0 {
			t.Fatalf("bells %d before and %d after the take-over: the test exercises too little", bellsBefore, bellsAfter)
		}
		for _, at := range r.cmdAt {
			if at.Before(took) {
				t.Errorf("alert command run at %v, while another capwatch recorded the log", at.Sub(wallStart))
			}
		}
		if len(r.cmdAt) == 0 {
			t.Error("no alert command after the take-over")
		}
		t.Logf("bells %d before, %d after the take-over; %d commands", bellsBefore, bellsAfter, len(r.cmdAt))
		// The log: only B's lines, all from the take-over on, none twice.
		recs := readLog(t, path)
		if len(recs) == 0 {
			t.Fatal("nothing recorded after the take-over")
		}
		seen := map[string]bool{}
		for _, rec := range recs {
			if rec.Seen.Before(took) {
				t.Errorf("%s %s>%s seen at %v: recorded before B had the log", rec.Flag, rec.From, rec.To, rec.Seen.Sub(wallStart))
			}
			k := fmt.Sprintf("%s %s>%s %v", rec.Flag, rec.From, rec.To, rec.BarTime)
			if seen[k] {
				t.Errorf("recorded twice: %s", k)
			}
			seen[k] = true
		}
		// B holds the lock until its pipeline ends; then it is free.
		l, err := signals.Open(path, 0, nil)
		if err != nil {
			t.Fatalf("after B's pipeline ended: %v", err)
		}
		l.Close()
	})
}
