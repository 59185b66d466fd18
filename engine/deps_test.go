package engine_test

import (
	"os/exec"
	"strings"
	"testing"
)

// forbiddenDep reports whether the engine may not depend on pkg: no terminal
// library, no network, no subprocesses.
func forbiddenDep(pkg string) bool {
	switch pkg {
	case "net", "net/http", "os/exec":
		return true
	}
	return strings.HasPrefix(pkg, "charm.land/") || strings.HasPrefix(pkg, "github.com/charmbracelet/")
}

// TestEnginePure fails if engine/ (or anything it imports) pulls in bubbletea,
// lipgloss, net or os/exec. Test files are not part of the build graph checked.
func TestEnginePure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if forbiddenDep(dep) {
			t.Errorf("engine depends on forbidden package %s", dep)
		}
	}
}

func TestForbiddenDep(t *testing.T) {
	const charm = "charm.land/"
	for pkg, want := range map[string]bool{
		"net": true, "net/http": true, "os/exec": true, charm + "bubbletea/v2": true,
		charm + "lipgloss/v2": true, "github.com/charmbracelet/x/ansi": true,
		"net/url": false, "math": false, "time": false,
	} {
		if got := forbiddenDep(pkg); got != want {
			t.Errorf("forbiddenDep(%q) = %v, want %v", pkg, got, want)
		}
	}
}
