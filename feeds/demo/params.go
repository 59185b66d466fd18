package demo

import (
	"hash/fnv"
	"math"
	"strings"
)

// Sector factors of the model.
const (
	secNone = iota - 1
	secTech
	secHealth
	secFin
	secEnergy
	secInd
	secDisc
	secStaples
	secMat
	secUtil
	numSectors
)

// params are one symbol's loadings in the factor model.
type params struct {
	level  float64 // price at the end of the history (before the live open)
	beta   float64 // market loading
	size   float64 // size-factor loading (small minus large): 1 for small caps, 0 for the S&P 500
	sector int     // sector factor, or secNone
	secB   float64 // sector loading
	idio   float64 // daily idiosyncratic volatility (fraction)
	adv    float64 // average daily volume, shares
}

// known are realistic levels (late 2025) and liquidity for the default
// watchlist, the default sector pairs and the industry preset. Small-cap
// sector ETFs (PSC*) really do trade only thousands of shares a day. (A
// function, not a package variable, so that nothing can mutate the table.)
func known() map[string]params {
	return map[string]params{
		"IWM":  {225, 1.20, 1.0, secNone, 0, 0.0015, 30e6},
		"SPY":  {590, 1.00, 0.0, secNone, 0, 0.0000, 60e6},
		"QQQ":  {510, 1.15, -0.15, secTech, 0.5, 0.0025, 40e6},
		"DIA":  {430, 0.90, -0.05, secNone, 0, 0.0030, 3e6},
		"MDY":  {560, 1.08, 0.5, secNone, 0, 0.0020, 1.2e6},
		"XLK":  {230, 1.15, -0.1, secTech, 1.0, 0.0030, 7e6},
		"PSCT": {45, 1.25, 1.0, secTech, 0.9, 0.0060, 20e3},
		"XLV":  {145, 0.75, -0.1, secHealth, 1.0, 0.0030, 8e6},
		"PSCH": {42, 0.95, 1.0, secHealth, 0.8, 0.0070, 15e3},
		"XLF":  {48, 1.05, 0.0, secFin, 1.0, 0.0030, 40e6},
		"PSCF": {55, 1.10, 1.0, secFin, 0.9, 0.0060, 5e3},
		"XLE":  {90, 0.90, 0.0, secEnergy, 1.3, 0.0040, 18e6},
		"PSCE": {40, 1.20, 1.0, secEnergy, 1.5, 0.0100, 30e3},
		"XLI":  {135, 1.00, 0.0, secInd, 1.0, 0.0030, 10e6},
		"PSCI": {130, 1.10, 1.0, secInd, 0.9, 0.0060, 8e3},
		"XLY":  {210, 1.10, 0.0, secDisc, 1.0, 0.0035, 4e6},
		"PSCD": {105, 1.20, 1.0, secDisc, 0.9, 0.0070, 3e3},
		"XLP":  {80, 0.60, -0.1, secStaples, 1.0, 0.0030, 10e6},
		"PSCC": {70, 0.75, 0.9, secStaples, 0.8, 0.0060, 6e3},
		"XLB":  {90, 0.95, 0.0, secMat, 1.0, 0.0035, 6e6},
		"PSCM": {75, 1.15, 1.0, secMat, 0.9, 0.0070, 3e3},
		"XLU":  {78, 0.50, -0.1, secUtil, 1.0, 0.0030, 12e6},
		"PSCU": {65, 0.60, 0.8, secUtil, 0.8, 0.0060, 2e3},
		// IndustrySectors preset.
		"XBI": {90, 1.10, 0.8, secHealth, 1.3, 0.0080, 9e6},
		"KRE": {55, 1.15, 0.8, secFin, 1.3, 0.0070, 12e6},
		"XOP": {130, 1.10, 0.6, secEnergy, 1.6, 0.0080, 4e6},
		"XRT": {75, 1.15, 0.7, secDisc, 1.1, 0.0060, 5e6},
		"XME": {60, 1.25, 0.6, secMat, 1.4, 0.0080, 2e6},
		"XSD": {240, 1.35, 0.5, secTech, 1.3, 0.0080, 1e5},
		// Other common small/large proxies.
		"IJR": {115, 1.15, 0.95, secNone, 0, 0.0020, 4e6},
		"VB":  {245, 1.12, 0.8, secNone, 0, 0.0020, 7e5},
		"VOO": {542, 1.00, 0.0, secNone, 0, 0.0002, 6e6},
		"IVV": {593, 1.00, 0.0, secNone, 0, 0.0002, 5e6},
		"VTI": {290, 1.02, 0.1, secNone, 0, 0.0005, 3e6},
		"RSP": {180, 1.02, 0.35, secNone, 0, 0.0015, 8e6},
	}
}

// symHash is a stable 64-bit hash of a symbol (FNV-1a).
func symHash(sym string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(sym))
	return h.Sum64()
}

// paramsFor returns the model parameters of sym: the table entry, or a
// deterministic made-up profile derived from the symbol's name.
func paramsFor(sym string) params {
	h := symHash(sym)
	if isMember(sym) { // no table entry is a member's name: skip building the table
		return memberParams(h)
	}
	if p, ok := known()[sym]; ok {
		return p
	}
	u := func(shift uint) float64 { return float64((h>>shift)&0xffff) / 0xffff } // 0..1
	p := params{
		level:  20 * math.Exp(u(0)*math.Log(20)), // 20..400, log-uniform
		beta:   0.8 + 0.5*u(16),
		size:   0.2 + 0.6*u(32),
		sector: int(h>>48) % numSectors,
		secB:   0.5 + 0.5*u(40),
		idio:   0.004 + 0.006*u(24),
		adv:    2e5 * math.Exp(u(8)*math.Log(100)), // 200k..20M
	}
	if strings.HasPrefix(sym, "PSC") { // Invesco S&P SmallCap sector ETFs
		p.size = 1
	}
	return p
}
