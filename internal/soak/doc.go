// Package soak holds capwatch's end-to-end hardening checks; it has no
// production code. scale_test.go benchmarks the engine with a Russell
// 2000-sized basket (2,000 symbols, 10 quotes per second each) and reports
// ns and allocations per quote and the implied share of one CPU core;
// soak_test.go drives eight simulated trading hours of the demo feed through
// the engine and the dashboard model and checks that heap, goroutines and
// RSS stay flat.
//
//	go test ./internal/soak/ -run '^$' -bench Scale -benchmem
//	go test ./internal/soak/ -run Soak -v
package soak
