// Package signals keeps capwatch's record of breakout signals and rings the
// alerts.
//
// Every flag state change (off, forming, confirmed, fading; see Tracker for
// which are recorded when) becomes one JSON line in an append-only log: one
// write per line, synced, never rewritten, rotated by size with the old files
// kept. One process at a time writes a log (a lock file beside it). Demo and
// replay runs write to their own files, never to the live one. On start the
// log is read back so that a restart does not announce again what was
// already recorded; a torn last line (a crash mid-write) is skipped and
// reported.
package signals

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Record is one flag state change, or (Kind "rotation") one quadrant
// change of the rotation map: one line of the signal log.
type Record struct {
	// Kind is "" for a flag change, KindRotation for a quadrant change of a
	// small-vs-large rotation entry on a weekly close (Flag is then
	// RotationID(sector), From/To quadrant names, Since the week's date,
	// BarTime that day's session close, Closed true, no value).
	Kind      string    `json:"kind,omitempty"`
	Flag      string    `json:"flag"`
	From      string    `json:"from"`      // previous state: off, forming, confirmed, fading
	To        string    `json:"to"`        // new state
	Value     *float64  `json:"value"`     // the flag's value at the change (null when absent): on a closed bar, that bar's
	Threshold float64   `json:"threshold"` // the level it was compared against (on a closed bar, that bar's)
	Since     string    `json:"since"`     // YYYY-MM-DD of the first bar of the run ("" when off)
	BarTime   time.Time `json:"bar_time"`  // exchange time of the change: a closed bar's session close, or when a live state began
	Seen      time.Time `json:"seen"`      // when capwatch saw the change (wall clock)
	Feed      string    `json:"feed"`      // demo, replay, yahoo, stooq
	Simulated bool      `json:"simulated"` // true for demo and replay data
	Text      string    `json:"text"`      // the flag's one line of meaning
	Initial   bool      `json:"initial"`   // found in the history at start-up (however late it came), not seen changing live
	Closed    bool      `json:"closed"`    // the change is on a closed daily bar (a confirmation or its end), not on the live bar
	// Note says why the state reads as it does beside the value when the
	// comparison alone does not (engine.Flag.Note): "down day" for a volume
	// surge that is off above its threshold, "thrust 2025-11-18" for the
	// thrust that holds breadth_thrust, sector_breadth's missing coverage.
	Note string `json:"note,omitempty"`
}

// DefaultMaxSize is the size at which a log file is rotated.
const DefaultMaxSize = 4 << 20

// Log is an append-only, size-rotated JSON-lines file. It is not safe for
// concurrent use; one goroutine owns it.
type Log struct {
	path    string
	maxSize int64
	logger  *slog.Logger
	f       *os.File
	lockF   *os.File // the held lock file (path.lock)
	size    int64
	last    map[string]Record
}

// FileName returns the log file name for a feed: live feeds share
// signals.jsonl; demo and replay runs get their own file so simulated signals
// never mix with real ones.
func FileName(feed string, simulated bool) string {
	if simulated {
		return "signals-" + sanitizeName(feed) + ".jsonl"
	}
	return "signals.jsonl"
}

func sanitizeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return -1
	}, strings.ToLower(s))
	if s == "" {
		s = "sim"
	}
	return s
}

// DefaultDir is the user's state directory for capwatch: $XDG_STATE_HOME/capwatch
// (default ~/.local/state/capwatch) on Linux and other Unixes,
// %LocalAppData%/capwatch on Windows and ~/Library/Application Support/capwatch
// on macOS. getenv and home are injected for tests.
func DefaultDir(goos string, getenv func(string) string, home string) (string, error) {
	switch goos {
	case "windows":
		if d := getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "capwatch"), nil
		}
	case "darwin":
		if home != "" {
			return filepath.Join(home, "Library", "Application Support", "capwatch"), nil
		}
	default:
		if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, "capwatch"), nil
		}
		if home != "" {
			return filepath.Join(home, ".local", "state", "capwatch"), nil
		}
	}
	return "", errors.New("signals: cannot find a state directory (set XDG_STATE_HOME or use --signal-log)")
}

// Open opens (creating if needed) the log at path, reads back the last
// recorded state of every flag, and positions for appending. A torn last line
// is ignored with a warning; maxSize ≤ 0 means DefaultMaxSize.
//
// One capwatch at a time records a log: Open holds a lock (path.lock) until
// Close, and fails with a *LockedError (errors.Is ErrLocked) while another
// process holds it.
func Open(path string, maxSize int64, logger *slog.Logger) (l *Log, err error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("signals: create log directory: %w", err)
	}
	lf, err := lock(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lf.Close()
		}
	}()
	l = &Log{path: path, maxSize: maxSize, logger: logger, last: map[string]Record{}, lockF: lf}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("signals: read log: %w", err)
	}
	recs, bad := parse(data, path)
	for _, where := range bad {
		logger.Warn("signal log: ignoring a line that does not parse (torn by a crash mid-write?)", "at", where)
	}
	torn := len(data) > 0 && data[len(data)-1] != '\n'
	// A flag's last change may sit in an older, rotated file.
	older, err := rotated(path)
	if err != nil {
		return nil, err
	}
	for _, name := range older {
		old, _, err := readFile(name)
		if err != nil {
			logger.Warn("signal log: cannot read a rotated file", "path", name, "err", err)
			continue
		}
		for _, r := range old {
			l.last[r.Flag] = r
		}
	}
	for _, r := range recs {
		l.last[r.Flag] = r
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("signals: open log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("signals: stat log: %w", err)
	}
	l.f, l.size = f, st.Size()
	if torn {
		// Start the next record on a fresh line so the torn bytes stay isolated.
		if err := l.write([]byte("\n")); err != nil {
			f.Close()
			return nil, err
		}
	}
	return l, nil
}

// Path is the file being appended to.
func (l *Log) Path() string { return l.path }

// Last returns the last recorded state of every flag (read back at Open and
// updated by Append).
func (l *Log) Last() map[string]Record {
	out := make(map[string]Record, len(l.last))
	for k, v := range l.last {
		out[k] = v
	}
	return out
}

// Append writes one record as one line with a single write, then syncs. The
// file is rotated first if the line would take it past the size limit.
func (l *Log) Append(r Record) error {
	if l.f == nil {
		return errors.New("signals: log is closed")
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("signals: encode record: %w", err)
	}
	line = append(line, '\n')
	if l.size > 0 && l.size+int64(len(line)) > l.maxSize {
		if err := l.rotate(); err != nil {
			return err
		}
	}
	if err := l.write(line); err != nil {
		return err
	}
	l.last[r.Flag] = r
	return nil
}

func (l *Log) write(b []byte) error {
	n, err := l.f.Write(b)
	l.size += int64(n)
	if err != nil {
		return fmt.Errorf("signals: append: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("signals: sync: %w", err)
	}
	return nil
}

// rotate renames the current file to path.N (N one more than the highest
// existing) and starts a new one. Old files are kept.
func (l *Log) rotate() error {
	files, err := rotated(l.path)
	if err != nil {
		return err
	}
	next := 1
	if len(files) > 0 {
		next = rotationIndex(l.path, files[len(files)-1]) + 1
	}
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("signals: rotate: %w", err)
	}
	l.f = nil
	if err := os.Rename(l.path, l.path+"."+strconv.Itoa(next)); err != nil {
		return fmt.Errorf("signals: rotate: %w", err)
	}
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("signals: rotate: %w", err)
	}
	l.f, l.size = f, 0
	l.logger.Info("signal log rotated", "path", l.path, "kept", l.path+"."+strconv.Itoa(next))
	return nil
}

// Close closes the file and releases the lock.
func (l *Log) Close() error {
	var err error
	if l.f != nil {
		err = l.f.Close()
		l.f = nil
	}
	if l.lockF != nil {
		l.lockF.Close()
		l.lockF = nil
	}
	return err
}

// rotated lists path.1, path.2, … oldest first.
func rotated(path string) ([]string, error) {
	matches, err := filepath.Glob(globEscape(path) + ".*")
	if err != nil {
		return nil, fmt.Errorf("signals: list rotated logs: %w", err)
	}
	var out []string
	for _, m := range matches {
		if rotationIndex(path, m) > 0 {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return rotationIndex(path, out[i]) < rotationIndex(path, out[j]) })
	return out, nil
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

func rotationIndex(path, name string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(name, path+"."))
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// readFile reads the records of one file. Lines that do not parse (a torn
// last line after a crash mid-write, which a later Open isolates behind a
// newline) are skipped and reported as "file:line" strings.
func readFile(path string) (recs []Record, bad []string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	recs, bad = parse(data, path)
	return recs, bad, nil
}

func parse(data []byte, name string) (recs []Record, bad []string) {
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil || r.Flag == "" {
			bad = append(bad, name+":"+strconv.Itoa(i+1))
			continue
		}
		recs = append(recs, r)
	}
	return recs, bad
}

// ReadAll reads every record of the log at path, rotated files first (oldest
// first). Lines that do not parse (a torn last line) are skipped; Read says
// which.
func ReadAll(path string) ([]Record, error) {
	recs, _, err := Read(path)
	return recs, err
}

// Read is ReadAll that also returns the lines it skipped because they do
// not parse, as "file:line" in reading order.
func Read(path string) (recs []Record, skipped []string, err error) {
	files, err := rotated(path)
	if err != nil {
		return nil, nil, err
	}
	files = append(files, path)
	found := false
	for _, f := range files {
		rs, bad, err := readFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		found = true
		recs = append(recs, rs...)
		skipped = append(skipped, bad...)
	}
	if !found {
		return nil, nil, fmt.Errorf("signals: no signal log at %s: %w", path, os.ErrNotExist)
	}
	return recs, skipped, nil
}
