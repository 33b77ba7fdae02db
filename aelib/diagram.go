package aelib

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
)

// ShowDiagram shows one of the project's diagrams, images/<name>.svg, in the
// notebook. It is sent as inline SVG, so it stays in the saved notebook and
// its HTML export (a markdown link to ../images would break there). It
// returns the SVG's size in bytes. Used in 02_autoencoder.
func ShowDiagram(name string) (int, error) {
	name = strings.TrimSuffix(name, ".svg")
	root, err := projectRoot()
	if err != nil {
		return 0, err
	}
	dir := filepath.Join(root, "images")
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return 0, errorf(ErrInvalid, "diagram %q invalid: %s", name, diagramNames(dir))
	}
	b, err := os.ReadFile(filepath.Join(dir, name+".svg"))
	if err != nil {
		return 0, errorf(ErrInvalid, "diagram %q not found: %s", name, diagramNames(dir))
	}
	svg := string(b)
	if i := strings.Index(svg, "<svg"); i > 0 {
		svg = svg[i:] // an XML prolog does not belong inside HTML
	}
	gonbui.DisplaySVG(svg)
	gonbui.Sync() // before the cell ends: see Figure.Show
	return len(b), nil
}

// diagramNames says which diagrams exist.
func diagramNames(dir string) string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.svg"))
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".svg"))
	}
	if len(names) == 0 {
		return "there are no diagrams in " + dir
	}
	return "valid are " + strings.Join(names, ", ")
}
