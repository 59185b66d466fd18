package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/capwatch/capwatch/feeds"
	"github.com/charmbracelet/x/ansi"
)

// staleAfter is twice the expected data interval: the longer of
// Options.PollInterval and the feed's current poll interval (which grows
// when the feed backs off); 0 disables the marker.
func (m Model) staleAfter() time.Duration {
	iv := m.opts.PollInterval
	if m.hasStatus && m.status.Interval > iv {
		iv = m.status.Interval
	}
	return 2 * iv
}

// feedOK reports whether the feed is healthy (or has not reported yet).
func (m Model) feedOK() bool { return !m.hasStatus || m.status.State == feeds.StateOK }

// essential is the priority of status parts that are never dropped (data
// time and age, feed health, waiting); they are truncated instead.
const essential = 10

// statusPart is one segment of the status line; the lowest priorities are
// dropped first when the line does not fit.
type statusPart struct {
	text   string
	prio   int
	shrink func(w int) string // the part cut to w cells (nil: dropped, never cut)
}

// alertPrio ranks an alert above the feed name and the session but below
// the essentials; when only essentials are left besides it, it is cut to
// the room left instead of being dropped.
const alertPrio = 9

// statusLine is the top line: feed and badge, pause, the time and age of the
// newest data (never the wall clock), feed health, session countdown. It is
// fitted to w cells by dropping the least important parts.
func (m Model) statusLine(w int) string {
	parts := m.statusParts()
	sep := m.st.Muted.Render(" │ ")
	for {
		var b strings.Builder
		for i, p := range parts {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(p.text)
		}
		s := b.String()
		if len(parts) <= 1 || ansi.StringWidth(s) <= w {
			return s
		}
		drop := 0
		for i, p := range parts {
			if p.prio < parts[drop].prio {
				drop = i
			}
		}
		if parts[drop].prio >= essential {
			return s // only essentials left: the caller truncates
		}
		if p := parts[drop]; p.shrink != nil {
			room := w - (ansi.StringWidth(s) - ansi.StringWidth(p.text))
			if room >= 12 {
				parts[drop] = statusPart{text: p.shrink(room), prio: p.prio}
				continue
			}
		}
		parts = append(parts[:drop:drop], parts[drop+1:]...)
	}
}

func (m Model) statusParts() []statusPart {
	st := m.st
	parts := []statusPart{{st.Title.Render("capwatch"), 1, nil}}
	switch m.opts.Kind {
	case feeds.KindDemo:
		parts = append(parts, statusPart{st.Badge.Render(" DEMO "), essential, nil})
	case feeds.KindReplay:
		parts = append(parts, statusPart{st.Badge.Render(" REPLAY "), essential, nil})
	}
	if m.paused {
		parts = append(parts, statusPart{st.Paused.Render(" PAUSED "), essential, nil})
		if m.pending != nil {
			parts = append(parts, statusPart{st.Warn.Render("new data waiting (p resumes)"), 7, nil})
		}
	}
	feed := m.opts.Feed
	if feed == "" && m.snap != nil {
		feed = Sanitize(m.snap.Feed)
	}
	if m.snap == nil {
		el := m.now.Sub(m.start)
		parts = append(parts, statusPart{st.Text.Render(fmt.Sprintf("waiting for data from %s… %ds", orDash(feed), int(el/time.Second))), 10, nil})
		if h := m.health(); h != "" {
			parts = append(parts, statusPart{h, 10, nil})
		}
		return append(parts, m.alertParts()...)
	}
	f := feed
	if m.opts.Kind == feeds.KindLive && m.delayed() {
		f += " (delayed)"
	}
	parts = append(parts, statusPart{st.Text.Render(f), 5, nil}, statusPart{m.dataAge(), 10, nil})
	if h := m.health(); h != "" {
		parts = append(parts, statusPart{h, 10, nil})
	}
	if s := m.session(); s != "" {
		parts = append(parts, statusPart{s, 6, nil})
	}
	return append(parts, m.alertParts()...)
}

// alertParts show the current alert and alert or signal-log error, if any.
func (m Model) alertParts() []statusPart {
	var parts []statusPart
	add := func(sty func(...string) string, text string) {
		parts = append(parts, statusPart{sty(text), alertPrio, func(w int) string {
			return sty(ansi.Truncate(text, w, "…"))
		}})
	}
	if m.alert != "" {
		add(m.st.Warn.Render, "🔔 "+m.alert)
	}
	if m.alertErr != "" {
		add(m.st.Bad.Render, "⚠ "+m.alertErr) // the sender says what failed
	}
	return parts
}

func orDash(s string) string {
	if s == "" {
		return "the feed"
	}
	return s
}

// delayed reports whether any quote in the snapshot is delayed.
func (m Model) delayed() bool {
	for _, s := range m.snap.Symbols {
		if s.Delayed {
			return true
		}
	}
	return false
}

// session renders the market session with a countdown recomputed from
// Session.NextChange and the clock.
func (m Model) session() string {
	ss := m.snap.Session
	st := m.st
	state := Sanitize(ss.State)
	if state == "" {
		return ""
	}
	glyph := "○"
	sty := st.Muted
	if state == "open" {
		glyph, sty = "●", st.Up
	} else if state == "pre" || state == "after" {
		glyph = "◐"
	}
	s := sty.Render(glyph + " " + state)
	if !ss.NextChange.IsZero() && ss.NextChange.After(m.now) {
		verb := "opens in "
		switch state {
		case "open":
			verb = "closes in "
		case "after":
			verb = "after-hours end in "
		}
		s += st.Text.Render(" · " + verb + fmtAge(ss.NextChange.Sub(m.now)))
	} else if ss.Countdown != "" {
		s += st.Text.Render(" · " + Sanitize(ss.Countdown))
	}
	return s
}

// dataAge shows when the newest data is from and how old it is, with a stale
// marker when older than twice the poll interval.
func (m Model) dataAge() string {
	st := m.st
	if m.snap.AsOf.IsZero() {
		return st.Muted.Render("no data time")
	}
	at := m.snap.AsOf.In(m.opts.Location)
	layout := "15:04:05 MST"
	if m.now.Sub(m.snap.AsOf) > 20*time.Hour {
		layout = "Jan 02 15:04 MST"
	}
	age := m.now.Sub(m.snap.AsOf)
	txt := "data " + at.Format(layout) + " · " + fmtAge(age) + " old"
	if Stale(m.snap.AsOf, m.now, m.staleAfter(), m.quotes.cal, m.feedOK()) {
		return st.Warn.Render("⚠ STALE " + txt)
	}
	return st.Text.Render(txt)
}

// health is the feed's degraded/down banner (empty when healthy).
func (m Model) health() string {
	if !m.hasStatus || m.status.State == feeds.StateOK {
		return ""
	}
	st := m.st
	s := "feed " + m.status.State.String()
	if r := Sanitize(m.status.LastError); r != "" {
		s += ": " + r
	}
	if !m.status.NextRetry.IsZero() {
		if d := m.status.NextRetry.Sub(m.now); d > 0 {
			s += " · retry in " + fmtAge(d)
		} else {
			s += " · retrying"
		}
	}
	if m.status.State == feeds.StateDown {
		return st.Bad.Render("✖ " + s)
	}
	return st.Warn.Render("▲ " + s)
}
