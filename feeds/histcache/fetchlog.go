package histcache

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// fetchLogName is the cache's metadata file in each feed directory: per
// symbol, when its history was last fetched from the wrapped feed.
const fetchLogName = "fetched.json"

// fetchRecord is one symbol's entry in the fetch log.
type fetchRecord struct {
	Fetched time.Time `json:"fetched,omitzero"` // the last fetch that returned bars
	Failed  time.Time `json:"failed,omitzero"`  // the last fetch that failed, if after Fetched
	Error   string    `json:"error,omitempty"`  // why it failed (sanitised)
	Fails   int       `json:"fails,omitempty"`  // failed fetches since the last success
}

// readFetchLog reads the fetch log (empty when missing or unreadable: the
// log only saves requests, losing it is harmless).
func (f *Feed) readFetchLog() map[string]fetchRecord {
	m := map[string]fetchRecord{}
	b, err := os.ReadFile(filepath.Join(f.dir, fetchLogName))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			f.o.Logger.Warn("history cache: fetch log unreadable (symbols are fetched again)", "err", err)
		}
		return m
	}
	if err := json.Unmarshal(b, &m); err != nil {
		f.o.Logger.Warn("history cache: fetch log damaged (symbols are fetched again)", "err", err)
		return map[string]fetchRecord{}
	}
	return m
}

// recordFetches merges the outcome of this History's requests into the
// fetch log. The log is read again just before it is replaced, so that
// another process's records of other symbols are kept (a record lost to a
// race costs one request). Not synced: it is a hint, the bars are the data.
func (f *Feed) recordFetches(upd map[string]fetchRecord) {
	if len(upd) == 0 {
		return
	}
	m := f.readFetchLog()
	for s, r := range upd {
		if r.Fetched.IsZero() { // a failure: the last success stays
			r.Fetched, r.Fails = m[s].Fetched, m[s].Fails+1
		}
		m[s] = r
	}
	b, err := json.Marshal(m)
	if err == nil {
		err = writeAtomic(filepath.Join(f.dir, fetchLogName), b, func(*os.File) error { return nil })
	}
	if err != nil {
		f.o.Logger.Warn("history cache: fetch log not written", "err", err)
	}
}

// lastClose is the close of the latest regular session that has ended at
// or before now.
func lastClose(cal *calendar.Calendar, now time.Time) time.Time {
	d := cal.TradingDate(now)
	if _, cl, ok := cal.Session(d); ok && !cl.After(now) {
		return cl
	}
	_, cl, _ := cal.Session(cal.PrevTradingDate(d))
	return cl
}

// Why a symbol is not asked (plan), besides a recent failure's message.
const (
	skipFresh = "\x00fresh" // fetched since the last close (OncePerSession)
	skipLater = "\x00later" // beyond MaxFetch this call
)

// plan decides which symbols this History asks the wrapped feed for: it
// returns the others, by index, with why (skipFresh, skipLater or a recent
// failure's message). Without a policy every symbol is asked.
func (f *Feed) plan(symbols []string, cached [][]engine.Bar, now time.Time) map[int]string {
	skip := map[int]string{}
	if !f.o.OncePerSession && f.o.FailureTTL <= 0 && f.o.MaxFetch <= 0 {
		return skip
	}
	log := f.readFetchLog()
	closed := lastClose(f.o.Calendar, now)
	budget := f.o.MaxFetch
	for i, s := range symbols {
		if why := f.skipReason(log[s], len(cached[i]) > 0, now, closed); why != "" {
			skip[i] = why
			continue
		}
		if f.o.MaxFetch > 0 {
			if budget == 0 {
				skip[i] = skipLater
				continue
			}
			budget--
		}
	}
	return skip
}

// skipReason says why symbol (with cached bars or not, and the fetch log's
// record r) is not asked of the wrapped feed at now under the Options'
// policy, or "" when it is asked. closed is the last session's close.
//
// With OncePerSession a symbol is asked at most once per session, judged
// by its last fetch, failed or not: a halted symbol (old bars) or a
// delisted one (now failing) is not asked again before the next close.
// A symbol that has nothing cached and failed is asked again after
// FailureTTL, doubling with each failure (up to a day): a source that was
// down for a moment must not leave it empty all session, and a symbol
// that does not exist must not be asked on every call.
func (f *Feed) skipReason(r fetchRecord, cached bool, now, closed time.Time) string {
	failedLast := r.Failed.After(r.Fetched)
	switch {
	case failedLast && cached && f.o.OncePerSession && !r.Failed.Before(closed):
		return r.Error
	case failedLast && f.o.FailureTTL > 0 && now.Sub(r.Failed) < failureBackoff(f.o.FailureTTL, r.Fails):
		return r.Error
	case !failedLast && cached && f.o.OncePerSession && !r.Fetched.Before(closed):
		return skipFresh // nothing has closed since it was fetched
	}
	return ""
}

// failureBackoff is how long a symbol is not asked after its fails-th
// failure in a row: ttl, doubling, at most a day.
func failureBackoff(ttl time.Duration, fails int) time.Duration {
	d := ttl
	for i := 1; i < fails && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour)
}
