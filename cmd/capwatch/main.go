// Command capwatch is a terminal dashboard that tells whether small caps are
// breaking out and leading large caps.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "capwatch: under construction")
	os.Exit(1)
}
