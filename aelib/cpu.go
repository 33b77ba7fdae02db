package aelib

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"sync"
)

// The kinds of x86 CPU whose XLA settings differ (see defaultTuning).
const (
	intelAVX512 = "Intel with AVX-512"
	otherCPU    = "other"
)

var (
	cpuOnce sync.Once
	cpuName string
)

// cpuKind returns the kind of this machine's CPU, read once from
// /proc/cpuinfo: its vendor and whether it has AVX-512, e.g. "Intel with
// AVX-512", "AMD with AVX2"; "other" when it cannot tell.
func cpuKind() string {
	cpuOnce.Do(func() {
		cpuName = otherCPU
		f, err := os.Open("/proc/cpuinfo")
		if err != nil {
			return
		}
		defer f.Close()
		var vendor, flags string
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() && (vendor == "" || flags == "") {
			key, val, ok := strings.Cut(sc.Text(), ":")
			switch key = strings.TrimSpace(key); {
			case !ok:
			case key == "vendor_id" && vendor == "":
				vendor = strings.TrimSpace(val)
			case key == "flags" && flags == "":
				flags = val
			}
		}
		cpuName = cpuKindFrom(vendor, strings.Fields(flags))
	})
	return cpuName
}

// cpuKindFrom names a CPU's kind from its vendor_id and flags in
// /proc/cpuinfo.
func cpuKindFrom(vendor string, flags []string) string {
	name := map[string]string{"GenuineIntel": "Intel", "AuthenticAMD": "AMD"}[vendor]
	switch {
	case name == "":
		return otherCPU
	case slices.Contains(flags, "avx512f"):
		return name + " with AVX-512"
	case slices.Contains(flags, "avx2"):
		return name + " with AVX2"
	}
	return name + " without AVX2"
}

// defaultTuning is the settings aelib applies on a CPU of the given kind
// when $AELIB_TUNE is unset: all four, except "ynn" on Intel CPUs with
// AVX-512, where `make bench` measured it slower (tuned ÷ without it: 0.89×
// at batch 64 and 0.91× at 256, the median of 5 interleaved rounds on
// 2026-12-02; docs/performance.md). On AMD CPUs with AVX-512 it made the
// first step compile 0.5 s sooner at equal speed, and on AMD with AVX2 its
// effect was inconclusive (−23 % to +10 %), so it stays there.
func defaultTuning(kind string) tuning {
	t := tuning{ynn: true, malloc: true, devices: true, loop: true}
	if kind == intelAVX512 {
		t.ynn = false
	}
	return t
}

// String lists the settings that are on, e.g. "malloc, devices, loop", or
// "none".
func (t tuning) String() string {
	var on []string
	for _, s := range []struct {
		on   bool
		name string
	}{{t.ynn, "ynn"}, {t.malloc, "malloc"}, {t.devices, "devices"}, {t.loop, "loop"}} {
		if s.on {
			on = append(on, s.name)
		}
	}
	if len(on) == 0 {
		return "none"
	}
	return strings.Join(on, ", ")
}

// tuningLine describes the XLA settings of this process for Versions.
func tuningLine() string {
	v := os.Getenv(tuneEnv)
	t, err := tuningFrom(v)
	if err != nil {
		return err.Error()
	}
	if strings.TrimSpace(v) == "" {
		return t.String() + " (aelib's choice for this CPU, " + cpuKind() + "; " + tuneEnv + " overrides it)"
	}
	return t.String() + " (from " + tuneEnv + "=" + v + ")"
}
