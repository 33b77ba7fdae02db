package aelib

import (
	"flag"
	"os"
	"strings"
	"testing"
)

func TestSettings(t *testing.T) {
	t.Setenv(CheckpointEnv, t.TempDir())
	epochs := flag.Int("zz_epochs", 20, "test flag")
	latent := flag.Int("zz_latent", 2, "test flag")
	defer func() { *epochs, *latent = 20, 2 }()

	// Nothing saved yet: defaults stay.
	if err := UseSettings("02_autoencoder"); err != nil || *epochs != 20 {
		t.Fatalf("UseSettings without a file: %v, epochs=%d", err, *epochs)
	}
	// The training cell ran with --zz_epochs=5 --zz_latent=3.
	*epochs, *latent = 5, 3
	if err := SaveSettings("02_autoencoder"); err != nil {
		t.Fatal(err)
	}
	// A later cell starts from the defaults and picks the saved values up.
	*epochs, *latent = 20, 2
	if err := UseSettings("02_autoencoder"); err != nil {
		t.Fatal(err)
	}
	if *epochs != 5 || *latent != 3 {
		t.Errorf("after UseSettings: epochs=%d latent=%d, want 5 and 3", *epochs, *latent)
	}
	// A cell that sets only --zz_epochs keeps the saved --zz_latent.
	*epochs, *latent = 20, 2
	flag.Set("zz_epochs", "7")
	if err := SaveSettings("02_autoencoder"); err != nil {
		t.Fatal(err)
	}
	path, _ := settingsPath("02_autoencoder")
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), `"zz_epochs": "7"`) || !strings.Contains(string(b), `"zz_latent": "3"`) {
		t.Errorf("after a partial save the file holds %s (%v); want zz_epochs 7 and zz_latent 3", b, err)
	}
	// Another notebook's settings are separate.
	*epochs = 20
	if err := UseSettings("03_stacked_autoencoder"); err != nil || *epochs != 20 {
		t.Errorf("other notebook: %v, epochs=%d", err, *epochs)
	}
	for _, bad := range []string{"", "../x", "a/b"} {
		if err := SaveSettings(bad); err == nil || !strings.Contains(err.Error(), "invalid") {
			t.Errorf("SaveSettings(%q): err = %v", bad, err)
		}
	}
}

func TestFlagConfig(t *testing.T) {
	if got, want := FlagConfig(), DefaultConfig(); got.Epochs != want.Epochs || got.Batch != want.Batch ||
		got.LR != want.LR || got.HalveAfter != want.HalveAfter || got.Seed != want.Seed || got.Noise != 0 {
		t.Errorf("FlagConfig() = %+v, want the defaults %+v", got, want)
	}
	flag.Set("epochs", "5")
	defer flag.Set("epochs", "20")
	if FlagConfig().Epochs != 5 {
		t.Error("--epochs=5 not seen by FlagConfig")
	}
}
