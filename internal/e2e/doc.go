// Package e2e holds end-to-end tests of the whole dashboard chain: the demo
// feed (and the Alpaca feed against its in-process fake service) on a fake
// clock, the pipeline and engine goroutine of internal/app, and the tui
// program driven through teatest, read back through a virtual terminal
// (github.com/charmbracelet/x/vt) the way a user sees the screen.
// It has no non-test code.
package e2e
