package histcache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// The cache file format (version 1), little-endian:
//
//	offset 0   magic "CWHC"
//	       4   uint32 version (1)
//	       8   uint32 n, the number of bars
//	      12   uint32 reserved (0)
//	      16   n records of 48 bytes: int64 unix seconds of the bar's Time
//	           (midnight New York of its trading date), then float64 Open,
//	           High, Low, Close, Volume
//	16+48n     uint32 CRC-32C (Castagnoli) of every byte before it
//
// The file's size must be exactly 20+48n, the CRC must match, the times must
// increase strictly and every number must be finite: anything else (a
// truncated write, garbage, another version) makes the file corrupt. A binary
// layout keeps loading 30 years × 20 symbols to a few milliseconds and makes
// a torn file detectable; `capwatch` never needs to show it to a person.
const (
	magic      = "CWHC"
	version    = 1
	headerSize = 16
	recordSize = 48
	crcSize    = 4
	fileExt    = ".bars"
	// maxBars bounds a file: 200 years of trading days, far beyond any series.
	maxBars = 200 * 260
)

// errCorrupt marks a cache file that cannot be trusted.
var errCorrupt = errors.New("corrupt cache file")

// encode serialises bars (oldest first; the caller has validated them).
func encode(bars []engine.Bar) []byte {
	buf := make([]byte, headerSize+recordSize*len(bars)+crcSize)
	copy(buf, magic)
	le := binary.LittleEndian
	le.PutUint32(buf[4:], version)
	le.PutUint32(buf[8:], uint32(len(bars)))
	p := buf[headerSize:]
	for _, b := range bars {
		le.PutUint64(p[0:], uint64(b.Time.Unix()))
		le.PutUint64(p[8:], math.Float64bits(b.Open))
		le.PutUint64(p[16:], math.Float64bits(b.High))
		le.PutUint64(p[24:], math.Float64bits(b.Low))
		le.PutUint64(p[32:], math.Float64bits(b.Close))
		le.PutUint64(p[40:], math.Float64bits(b.Volume))
		p = p[recordSize:]
	}
	n := len(buf) - crcSize
	le.PutUint32(buf[n:], crc32.Checksum(buf[:n], crc32.MakeTable(crc32.Castagnoli)))
	return buf
}

// decode parses a cache file into daily bars of symbol, keyed by midnight
// New York (the same Time values the feeds produce). Every failure wraps
// errCorrupt.
func decode(data []byte, symbol string) ([]engine.Bar, error) {
	if len(data) < headerSize+crcSize {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the header", errCorrupt, len(data))
	}
	if string(data[:4]) != magic {
		return nil, fmt.Errorf("%w: not a capwatch history file", errCorrupt)
	}
	le := binary.LittleEndian
	if v := le.Uint32(data[4:]); v != version {
		return nil, fmt.Errorf("%w: format version %d, want %d", errCorrupt, v, version)
	}
	n := int(le.Uint32(data[8:]))
	if n > maxBars || len(data) != headerSize+recordSize*n+crcSize {
		return nil, fmt.Errorf("%w: %d bytes for %d bars (truncated?)", errCorrupt, len(data), n)
	}
	end := len(data) - crcSize
	if crc32.Checksum(data[:end], crc32.MakeTable(crc32.Castagnoli)) != le.Uint32(data[end:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	loc := calendar.Location()
	bars := make([]engine.Bar, n)
	p := data[headerSize:end]
	var prev int64
	for i := range bars {
		sec := int64(le.Uint64(p[0:]))
		if i > 0 && sec <= prev {
			return nil, fmt.Errorf("%w: bar %d is not after bar %d", errCorrupt, i, i-1)
		}
		prev = sec
		b := engine.Bar{
			Symbol: symbol,
			Time:   time.Unix(sec, 0).In(loc),
			Open:   math.Float64frombits(le.Uint64(p[8:])),
			High:   math.Float64frombits(le.Uint64(p[16:])),
			Low:    math.Float64frombits(le.Uint64(p[24:])),
			Close:  math.Float64frombits(le.Uint64(p[32:])),
			Volume: math.Float64frombits(le.Uint64(p[40:])),
		}
		if !finite(b.Open) || !finite(b.High) || !finite(b.Low) || !finite(b.Close) || !finite(b.Volume) {
			return nil, fmt.Errorf("%w: bar %d has a non-finite value", errCorrupt, i)
		}
		bars[i] = b
		p = p[recordSize:]
	}
	return bars, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// cacheable reports why bars cannot be stored ("" when they can): times
// must increase strictly and values must be finite.
func cacheable(bars []engine.Bar) string {
	for i, b := range bars {
		if i > 0 && !b.Time.After(bars[i-1].Time) {
			return fmt.Sprintf("bar %d (%s) is not after bar %d", i, b.Date(), i-1)
		}
		if !finite(b.Open) || !finite(b.High) || !finite(b.Low) || !finite(b.Close) || !finite(b.Volume) {
			return fmt.Sprintf("bar %d (%s) has a non-finite value", i, b.Date())
		}
	}
	if len(bars) > maxBars {
		return fmt.Sprintf("%d bars, more than %d", len(bars), maxBars)
	}
	return ""
}

// fileName maps a symbol to a file name that cannot leave its directory and
// cannot collide on a case-insensitive file system: upper-case letters,
// digits and '-' are kept, every other byte becomes _XX (hex), and a
// Windows device name (CON, NUL, COM1, …) gets a leading '_'.
func fileName(symbol string) (string, error) {
	if symbol == "" || len(symbol) > 64 {
		return "", fmt.Errorf("histcache: file name of %q: a symbol has 1 to 64 bytes", symbol)
	}
	name := escape(symbol, func(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' })
	if reservedName(name) {
		name = "_" + name
	}
	return name + fileExt, nil
}

// dirName maps a feed's name to a directory name ("yahoo" stays "yahoo").
func dirName(feed string) string {
	if feed == "" {
		return "_"
	}
	name := escape(feed, func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' })
	if reservedName(strings.ToUpper(name)) {
		name = "_" + name
	}
	return name
}

func escape(s string, keep func(byte) bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keep(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('_')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// reservedName reports Windows device names (upper case).
func reservedName(s string) bool {
	switch s {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(s) == 4 && (strings.HasPrefix(s, "COM") || strings.HasPrefix(s, "LPT")) && s[3] >= '0' && s[3] <= '9' {
		return true
	}
	return false
}

// writeAtomic replaces path with data: a temporary file in the same
// directory is written, synced (sync), closed and renamed over path, and the
// directory is synced. On any failure the temporary file is removed and path
// is left as it was.
func writeAtomic(path string, data []byte, sync func(*os.File) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("histcache: write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("histcache: write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("histcache: write %s: %w", path, err)
	}
	if err := sync(tmp); err != nil {
		return fmt.Errorf("histcache: sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("histcache: close %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("histcache: rename %s: %w", path, err)
	}
	// Persist the rename itself. Best effort: some systems (Windows) cannot
	// open or sync a directory, and the data is already safe in the file.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
