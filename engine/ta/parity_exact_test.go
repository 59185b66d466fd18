//go:build amd64 && !amd64.v3

package ta

// exactParity: on linux/amd64 with the default GOAMD64 (no FMA in go-talib
// either) the streams must be bit-identical to the oracle.
const exactParity = true
