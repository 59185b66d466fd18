//go:build !amd64 || amd64.v3

package ta

// exactParity is false where go-talib itself may be compiled with fused
// multiply-adds (arm64, GOAMD64=v3): compare with a tolerance instead.
const exactParity = false
