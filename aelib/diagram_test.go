package aelib

import (
	"strings"
	"testing"
)

func TestShowDiagram(t *testing.T) {
	for _, name := range []string{"autoencoder", "autoencoder.svg"} {
		n, err := ShowDiagram(name)
		if err != nil || n < 1000 {
			t.Errorf("ShowDiagram(%q) = %d bytes, %v", name, n, err)
		}
	}
	for _, bad := range []string{"", "nope", "../go.mod", ".hidden"} {
		_, err := ShowDiagram(bad)
		if err == nil || !strings.Contains(err.Error(), "valid are autoencoder") {
			t.Errorf("ShowDiagram(%q): err = %v, want one naming the valid diagrams", bad, err)
		}
	}
}
