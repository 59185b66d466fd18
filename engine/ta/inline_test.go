package ta

import (
	"os/exec"
	"regexp"
	"testing"
)

// hotInlined are the methods on the streams' hot paths that the compiler
// must inline: with them, an SMA/EMA/ROC update or peek costs no call at
// all, and every other stream's Update or Peek one call with everything
// under it inlined. The budget is tight (SMA.Update
// costs 80 of the inliner's 80), so this test says which change broke it.
var hotInlined = []string{
	"(*ring).push", "(*ring).front", "(*ring).fullAfterPush",
	"(*SMA).Update", "(*SMA).Peek",
	"(*EMA).Update", "(*EMA).Peek",
	"(*ROC).Update", "(*ROC).Peek",
	"(*ROCP).Update", "(*ROCP).Peek",
	"(*RSI).Value", "rsiOf",
	"(*ATR).Value", "trueRange",
	"(*WMA).Peek",
	"(*varWindow).push", "(*varWindow).peek", "(*varWindow).value",
	"(*windowMax).push", "(*windowMax).closeBlock", "(*windowMax).peek", "(*windowMax).value",
	"(*MAX).Peek", "(*MIN).Peek", "(*RVOL).Peek",
	"validPrice", "validBar",
}

func TestHotPathsInline(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to ask the compiler")
	}
	out, err := exec.Command(gobin, "build", "-gcflags=-m", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -gcflags=-m: %v\n%s", err, out)
	}
	inlinable := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m): can inline (\S+)`).FindAllSubmatch(out, -1) {
		inlinable[string(m[1])] = true
	}
	if len(inlinable) == 0 {
		t.Fatalf("no inlining decisions in the compiler's output:\n%s", out)
	}
	for _, fn := range hotInlined {
		if !inlinable[fn] {
			t.Errorf("%s is no longer inlinable (go build -gcflags=-m=2 ./engine/ta says why)", fn)
		}
	}
}
