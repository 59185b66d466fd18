package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/tui/breadth"
	"github.com/charmbracelet/x/ansi"
)

// sameDay reports whether a and b fall on the same calendar date (in a's
// zone).
func sameDay(a, b time.Time) bool {
	b = b.In(a.Location())
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

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

// statusPart is one segment of the status line. When the line does not fit,
// the part of the lowest priority is reduced first: to its next shorter
// form, then cut to the room left (if it can be cut), then dropped unless it
// is essential. Essential parts (badge, feed health, data age) are never
// dropped, so the state and the retry countdown survive at any width ≥ 60.
type statusPart struct {
	forms []string           // styled, longest first
	prio  int                // reduced in increasing order
	early int                // if > 0, the priority of its first shortening
	cut   func(w int) string // the part cut to w cells (nil: never cut)
	keep  bool               // essential: shortened, never dropped
}

// Status-line priorities, lowest (reduced first) to highest.
const (
	prioTitle   = 1
	prioFeed    = 2 // the feed's name (5 when it says the quotes are delayed)
	prioWaiting = 7 // "new data waiting" while paused: the shown data is not the newest
	prioShort   = 3 // the session's short form ("● open 2h13m"), to keep room for the reason
	prioReason  = 4 // the failing feed's reason, cut with …
	prioDelayed = 5
	prioPair    = 5 // the pair shown ("IWM/SPY"): it changes with the pair key
	prioBreadth = 2 // the members' load progress ("breadth: 812/1,962 members")
	prioSession = 6
	prioAlert   = 9
	prioAge     = 10
	prioHealth  = 11
	prioBadge   = 12
)

// minCut is the least room worth cutting a part to; with less it is dropped.
const minCut = 12

// statusLine is the top line: the title, the badge, pause, the feed's health
// (state, HTTP status, retry countdown), the time and age of the newest data
// (never the wall clock), the session, then the feed's reason and alerts. It
// is fitted to w cells by priority (see statusPart): what is left when even
// the essentials' short forms overflow is truncated by the caller.
func (m Model) statusLine(w int) string {
	parts := m.statusParts()
	sep := m.st.Muted.Render(" │ ")
	for {
		var b strings.Builder
		for i, p := range parts {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(p.forms[0])
		}
		s := b.String()
		sw := ansi.StringWidth(s)
		if sw <= w {
			return s
		}
		i, ip := -1, 0
		for j, p := range parts {
			pr := p.prio
			if len(p.forms) > 1 && p.early > 0 {
				pr = p.early
			}
			if (len(p.forms) > 1 || p.cut != nil || !p.keep) && (i < 0 || pr < ip) {
				i, ip = j, pr
			}
		}
		if i < 0 {
			if narrow := m.st.Muted.Render("│"); sep != narrow {
				sep = narrow // last resort: separators without spaces
				continue
			}
			return s // only essentials at their shortest: the caller truncates
		}
		p := parts[i]
		switch {
		case len(p.forms) > 1:
			parts[i].forms = p.forms[1:]
			parts[i].early = 0 // shortened once early; further only at its priority
		case p.cut != nil:
			parts[i].cut = nil
			if room := w - (sw - ansi.StringWidth(p.forms[0])); room >= minCut {
				parts[i].forms = []string{p.cut(room)}
			} else if !p.keep {
				parts = append(parts[:i:i], parts[i+1:]...)
			}
		default:
			parts = append(parts[:i:i], parts[i+1:]...)
		}
	}
}

// part is a status part of one form.
func part(text string, prio int, keep bool) statusPart {
	return statusPart{forms: []string{text}, prio: prio, keep: keep}
}

// cutPart is a part rendered by sty that is cut with … to the room left.
func cutPart(sty func(...string) string, text string, prio int) statusPart {
	return statusPart{forms: []string{sty(text)}, prio: prio, cut: func(w int) string {
		return sty(ansi.Truncate(text, w, "…"))
	}}
}

func (m Model) statusParts() []statusPart {
	st := m.st
	parts := []statusPart{part(st.Title.Render("capwatch"), prioTitle, false)}
	switch m.opts.Kind {
	case feeds.KindDemo:
		badge := " DEMO "
		if sp := m.opts.Speed; sp > 0 && sp != 1 {
			badge = " DEMO ×" + strconv.FormatFloat(sp, 'g', 4, 64) + " " // ages and countdowns run on the demo's fast clock
		}
		parts = append(parts, part(st.Badge.Render(badge), prioBadge, true))
	case feeds.KindReplay:
		parts = append(parts, part(st.Badge.Render(" REPLAY "), prioBadge, true))
	}
	if m.paused {
		parts = append(parts, part(st.Paused.Render(" PAUSED "), prioBadge, true))
		if m.pending != nil {
			parts = append(parts, part(st.Warn.Render("new data waiting (p resumes)"), prioWaiting, false))
		}
	}
	feed := m.opts.Feed
	if feed == "" && m.snap != nil {
		feed = m.snap.Feed
	}
	if m.snap == nil {
		secs := fmt.Sprintf("… %ds", int(max(m.today.Sub(m.wallStart), 0)/time.Second))
		forms := []string{
			st.Text.Render("waiting for data from " + orDash(feed) + secs),
			st.Text.Render("waiting for " + orDash(feed) + secs),
			st.Text.Render("waiting" + secs),
		}
		if m.early != nil { // the history is in, the first quotes are not
			forms = []string{
				st.Text.Render("history loaded, waiting for the first quotes from " + orDash(feed) + secs),
				st.Text.Render("waiting for the first quotes from " + orDash(feed) + secs),
				forms[1], forms[2],
			}
		}
		parts = append(parts, statusPart{forms: forms, prio: prioAge, keep: true})
		parts = append(parts, m.health()...)
		return append(parts, m.alertParts()...)
	}
	if m.hasStatus && m.status.Feed != "" {
		feed = m.status.Feed // the source serving (feed "auto" names it)
	}
	// Where the numbers come from (issue 18): "alpaca IEX · vol partial".
	var prov, prices string
	if p := m.snap.Provenance; p != nil {
		prov, prices = p.Label(), p.Prices
	}
	switch via := m.status.Via(m.now); {
	case m.hasStatus && via != "":
		// A fallback serves: "via yahoo (alpaca down 3m)".
		parts = append(parts, statusPart{forms: []string{st.Warn.Render(via), st.Warn.Render("via " + feed)}, prio: prioDelayed})
	case m.opts.Kind == feeds.KindLive && m.delayed():
		parts = append(parts, statusPart{forms: []string{st.Text.Render(feed + " (delayed)"), st.Text.Render("delayed")}, prio: prioDelayed})
	case prov != "":
		forms := []string{st.Text.Render(feed + " " + prov)}
		if prices != "" && prices != prov {
			forms = append(forms, st.Text.Render(feed+" "+prices))
		}
		parts = append(parts, statusPart{forms: append(forms, st.Text.Render(feed)), prio: prioFeed})
	default:
		parts = append(parts, part(st.Text.Render(feed), prioFeed, false))
	}
	if p := m.snap.Pair; p.Small != "" && p.Large != "" {
		name := st.Text.Render(p.Small + "/" + p.Large)
		if w := m.wantPair; w != (engine.PairChoice{}) {
			name += st.Warn.Render(" → " + w.String() + "…")
		}
		parts = append(parts, part(name, prioPair, false))
	}
	health := m.health()
	if len(health) > 0 {
		parts = append(parts, health[0])
	}
	parts = append(parts, m.dataAge())
	if p := breadth.Progress(m.snap.BreadthLoad); p != "" {
		parts = append(parts, part(st.Warn.Render(p), prioBreadth, false))
	}
	if s := m.session(); s.forms != nil {
		parts = append(parts, s)
	}
	parts = append(parts, health[min(len(health), 1):]...)
	if m.hasStatus && m.status.Note != "" { // e.g. "replay ended 2025-09-29"
		parts = append(parts, cutPart(st.Text.Render, m.status.Note, prioDelayed))
	}
	return append(parts, m.alertParts()...)
}

// alertParts show the current alert and alert or signal-log error, if any.
func (m Model) alertParts() []statusPart {
	var parts []statusPart
	if m.alert != "" {
		parts = append(parts, cutPart(m.st.Warn.Render, "🔔 "+m.alert, prioAlert))
	}
	if m.alertErr != "" {
		parts = append(parts, cutPart(m.st.Bad.Render, "⚠ "+m.alertErr, prioAlert)) // the sender says what failed
	}
	if n := m.opts.Note; n != "" && m.noteInfo {
		parts = append(parts, statusPart{forms: []string{m.st.Text.Render(n), m.st.Text.Render(noteShort(n))}, prio: prioAlert})
	} else if n != "" {
		// Long, then short, then gone on a narrow line.
		parts = append(parts, statusPart{forms: []string{m.st.Bad.Render("⚠ " + n), m.st.Bad.Render("⚠ " + noteShort(n))}, prio: prioAlert})
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

// session renders the market session with a countdown recomputed from the
// clock to calendar.Upcoming at the snapshot's time (the close, the end of
// after hours, else the regular open): "● open · closes in 2h13m", shortened to
// "● open 2h13m" (a zero part when the snapshot has no session).
func (m Model) session() statusPart {
	ss := m.snap.Session
	st := m.st
	state := ss.State
	if state == "" {
		return statusPart{}
	}
	glyph := "○"
	sty := st.Muted
	if state == "open" {
		glyph, sty = "●", st.Up
	} else if state == "pre" || state == "after" {
		glyph = "◐"
	}
	s := sty.Render(glyph + " " + state)
	// The countdown counts to calendar.Upcoming, as `capwatch status` does:
	// while closed, the regular 09:30 open (next_change is the 04:00 start
	// of pre-market).
	next := ss.NextChange
	if !m.snap.Now.IsZero() {
		_, next = m.cal.Upcoming(m.snap.Now)
	}
	if !next.IsZero() && next.After(m.now) {
		verb, short := "opens in ", ", opens "
		switch state {
		case "open":
			verb, short = "closes in ", " "
		case "after":
			verb, short = "after-hours end in ", " "
		}
		d := fmtAge(next.Sub(m.now))
		return statusPart{forms: []string{s + st.Text.Render(" · "+verb+d), s + st.Text.Render(short+d), s}, prio: prioSession, early: prioShort}
	}
	if ss.Countdown != "" {
		return statusPart{forms: []string{s + st.Text.Render(" · "+ss.Countdown), s}, prio: prioSession}
	}
	return part(s, prioSession, false)
}

// dataAge shows when the newest data is from and how old it is, marked
// STALE by the rule of Stale. Its short forms keep the age and the marker:
// "data 10:15:00 EST · 15s old", "data 10:15:00 · 15s old", "15s old".
// Data from another day than today (the user's today: replay, --as-of, a
// weekend) always shows its date, with the year when that is not this
// year: "data Fri Nov 27 16:00 EST · 1d20h old", …, "Nov 27 · 1d20h old";
// "data 2024-06-03 16:00 EDT · 4s old", …, "2024-06-03 · 4s old".
func (m Model) dataAge() statusPart {
	st := m.st
	if m.snap.AsOf.IsZero() {
		return part(st.Muted.Render("no data time"), prioAge, true)
	}
	at := m.snap.AsOf.In(m.opts.Location)
	age := fmtAge(m.now.Sub(m.snap.AsOf)) + " old"
	forms := []string{"data " + at.Format("15:04:05 MST") + " · " + age, "data " + at.Format("15:04:05") + " · " + age, age}
	if !sameDay(at, m.today) || m.now.Sub(m.snap.AsOf) > 20*time.Hour {
		day, long := "Jan 02", "Mon Jan 02"
		if at.Year() != m.today.Year() {
			day, long = time.DateOnly, time.DateOnly
		}
		forms = []string{"data " + at.Format(long+" 15:04 MST") + " · " + age, "data " + at.Format(day+" 15:04") + " · " + age,
			at.Format(day) + " · " + age}
	}
	// Which clock the age is on, in the longest form: the demo's simulated
	// time or the replayed day's, not the wall clock.
	// It is the first thing a narrow line gives up (early).
	early := 0
	switch m.opts.Kind {
	case feeds.KindDemo:
		forms, early = append([]string{forms[0] + " (demo clock)"}, forms...), prioTitle
	case feeds.KindReplay:
		forms, early = append([]string{forms[0] + " (replay clock)"}, forms...), prioTitle
	}
	sty := st.Text.Render
	if Stale(m.snap.AsOf, m.now, m.staleAfter(), m.cal, m.feedOK()) {
		sty = st.Warn.Render
		for i := range forms {
			forms[i] = "⚠ STALE " + forms[i]
		}
	}
	for i := range forms {
		forms[i] = sty(forms[i])
	}
	return statusPart{forms: forms, prio: prioAge, early: early, keep: true}
}

// health is the feed's degraded/down banner (none when healthy): an
// essential part with the state, the HTTP status found in the reason and the
// retry countdown ("✖ feed down (HTTP 503) · retry in 2s", short "✖ down 503
// · retry 2s", shortest "✖ down · retry 2s"), then the reason itself, cut with … to the room left.
func (m Model) health() []statusPart {
	if !m.hasStatus || m.status.State == feeds.StateOK {
		return nil
	}
	st := m.st
	glyph, sty := "▲ ", st.Warn.Render
	if m.status.State == feeds.StateDown {
		glyph, sty = "✖ ", st.Bad.Render
	}
	reason := m.status.LastError
	state := m.status.State.String()
	if m.status.Hanging && m.status.State == feeds.StateDown {
		state = "hanging" // takes requests, answers none
	}
	long, short, shortest := glyph+"feed "+state, glyph+state, glyph+state
	if code := httpStatus(reason); code != "" {
		long += " (HTTP " + code + ")"
		short += " " + code
	}
	if !m.status.NextRetry.IsZero() {
		if d := m.status.NextRetry.Sub(m.now); d > 0 {
			long += " · retry in " + fmtAge(d)
			short += " · retry " + fmtAge(d)
			shortest += " · retry " + fmtAge(d)
		} else {
			long += " · retrying"
			short += " · retrying"
			shortest += " · retrying"
		}
	}
	forms := []string{sty(long), sty(short)}
	if shortest != short {
		forms = append(forms, sty(shortest))
	}
	parts := []statusPart{{forms: forms, prio: prioHealth, keep: true}}
	if reason != "" && reason != "HTTP "+httpStatus(reason) {
		parts = append(parts, cutPart(sty, reason, prioReason))
	}
	return parts
}

// httpStatus returns the first HTTP status code in a feed's error ("503" in
// "… (HTTP 503 Service Unavailable) …"), or "".
func httpStatus(reason string) string {
	for rest := reason; ; {
		i := strings.Index(rest, "HTTP ")
		if i < 0 {
			return ""
		}
		rest = rest[i+len("HTTP "):]
		if len(rest) >= 3 && isDigits(rest[:3]) && (len(rest) == 3 || rest[3] < '0' || rest[3] > '9') {
			return rest[:3]
		}
	}
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// noteShort is a standing note's short form: up to its first colon.
func noteShort(n string) string {
	if i := strings.IndexByte(n, ':'); i > 0 {
		return n[:i]
	}
	return n
}
