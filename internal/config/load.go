package config

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// EnvVar is the environment variable that names the config file.
const EnvVar = "CAPWATCH_CONFIG"

// APIKeyEnvVar is the environment variable holding an API key for the
// network feeds; it overrides feeds.yahoo.api_key and feeds.stooq.api_key
// from the file (so the key need not be written to disk).
const APIKeyEnvVar = "CAPWATCH_API_KEY"

// StooqAPIKeyEnvVar holds Stooq's download key (feeds.stooq.api_key); it
// overrides the file and CAPWATCH_API_KEY.
const StooqAPIKeyEnvVar = "CAPWATCH_STOOQ_API_KEY"

// The environment variables of Alpaca's keys (the names Alpaca's own tools
// use). When set they override the config file's feeds.alpaca keys.
const (
	AlpacaKeyIDEnvVar  = "APCA_API_KEY_ID"
	AlpacaSecretEnvVar = "APCA_API_SECRET_KEY"
)

// Source tells where the config path came from.
type Source int

// Sources of the config path, in lookup order.
const (
	SourceFlag    Source = iota // --config
	SourceEnv                   // CAPWATCH_CONFIG
	SourceDefault               // os.UserConfigDir()/capwatch/config.toml
	SourceNone                  // no config directory is known: defaults only
)

func (s Source) String() string {
	switch s {
	case SourceFlag:
		return "--config"
	case SourceEnv:
		return EnvVar
	case SourceDefault:
		return "default path"
	}
	return "none"
}

// DefaultPath is configDir/capwatch/config.toml ("" when configDir is "").
func DefaultPath(configDir string) string {
	if configDir == "" {
		return ""
	}
	return filepath.Join(configDir, "capwatch", "config.toml")
}

// Resolve applies the lookup order: flag > env > default path. configDir is
// os.UserConfigDir() (may be "" when unknown).
func Resolve(flagPath string, getenv func(string) string, configDir string) (string, Source) {
	if flagPath != "" {
		return flagPath, SourceFlag
	}
	if getenv != nil {
		if p := getenv(EnvVar); p != "" {
			return p, SourceEnv
		}
	}
	if p := DefaultPath(configDir); p != "" {
		return p, SourceDefault
	}
	return "", SourceNone
}

// Error is a configuration error located in a file: "path:line: message".
type Error struct {
	Path string
	Line int // 0 when unknown
	Msg  string
	Err  error // the underlying error, if any
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	if e.Path != "" {
		return e.Path + ": " + e.Msg
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Loaded is the result of Load.
type Loaded struct {
	Config Config
	Path   string // the file read ("" when defaults only)
	Source Source
	Found  bool     // a file was read
	Warns  []string // e.g. the file is readable by others
}

// Load resolves the config path, reads the file if there is one, and returns
// the validated configuration. A missing default file yields the defaults; a
// missing explicit file (flag or env) is an error. $CAPWATCH_API_KEY, when
// set, overrides the file's API keys; $CAPWATCH_STOOQ_API_KEY overrides
// Stooq's; $APCA_API_KEY_ID and $APCA_API_SECRET_KEY override Alpaca's.
func Load(flagPath string, getenv func(string) string, configDir string) (Loaded, error) {
	l, err := load(flagPath, getenv, configDir)
	if err == nil && getenv != nil {
		if k := strings.TrimSpace(getenv(APIKeyEnvVar)); k != "" {
			l.Config.Feeds.Yahoo.APIKey = Secret(k)
			l.Config.Feeds.Stooq.APIKey = Secret(k)
		}
		if k := strings.TrimSpace(getenv(StooqAPIKeyEnvVar)); k != "" {
			l.Config.Feeds.Stooq.APIKey = Secret(k)
		}
		if k := strings.TrimSpace(getenv(AlpacaKeyIDEnvVar)); k != "" {
			l.Config.Feeds.Alpaca.KeyID = Secret(k)
		}
		if k := strings.TrimSpace(getenv(AlpacaSecretEnvVar)); k != "" {
			l.Config.Feeds.Alpaca.SecretKey = Secret(k)
		}
	}
	return l, err
}

func load(flagPath string, getenv func(string) string, configDir string) (Loaded, error) {
	path, src := Resolve(flagPath, getenv, configDir)
	out := Loaded{Config: Default(), Path: path, Source: src}
	if src == SourceNone {
		return out, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && src == SourceDefault {
			out.Path = ""
			return out, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return out, &Error{Path: path, Msg: fmt.Sprintf("config file not found (named by %s); create it with `capwatch config init --config %s` or fix the path", src, path), Err: err}
		}
		return out, &Error{Path: path, Msg: fmt.Sprintf("read config: %v", err), Err: err}
	}
	out.Found = true
	if w := PermissionWarning(path); w != "" {
		out.Warns = append(out.Warns, w)
	}
	cfg, err := Parse(path, data)
	if err != nil {
		return out, err
	}
	out.Config = cfg
	return out, nil
}

// PermissionWarning returns a warning when the file is readable by group or
// others (it may hold API keys), or "".
func PermissionWarning(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return ""
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Sprintf("%s is readable by group/others (mode %04o); run: chmod 600 %s", path, st.Mode().Perm(), path)
	}
	return ""
}

// Parse decodes TOML data (named name in messages) over the defaults,
// rejects unknown keys and validates. Errors are *Error with the line.
func Parse(name string, data []byte) (Config, error) {
	cfg := Default()
	// Decode lists into fresh slices, not on top of the defaults.
	cfg.Watchlist.Symbols = nil
	cfg.Confirm = nil
	idx := indexLines(data)
	md, err := toml.Decode(string(data), &cfg)
	if err != nil {
		return Default(), decodeError(name, idx, err)
	}
	if !md.IsDefined("watchlist", "symbols") {
		cfg.Watchlist.Symbols = Default().Watchlist.Symbols
	}
	if !md.IsDefined("confirm") {
		cfg.Confirm = Default().Confirm
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0].String()
		return Default(), &Error{Path: name, Line: idx.line(k, 0), Msg: fmt.Sprintf("unknown key %q", k)}
	}
	cfg.Normalize()
	if err := cfg.Validate(); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return Default(), &Error{Path: name, Line: idx.line(fe.Key, fe.Index), Msg: fe.Error(), Err: err}
		}
		return Default(), &Error{Path: name, Msg: err.Error(), Err: err}
	}
	return cfg, nil
}

var (
	lastKeyRE = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "([^"]*)"\): (.*)$`)
	typeRE    = regexp.MustCompile(`incompatible types: TOML value has type (\S+); destination has type (\S+)`)
)

// decodeError turns a BurntSushi/toml error into "path:line: message".
func decodeError(name string, idx lineIndex, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.LastKey != "" {
			msg = fmt.Sprintf("%s: %s", pe.LastKey, pe.Message)
		}
		return &Error{Path: name, Line: pe.Position.Line, Msg: msg, Err: err}
	}
	s := err.Error()
	if m := lastKeyRE.FindStringSubmatch(s); m != nil {
		line, _ := strconv.Atoi(m[1])
		key, msg := m[2], m[3]
		if line == 0 {
			line = idx.line(key, 0)
		}
		if t := typeRE.FindStringSubmatch(msg); t != nil {
			if key == "alerts.command" {
				// The list or one of its elements has the wrong type.
				return &Error{Path: name, Line: line, Err: err,
					Msg: `alerts.command must be a list of strings, e.g. ["notify-send", "capwatch"] (it is never run through a shell)`}
			}
			msg = fmt.Sprintf("wrong type: want %s, got %s", tomlWant(t[2]), tomlGot(t[1]))
		}
		return &Error{Path: name, Line: line, Msg: fmt.Sprintf("%s: %s", key, msg), Err: err}
	}
	return &Error{Path: name, Msg: strings.TrimPrefix(s, "toml: "), Err: err}
}

func tomlGot(t string) string {
	switch t {
	case "int64":
		return "an integer"
	case "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "[]interface", "[]interface {}", "[]any":
		return "an array"
	case "map[string]interface", "map[string]interface {}", "map[string]any":
		return "a table"
	}
	return t
}

func tomlWant(t string) string {
	switch {
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "float"), strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a number"
	case t == "bool", t == "boolean":
		return "true or false"
	case t == "slice", t == "array", strings.HasPrefix(t, "[]"):
		return "an array"
	case t == "time.Duration":
		return `a duration such as "15s"`
	case t == "struct", t == "map", strings.Contains(t, "."):
		return "a table"
	}
	return t
}

// lineIndex maps dotted keys (array-of-table indices dropped) to the lines
// where they are set, in order of appearance.
type lineIndex map[string][]int

// line returns the line of the n-th occurrence of key, falling back to its
// parent keys; 0 when unknown.
func (ix lineIndex) line(key string, n int) int {
	for k := key; k != ""; {
		if ls := ix[k]; len(ls) > 0 {
			if n < len(ls) {
				return ls[n]
			}
			return ls[len(ls)-1]
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k, n = k[:i], 0
	}
	return 0
}

// indexLines is a small, forgiving scanner of TOML keys: table headers,
// array-of-table headers and `key = value` lines (dotted and quoted keys).
// It is only used to put line numbers on messages.
func indexLines(data []byte) lineIndex {
	ix := lineIndex{}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	table := ""
	depth := 0 // open '[' of a multi-line array value
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if depth > 0 {
			depth += bracketDepth(line)
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		if strings.HasPrefix(line, "[") {
			h := strings.TrimPrefix(strings.TrimPrefix(line, "["), "[")
			if i := strings.IndexByte(h, ']'); i >= 0 {
				h = h[:i]
			}
			table = joinKey(splitKey(h))
			ix[table] = append(ix[table], n)
			continue
		}
		eq := strings.IndexByte(line, '=')
		if eq < 0 {
			continue
		}
		k := joinKey(splitKey(line[:eq]))
		if table != "" {
			k = table + "." + k
		}
		ix[k] = append(ix[k], n)
		depth = max(bracketDepth(line[eq+1:]), 0)
	}
	return ix
}

// bracketDepth counts '[' minus ']' outside strings and comments.
func bracketDepth(s string) int {
	d := 0
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return d
		case c == '[':
			d++
		case c == ']':
			d--
		}
	}
	return d
}

func splitKey(s string) []string {
	var parts []string
	var b strings.Builder
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				b.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '.':
			parts = append(parts, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(parts, strings.TrimSpace(b.String()))
}

func joinKey(parts []string) string { return toml.Key(parts).String() }
