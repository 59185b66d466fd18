package histcache

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Summary describes a history cache on disk (for `capwatch doctor`): per
// feed directory, its files, their size and dates, and the files that
// cannot be read back (they are discarded and downloaded again on the next
// start).
type Summary struct {
	Dir   string        `json:"dir"` // Options.Dir/history
	Bytes int64         `json:"bytes"`
	Feeds []FeedSummary `json:"feeds"`
}

// FeedSummary is one feed's part of the cache.
type FeedSummary struct {
	Feed    string    `json:"feed"`
	Symbols int       `json:"symbols"` // readable files
	Bars    int       `json:"bars"`
	Bytes   int64     `json:"bytes"`
	Oldest  time.Time `json:"oldest"`  // the earliest bar of any file (zero if none)
	Newest  time.Time `json:"newest"`  // the latest bar of any file
	Stalest time.Time `json:"stalest"` // the earliest last bar: the symbol updated least recently
	Damaged []string  `json:"damaged"` // symbols whose file is corrupt or unreadable
}

// Inspect summarises the cache under dir (the Options.Dir the feeds use).
// A missing cache is an empty summary, not an error.
func Inspect(dir string) (Summary, error) {
	root := filepath.Join(dir, "history")
	s := Summary{Dir: root, Feeds: []FeedSummary{}}
	feedDirs, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	var buf []byte
	for _, fd := range feedDirs {
		if !fd.IsDir() {
			continue
		}
		sum := FeedSummary{Feed: fd.Name(), Damaged: []string{}}
		files, err := os.ReadDir(filepath.Join(root, fd.Name()))
		if err != nil {
			return s, err
		}
		for _, f := range files {
			name := f.Name()
			if f.IsDir() || !strings.HasSuffix(name, fileExt) || strings.HasPrefix(name, ".") {
				continue
			}
			sym := symbolOf(strings.TrimSuffix(name, fileExt))
			info, err := f.Info()
			if err == nil {
				sum.Bytes += info.Size()
			}
			var data []byte
			data, err = readFile(filepath.Join(root, fd.Name(), name), buf)
			if cap(data) > cap(buf) {
				buf = data
			}
			if err != nil {
				sum.Damaged = append(sum.Damaged, sym)
				continue
			}
			bars, err := decode(data, sym)
			if err != nil {
				sum.Damaged = append(sum.Damaged, sym)
				continue
			}
			sum.Symbols++
			sum.Bars += len(bars)
			if len(bars) == 0 {
				continue
			}
			first, last := bars[0].Time, bars[len(bars)-1].Time
			if sum.Oldest.IsZero() || first.Before(sum.Oldest) {
				sum.Oldest = first
			}
			if last.After(sum.Newest) {
				sum.Newest = last
			}
			if sum.Stalest.IsZero() || last.Before(sum.Stalest) {
				sum.Stalest = last
			}
		}
		sort.Strings(sum.Damaged)
		s.Bytes += sum.Bytes
		s.Feeds = append(s.Feeds, sum)
	}
	return s, nil
}

// symbolOf undoes fileName's escaping ("_5E" → "^", a leading "_" before a
// reserved device name).
func symbolOf(name string) string {
	if strings.HasPrefix(name, "_") && reservedName(name[1:]) {
		return name[1:]
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if name[i] == '_' && i+2 < len(name) {
			if v, err := strconv.ParseUint(name[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(name[i])
	}
	return b.String()
}
