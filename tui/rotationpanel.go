package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
	rot "github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/tui/rotation"
)

// rotationPanel is the rotation map: a JdK-style relative rotation graph of
// the sectors on weekly closes, drawn by tui/rotation. v switches the view
// (small vs large by sector → small-cap sectors vs the small benchmark →
// large-cap sectors vs the large benchmark); - and + shorten and lengthen
// the tails.
type rotationPanel struct {
	panelBase
	keys *keyMap
	view rot.View
	tail int // points per tail; 0 until the first map (then the engine's T)
}

// rotationKey is everything the panel's content depends on besides its own
// view and tail: the engine publishes the same map until a daily bar closes.
type rotationKey struct {
	r            *rot.Rotation
	small, large string
}

func keyOfRotation(s *engine.Snapshot) rotationKey {
	return rotationKey{s.Rotation, s.Pair.Small, s.Pair.Large}
}

func newRotationPanel(st *Styles, keys *keyMap) *rotationPanel {
	p := &rotationPanel{keys: keys}
	p.panelBase = newBase(st, p.draw)
	return p
}

// SetSnapshot re-renders only when the map or the pair changed.
func (p *rotationPanel) SetSnapshot(s *engine.Snapshot) {
	if p.snap == nil || s == nil || keyOfRotation(p.snap) != keyOfRotation(s) {
		p.dirty = true
	}
	p.snap = s
	if p.tail == 0 && s != nil && s.Rotation != nil {
		p.tail = s.Rotation.Tail
	}
}

// Bindings are the view and tail keys.
func (p *rotationPanel) Bindings() []key.Binding {
	return []key.Binding{p.keys.RotationView, p.keys.TailShorter, p.keys.TailLonger}
}

// maxTail is the longest tail the map holds points for.
func (p *rotationPanel) maxTail() int {
	n := 0
	if p.snap != nil {
		for _, v := range rot.Views {
			for _, e := range p.snap.Rotation.Entries(v) {
				n = max(n, len(e.History))
			}
		}
	}
	if n == 0 {
		return rot.DefaultKeep
	}
	return n
}

// Update handles the view and tail keys.
func (p *rotationPanel) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	tail := p.tail
	if tail == 0 {
		tail = rot.DefaultTail
	}
	switch {
	case key.Matches(k, p.keys.RotationView):
		p.view = (p.view + 1) % rot.View(len(rot.Views))
	case key.Matches(k, p.keys.TailShorter):
		tail = max(1, tail-1)
	case key.Matches(k, p.keys.TailLonger):
		tail = min(p.maxTail(), tail+1)
	default:
		return nil
	}
	p.tail, p.dirty = tail, true
	return nil
}

// draw is the panel's title and content (cw×ch).
func (p *rotationPanel) draw(cw, ch int) (string, []string) {
	title := "Rotation map (JdK-style)"
	if cw <= 0 || ch <= 0 {
		return title, nil
	}
	if p.snap == nil {
		return title, []string{p.st.Muted.Render("no data yet")}
	}
	in := rotation.Input{Rotation: p.snap.Rotation, View: p.view, Tail: p.tail, Small: p.snap.Pair.Small, Large: p.snap.Pair.Large}
	return title, strings.Split(rotation.Render(in, cw, ch, p.st.Rotation), "\n")
}
