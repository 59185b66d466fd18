package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/capwatch/capwatch/engine"
)

// contractCases are the fixed snapshots of contract_fixture_test.go.
var contractCases = []struct {
	name string
	snap func() *engine.Snapshot
}{{"full", contractFull}, {"sparse", contractSparse}, {"empty", contractEmpty}}

// TestJSONContractKept checks `capwatch snapshot`'s JSON against the
// documents the old DTO code wrote for the same snapshots: every field
// there is still here, with the same name, the same JSON type and value
// (null stays null), in the same order. Fields may only be added.
func TestJSONContractKept(t *testing.T) {
	for _, c := range contractCases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, c.snap()); err != nil {
				t.Fatal(err)
			}
			checkContract(t, "testdata/contract/snapshot_"+c.name+".json", buf.Bytes())
		})
	}
	for _, c := range contractCases[:2] {
		t.Run("analogs_"+c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteAnalogs(&buf, c.snap().Analogs, "json"); err != nil {
				t.Fatal(err)
			}
			checkContract(t, "testdata/contract/analogs_"+c.name+".json", buf.Bytes())
		})
	}
}

// TestTextOutputsKept checks the text, table and CSV outputs against what
// the old code wrote for the same snapshots, byte for byte.
func TestTextOutputsKept(t *testing.T) {
	for _, c := range contractCases {
		var buf bytes.Buffer
		if err := WriteText(&buf, c.snap()); err != nil {
			t.Fatal(err)
		}
		checkExact(t, "testdata/contract/snapshot_"+c.name+".txt", buf.Bytes())
	}
	for _, c := range contractCases[:2] {
		for _, f := range []string{"csv", "table"} {
			var buf bytes.Buffer
			if err := WriteAnalogs(&buf, c.snap().Analogs, f); err != nil {
				t.Fatal(err)
			}
			checkExact(t, "testdata/contract/analogs_"+c.name+"."+f, buf.Bytes())
		}
	}
}

func checkExact(t *testing.T, fixture string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: output differs\n--- got\n%s\n--- want\n%s", fixture, got, want)
	}
}

// checkContract fails unless the fixture's document is an ordered subset
// of got.
func checkContract(t *testing.T, fixture string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	w, err := decodeOrdered(want)
	if err != nil {
		t.Fatalf("%s: %v", fixture, err)
	}
	g, err := decodeOrdered(got)
	if err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got)
	}
	for _, p := range subset(w, g, "$") {
		t.Errorf("%s: %s", fixture, p)
	}
}

// node is a decoded JSON value that keeps the key order and the number
// literals: an object ([]member), an array ([]node), or a scalar token
// (json.Number, string, bool, nil).
type node struct {
	obj    []member
	arr    []node
	isObj  bool
	isArr  bool
	scalar any
}

type member struct {
	key string
	val node
}

func decodeOrdered(b []byte) (node, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := decodeNode(dec)
	if err != nil {
		return n, err
	}
	if dec.More() {
		return n, fmt.Errorf("trailing data")
	}
	return n, nil
}

func decodeNode(dec *json.Decoder) (node, error) {
	tok, err := dec.Token()
	if err != nil {
		return node{}, err
	}
	switch tok {
	case json.Delim('{'):
		n := node{isObj: true}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return n, err
			}
			v, err := decodeNode(dec)
			if err != nil {
				return n, err
			}
			n.obj = append(n.obj, member{k.(string), v})
		}
		_, err := dec.Token()
		return n, err
	case json.Delim('['):
		n := node{isArr: true, arr: []node{}}
		for dec.More() {
			v, err := decodeNode(dec)
			if err != nil {
				return n, err
			}
			n.arr = append(n.arr, v)
		}
		_, err := dec.Token()
		return n, err
	}
	return node{scalar: tok}, nil
}

func (n node) kind() string {
	switch {
	case n.isObj:
		return "object"
	case n.isArr:
		return "array"
	case n.scalar == nil:
		return "null"
	}
	return fmt.Sprintf("%T %v", n.scalar, n.scalar)
}

// subset lists how want is not an ordered subset of got.
func subset(want, got node, path string) []string {
	switch {
	case want.isObj:
		if !got.isObj {
			return []string{fmt.Sprintf("%s: %s, want an object", path, got.kind())}
		}
		var probs []string
		at := -1
		for _, wm := range want.obj {
			i := -1
			for j, gm := range got.obj {
				if gm.key == wm.key {
					i = j
				}
			}
			if i < 0 {
				probs = append(probs, fmt.Sprintf("%s.%s: missing", path, wm.key))
				continue
			}
			if i < at {
				probs = append(probs, fmt.Sprintf("%s.%s: out of order", path, wm.key))
			}
			at = i
			probs = append(probs, subset(wm.val, got.obj[i].val, path+"."+wm.key)...)
		}
		return probs
	case want.isArr:
		if !got.isArr || len(got.arr) != len(want.arr) {
			return []string{fmt.Sprintf("%s: %s (len %d), want an array of %d", path, got.kind(), len(got.arr), len(want.arr))}
		}
		var probs []string
		for i := range want.arr {
			probs = append(probs, subset(want.arr[i], got.arr[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return probs
	}
	if got.isObj || got.isArr || want.scalar != got.scalar {
		return []string{fmt.Sprintf("%s: %s, want %s", path, got.kind(), want.kind())}
	}
	return nil
}

// TestContractCheckerFails makes sure checkContract can fail: a renamed
// field, a number turned string, a null turned 0, a reordered key, a
// dropped list element.
func TestContractCheckerFails(t *testing.T) {
	want, _ := decodeOrdered([]byte(`{"a": 1, "b": null, "c": [1, 2], "d": "x"}`))
	for _, bad := range []string{
		`{"A": 1, "b": null, "c": [1, 2], "d": "x"}`,
		`{"a": "1", "b": null, "c": [1, 2], "d": "x"}`,
		`{"a": 1, "b": 0, "c": [1, 2], "d": "x"}`,
		`{"b": null, "a": 1, "c": [1, 2], "d": "x"}`,
		`{"a": 1, "b": null, "c": [1], "d": "x"}`,
		`{"a": 1.0, "b": null, "c": [1, 2], "d": "x"}`,
	} {
		got, err := decodeOrdered([]byte(bad))
		if err != nil {
			t.Fatal(err)
		}
		if len(subset(want, got, "$")) == 0 {
			t.Errorf("%s accepted as a superset of %s", bad, `{"a": 1, "b": null, "c": [1, 2], "d": "x"}`)
		}
	}
	got, _ := decodeOrdered([]byte(`{"a": 1, "new": true, "b": null, "c": [1, 2], "d": "x", "z": {}}`))
	if p := subset(want, got, "$"); len(p) != 0 {
		t.Errorf("added fields rejected: %s", strings.Join(p, "; "))
	}
}
