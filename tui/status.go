package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
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
// the step of the lowest priority over all parts is taken first: a part
// cut to the room left, a part's next shorter form, or a part dropped.
// Essential parts (badge, feed health, data age, the session's word) are
// never dropped, so the state, the retry countdown, the data's age and
// whether the market is open survive at any width ≥ 60.
type statusPart struct {
	forms []string // styled, longest first
	steps []int    // steps[i]: the priority at which forms[i] gives way to forms[i+1]
	// cut, if not nil, cuts the longest form with … to w cells; it is tried
	// once, at cutAt, before the part's steps, when the room left is at
	// least minCut and wider than the next form.
	cut   func(w int) string
	cutAt int
	// recutAt, if not 0, is when a cut refused for want of room is tried
	// again (after other parts gave up theirs), before the part is dropped.
	recutAt int
	// grow, if not nil, is the part's text cut to w cells: a part left
	// shorter than its text takes the room the fitted line has left.
	grow    func(w int) string
	growMin int  // a grown text narrower than this says less than the part's first short form
	drop    int  // the priority at which the part (at its shortest) is dropped; 0: essential
	gone    bool // dropped
}

// Status-line priorities: the order in which a line too long gives up
// things, first to last.
const (
	prioTitle     = 1  // "capwatch", and which clock the age is on
	prioFeed      = 2  // the feed's name
	prioBreadth   = 1  // the members' load progress ("breadth: 812/1,962 members"), before the feed's name: it goes in a second, and the name dropped with it stayed away (QA-3 F9e)
	prioNoteShort = 3  // notes and alerts shorten: "⚠ not recording", "🔔 ratio_above_sma50 confirmed"
	prioShort     = 4  // the session's countdown shortens: "● open 2h13m"
	prioReason    = 5  // the failing feed's reason, cut with …
	prioDelayed   = 6  // "(delayed)", "via yahoo (alpaca down 3m)", the feed's note ("replay ended …")
	prioPair      = 6  // the pair shown ("IWM/SPY")
	prioAgeMid    = 7  // the data's time without weekday and zone
	prioWaiting   = 8  // "new data waiting" while paused: the shown data is not the newest
	prioNote      = 9  // standing notes, at their shortest, are dropped
	prioAge       = 10 // the data's age alone ("Dec 04 · 2d06h old")
	prioAlert     = 11 // an alert (up for a minute), at its shortest, is dropped
	prioSession   = 12 // the session's countdown is dropped: its word stays
	prioHealth    = 13 // the feed's health without its HTTP status (its short form goes at prioNote)
	prioSep       = 14 // separators without spaces
	prioWord      = 15 // the session's word, only if nothing else is left to give up
	prioBadge     = 16 // DEMO, REPLAY, PAUSED: essential
)

// minCut is the least room worth cutting a part to.
const minCut = 12

// next is the priority of the part's next step (ok false: none left).
func (p statusPart) next() (prio int, ok bool) {
	switch {
	case p.cut != nil:
		return p.cutAt, true
	case len(p.forms) > 1:
		return p.steps[0], true
	case p.drop > 0:
		return p.drop, true
	}
	return 0, false
}

// statusLine is the top line: the title, the badge, pause, the feed's health
// (state, HTTP status, retry countdown), the time and age of the newest data
// (never the wall clock), the session, then the feed's reason, alerts and
// notes. It is fitted to w cells by priority (see statusPart): what is left
// when even the essentials' short forms overflow is truncated by the caller.
func (m Model) statusLine(w int) string {
	parts := m.statusParts()
	sep, wide, narrow := m.st.Muted.Render(" │ "), m.st.Muted.Render(" │ "), m.st.Muted.Render("│")
	render := func() string {
		var b strings.Builder
		for _, p := range parts {
			if p.gone {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(sep)
			}
			b.WriteString(p.forms[0])
		}
		return b.String()
	}
	type step struct {
		i, prio int
		prev    statusPart
	}
	var taken []step
	for {
		s := render()
		sw := ansi.StringWidth(s)
		if sw <= w {
			break
		}
		i, ip := -1, 0
		for j, p := range parts {
			if pr, ok := p.next(); ok && !p.gone && (i < 0 || pr < ip) {
				i, ip = j, pr
			}
		}
		if sep != narrow && (i < 0 || ip > prioSep) {
			sep = narrow // separators without spaces before the last resort
			continue
		}
		if i < 0 {
			return s // only essentials at their shortest: the caller truncates
		}
		taken = append(taken, step{i, ip, parts[i]})
		p := &parts[i]
		switch {
		case p.cut != nil:
			room := w - (sw - ansi.StringWidth(p.forms[0]))
			if room >= minCut && (len(p.forms) == 1 || room > ansi.StringWidth(p.forms[1])) {
				p.forms = append([]string{p.cut(room)}, p.forms[1:]...)
				p.cut = nil
			} else if p.recutAt > 0 {
				p.cutAt, p.recutAt = p.recutAt, 0
			} else {
				p.cut = nil
			}
		case len(p.forms) > 1:
			p.forms, p.steps = p.forms[1:], p.steps[1:]
		default:
			p.gone = true
		}
	}
	// A later step may have made an earlier one needless (dropping an
	// alert leaves room for the data's time): undo the steps, most
	// important first, while their undoing fits; a part that does not fit
	// back stays dropped, and then no part of a lower priority comes back,
	// but shortened ones may still lengthen.
	if sep == narrow {
		if sep = wide; ansi.StringWidth(render()) > w {
			sep = narrow
		}
	}
	slices.Reverse(taken)
	slices.SortStableFunc(taken, func(a, b step) int { return b.prio - a.prio })
	noDrops := false
	for _, t := range taken {
		cur := parts[t.i]
		drop := cur.gone && !t.prev.gone
		if drop && noDrops {
			continue
		}
		if parts[t.i] = t.prev; ansi.StringWidth(render()) > w {
			parts[t.i] = cur
			if !drop {
				break
			}
			noDrops = true
		}
	}
	growParts(parts, w-ansi.StringWidth(render()))
	return render()
}

// growParts gives the room left on a fitted line to the parts shown
// shorter than their text, in order.
func growParts(parts []statusPart, room int) {
	for i := range parts {
		p := &parts[i]
		if p.grow == nil || p.gone || room <= 0 {
			continue
		}
		cur := ansi.StringWidth(p.forms[0])
		if g := p.grow(cur + room); ansi.StringWidth(g) > max(cur, p.growMin) && ansi.StringWidth(g) >= minCut {
			room -= ansi.StringWidth(g) - cur
			p.forms = append([]string{g}, p.forms[1:]...)
		}
	}
}

// ladder is a part whose forms each give way at prio, dropped at prio
// unless essential.
func ladder(prio int, essential bool, forms ...string) statusPart {
	p := statusPart{forms: forms, steps: make([]int, len(forms)-1)}
	for i := range p.steps {
		p.steps[i] = prio
	}
	if !essential {
		p.drop = prio
	}
	return p
}

// part is a status part of one form.
func part(text string, prio int, essential bool) statusPart { return ladder(prio, essential, text) }

// cutPart is a part rendered by sty that is cut with … to the room left.
func cutPart(sty func(...string) string, text string, prio int) statusPart {
	p := part(sty(text), prio, false)
	p.cut, p.cutAt = func(w int) string { return sty(ansi.Truncate(text, w, "…")) }, prio
	return p
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
			w := ladder(prioWaiting, false, st.Warn.Render("new data waiting (p resumes)"), st.Warn.Render("new data waiting"))
			w.steps[0] = prioNoteShort
			parts = append(parts, w)
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
		parts = append(parts, ladder(prioAge, true, forms...))
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
		parts = append(parts, ladder(prioDelayed, false, st.Warn.Render(via), st.Warn.Render("via "+feed)))
	case m.opts.Kind == feeds.KindLive && m.delayed():
		parts = append(parts, ladder(prioDelayed, false, st.Text.Render(feed+" (delayed)"), st.Text.Render("delayed")))
	case prov != "":
		forms := []string{st.Text.Render(feed + " " + prov)}
		if prices != "" && prices != prov {
			forms = append(forms, st.Text.Render(feed+" "+prices))
		}
		parts = append(parts, ladder(prioFeed, false, append(forms, st.Text.Render(feed))...))
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
	if _, note := m.replayEnded(); note != "" { // e.g. "--as-of 2026-01-05 is after the data's last date …"
		parts = append(parts, cutPart(st.Text.Render, note, prioDelayed))
	}
	return append(parts, m.alertParts()...)
}

// alertParts show the current alert and alert or signal-log error, if any.
func (m Model) alertParts() []statusPart {
	var parts []statusPart
	// Each is cut or shortened before the session's countdown shortens,
	// and dropped before the session's countdown is (a note is about the
	// dashboard, the session about the numbers beside it): see noteLadder.
	if m.alert != "" {
		// "capwatch: " says whose alert it is elsewhere, not on its own line.
		parts = append(parts, noteLadder(m.st.Warn.Render, prioAlert, "🔔 "+strings.TrimPrefix(m.alert, "capwatch: "), "🔔 "+alertShort(m.alert)))
	}
	if m.alertErr != "" { // the sender says what failed
		parts = append(parts, noteLadder(m.st.Bad.Render, prioAlert, "⚠ "+m.alertErr, "⚠ "+noteShort(m.alertErr)))
	}
	if n := m.opts.Note; n != "" && m.noteInfo {
		parts = append(parts, noteLadder(m.st.Text.Render, prioNote, n, noteShort(n)))
	} else if n != "" {
		p := noteLadder(m.st.Bad.Render, prioNote, "⚠ "+n, "⚠ "+noteShort(n), "⚠ "+noteShortest(n))
		p.cut = nil // its short forms say it better than its text cut, unless there is room to spare
		parts = append(parts, p)
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

// sessionState is the market session at the clock's now (m.now, the
// clock of the countdown beside it and of the data's age), not at the last
// snapshot's: a dashboard left open past 04:00 without a new snapshot says
// "pre", as its countdown to 09:30 does. "" when the snapshot has no
// session.
func (m *Model) sessionState() string {
	if m.snap == nil || m.snap.Session.State == "" {
		return ""
	}
	if m.now.IsZero() {
		return m.snap.Session.State
	}
	return m.cal.StateAt(m.now).String()
}

// session renders the market session at the clock's now (sessionState) with
// a countdown to calendar.Upcoming from that same instant (the close, the
// end of after hours, else the regular open): "● open · closes in 2h13m",
// shortened to "● open 2h13m" (a zero part when the snapshot has no
// session). Both are recomputed on every tick, so they change together
// without a new snapshot; the line is redrawn only when its text changes.
func (m Model) session() statusPart {
	ss := m.snap.Session
	st := m.st
	state := m.sessionState()
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
	if ended, _ := m.replayEnded(); ended != "" {
		// The replay's clock stopped at its last close: nothing of that
		// session is to come, as --as-of on the same day says — closed,
		// and the replay's end in place of a countdown that would never run.
		s := st.Muted.Render("○ closed")
		p := ladder(prioSession, true, s+st.Text.Render(" · "+ended), s+st.Text.Render(" · replay ended"), s)
		p.steps[0], p.drop = prioShort, prioWord
		return p
	}
	s := sty.Render(glyph + " " + state)
	// The countdown counts to calendar.Upcoming, as `capwatch status` does:
	// while closed, the regular 09:30 open (next_change is the 04:00 start
	// of pre-market).
	next := ss.NextChange
	if !m.now.IsZero() {
		_, next = m.cal.Upcoming(m.now)
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
		p := ladder(prioSession, true, s+st.Text.Render(" · "+verb+d), s+st.Text.Render(short+d), s)
		p.steps[0], p.drop = prioShort, prioWord
		return p
	}
	p := part(s, prioSession, true)
	if ss.Countdown != "" {
		p = ladder(prioSession, true, s+st.Text.Render(" · "+ss.Countdown), s)
	}
	p.drop = prioWord // the word goes only when even the essentials do not fit
	return p
}

// dataAge shows when the newest data is from and how old it is, marked
// STALE by the rule of Stale. Its short forms keep the age and the marker:
// "data 10:15:00 EST · 15s old", "data 10:15:00 · 15s old", "15s old".
// Data from another day than today (the user's today: replay, --as-of, a
// weekend) always shows its date, with the year when that is not this
// year: "data Fri Nov 27 16:00 EST · 1d20h old", "data Nov 27 16:00 · 1d20h
// old", "Nov 27 16:00 · 1d20h old", "Nov 27 · 1d20h old";
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
		// Without "data ", before "new data waiting" (prioWaiting) goes:
		// paused a while at 80 columns, the note that the screen is behind
		// the feed went and its room went back to the long date (QA-4 N6).
		forms = []string{"data " + at.Format(long+" 15:04 MST") + " · " + age, "data " + at.Format(day+" 15:04") + " · " + age,
			at.Format(day+" 15:04") + " · " + age, at.Format(day) + " · " + age}
	}
	// Which clock the age is on, in the longest form: the demo's simulated
	// time or the replayed day's, not the wall clock.
	// It is the first thing a narrow line gives up.
	steps := []int{prioAgeMid, prioAge}
	if len(forms) == 4 {
		steps = []int{prioAgeMid, prioAgeMid, prioAge}
	}
	switch m.opts.Kind {
	case feeds.KindDemo:
		forms, steps = append([]string{forms[0] + " (demo clock)"}, forms...), append([]int{prioTitle}, steps...)
	case feeds.KindReplay:
		forms, steps = append([]string{forms[0] + " (replay clock)"}, forms...), append([]int{prioTitle}, steps...)
	}
	sty := st.Text.Render
	// Staleness is the feed's: judged on the newest data received, not the
	// shown one. Paused, the feed keeps delivering ("new data waiting"):
	// the shown data ages, the feed is not stale (QA-3 F6b).
	newest := m.snap.AsOf
	if m.pending != nil && m.pending.AsOf.After(newest) {
		newest = m.pending.AsOf
	}
	if Stale(newest, m.now, m.staleAfter(), m.cal, m.feedOK()) {
		sty = st.Warn.Render
		for i := range forms {
			forms[i] = "⚠ STALE " + forms[i]
		}
	}
	for i := range forms {
		forms[i] = sty(forms[i])
	}
	return statusPart{forms: forms, steps: steps}
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
	h := ladder(prioHealth, true, forms...)
	h.steps[0] = prioNote // "▲ degraded 429 · retry 20s" leaves room for the session's countdown
	parts := []statusPart{h}
	if reason != "" && reason != "HTTP "+httpStatus(reason) {
		// Cut with … after the countdown shortened; when fewer than minCut
		// cells are left, cut again once the pair has gone (and the data's
		// time shortened), dropped only then (QA-3 F2: at 80 columns the
		// reason went whole while the pair stayed). It takes any room the
		// fitted line has left.
		r := cutPart(sty, reason, prioReason)
		r.recutAt, r.drop, r.grow = prioAgeMid, prioAgeMid, r.cut
		parts = append(parts, r)
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

// noteShortest is a standing note's shortest form: the signal log's notes
// say "not recording", others their short form.
func noteShortest(n string) string {
	if strings.Contains(noteShort(n), "not recorded") {
		return "not recording"
	}
	return noteShort(n)
}

// alertShort is an alert's short form: the flag and its new state, and how
// many more flags rang with it ("capwatch: ratio_above_sma50 confirmed
// since … (+2: a, b)" → "ratio_above_sma50 confirmed +2").
func alertShort(a string) string {
	f := strings.Fields(strings.TrimPrefix(a, "capwatch: "))
	if len(f) > 2 {
		f = f[:2]
	}
	s := strings.Join(f, " ")
	if i := strings.LastIndex(a, " (+"); i >= 0 {
		if n, _, ok := strings.Cut(a[i+3:], ":"); ok && isDigits(n) {
			s += " +" + n
		}
	}
	return s
}

// noteLadder is a note or alert: its text cut to the room left, then its
// short forms, all before the session's countdown shortens; dropped before
// the session's countdown is (at drop: prioNote, or prioAlert for an
// alert, up for a minute, which outlasts the data's time of day).
func noteLadder(sty func(...string) string, drop int, text string, short ...string) statusPart {
	forms := []string{sty(text)}
	for _, s := range short {
		if f := sty(s); f != forms[len(forms)-1] {
			forms = append(forms, f)
		}
	}
	p := ladder(prioNoteShort, false, forms...)
	p.drop = drop
	p.cut, p.cutAt = func(w int) string { return sty(ansi.Truncate(text, w, "…")) }, prioNoteShort
	p.grow = p.cut
	if len(forms) > 1 {
		p.growMin = ansi.StringWidth(forms[1])
	}
	return p
}

// replayEnded is a finished replay's end ("replay ended 2025-11-21", ""
// while it runs or for other feeds) and the rest of the feed's note. The
// end is the feed's fact (feeds.Status.Ended), dated by the data shown,
// not recognised in the note's words; the note's own "replay ended DATE"
// is not said twice.
func (m Model) replayEnded() (ended, rest string) {
	if !m.hasStatus {
		return "", ""
	}
	if !m.status.Ended || m.opts.Kind != feeds.KindReplay {
		return "", m.status.Note
	}
	ended = "replay ended"
	if m.snap != nil && !m.snap.AsOf.IsZero() {
		ended += " " + m.snap.AsOf.In(calendar.Location()).Format(time.DateOnly)
	}
	var others []string
	for _, n := range strings.Split(m.status.Note, " · ") {
		if n != "" && n != ended {
			others = append(others, n)
		}
	}
	return ended, strings.Join(others, " · ")
}
