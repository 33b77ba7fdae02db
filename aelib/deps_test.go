package aelib

// The speed benchmark of `make bench` (.ci/bench/gomlx) times with
// go-benchmarks; go mod tidy skips directories whose name starts with a dot,
// so this import keeps the module in go.mod.
import _ "github.com/janpfeifer/go-benchmarks"
