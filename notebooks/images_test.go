package notebooks

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The image checks read files only (no notebook runs): every image that a notebook, README.md or
// docs/*.md references must exist, and the diagrams in images/ must be used.

// imageRef is one reference to an image file.
type imageRef struct {
	Path string // the referenced file, slash-separated and relative to the repository root
	From string // where the reference is: the file, and the notebook cell
}

var (
	// showDiagramCall matches aelib.ShowDiagram("name") (or with a raw string) in Go code.
	showDiagramCall = regexp.MustCompile("ShowDiagram\\(\\s*(?:\"([^\"]*)\"|`([^`]*)`)")
	// markdownImage matches ![alt](path) and ![alt](path "title"), also with <path>.
	markdownImage = regexp.MustCompile(`!\[[^\]]*\]\(\s*(?:<([^>]*)>|([^)\s]+))(?:\s+["'(][^)]*)?\)`)
	// htmlImage matches <img ... src="path" ...>.
	htmlImage = regexp.MustCompile(`(?is)<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))`)
	// codeSpans are Markdown code blocks and inline code, where an image link is text, not an image.
	codeSpans = regexp.MustCompile("(?s)```.*?```|~~~.*?~~~|`[^`\n]*`")
)

// diagramRefs returns the diagrams that Go code shows with aelib.ShowDiagram, as images/<name>.svg.
func diagramRefs(code string) []string {
	var out []string
	for _, m := range showDiagramCall.FindAllStringSubmatch(code, -1) {
		name := strings.TrimSuffix(m[1]+m[2], ".svg")
		out = append(out, "images/"+name+".svg")
	}
	return out
}

// markdownImageRefs returns the local images that Markdown text (with HTML) in the directory dir
// (slash-separated, relative to the repository root) shows, as paths relative to the repository
// root; web addresses and data URIs are left out. A path starting with "/" is taken from the root.
func markdownImageRefs(dir, md string) []string {
	md = codeSpans.ReplaceAllString(md, "")
	var out []string
	add := func(p string) {
		p = strings.TrimSpace(p)
		if p == "" {
			out = append(out, dir+"/") // an empty link is a broken one
			return
		}
		lower := strings.ToLower(p)
		if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") ||
			strings.HasPrefix(lower, "//") || strings.HasPrefix(lower, "data:") {
			return
		}
		if i := strings.IndexAny(p, "?#"); i >= 0 {
			p = p[:i]
		}
		if u, err := url.PathUnescape(p); err == nil {
			p = u
		}
		if strings.HasPrefix(p, "/") {
			out = append(out, path.Clean(strings.TrimPrefix(p, "/")))
			return
		}
		out = append(out, path.Join(dir, p))
	}
	for _, m := range markdownImage.FindAllStringSubmatch(md, -1) {
		add(m[1] + m[2])
	}
	for _, m := range htmlImage.FindAllStringSubmatch(md, -1) {
		add(m[1] + m[2] + m[3])
	}
	return out
}

// collectImageRefs returns every image reference of the repository at root: aelib.ShowDiagram
// calls in the code cells of notebooks/*.ipynb, and image links (Markdown or <img>) in the
// notebooks' Markdown cells, in README.md and in docs/*.md (not docs/lecture/, the executed copies).
func collectImageRefs(root string) ([]imageRef, error) {
	var refs []imageRef
	notebooks, err := filepath.Glob(filepath.Join(root, "notebooks", "*.ipynb"))
	if err != nil {
		return nil, err
	}
	sort.Strings(notebooks)
	for _, f := range notebooks {
		nb, err := ReadNotebook(f)
		if err != nil {
			return nil, err
		}
		file := "notebooks/" + filepath.Base(f)
		for i, c := range nb.Cells {
			from := fmt.Sprintf("%s, cell %d (%q)", file, i+1, c.FirstLine())
			var paths []string
			switch c.CellType {
			case "code":
				paths = diagramRefs(string(c.Source))
			case "markdown":
				paths = markdownImageRefs("notebooks", string(c.Source))
			}
			for _, p := range paths {
				refs = append(refs, imageRef{Path: p, From: from})
			}
		}
	}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	sort.Strings(docs)
	for _, f := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		b, err := os.ReadFile(f)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return nil, err
		}
		rel, err := filepath.Rel(root, f)
		if err != nil {
			return nil, err
		}
		rel = filepath.ToSlash(rel)
		for _, p := range markdownImageRefs(path.Dir(rel), string(b)) {
			refs = append(refs, imageRef{Path: p, From: rel})
		}
	}
	return refs, nil
}

// missingImages returns one line for each referenced file that is not a file under root (or lies
// outside it), naming where it is referenced, sorted by path.
func missingImages(root string, refs []imageRef) []string {
	where := map[string][]string{}
	for _, r := range refs {
		if !slices.Contains(where[r.Path], r.From) {
			where[r.Path] = append(where[r.Path], r.From)
		}
	}
	var out []string
	for p, froms := range where {
		ok := p != ".." && !strings.HasPrefix(p, "../") && !strings.HasSuffix(p, "/")
		if ok {
			info, err := os.Stat(filepath.Join(root, filepath.FromSlash(p)))
			ok = err == nil && info.Mode().IsRegular()
		}
		if !ok {
			out = append(out, fmt.Sprintf("%s does not exist; referenced in %s", p, strings.Join(froms, "; ")))
		}
	}
	sort.Strings(out)
	return out
}

// Every image that a notebook, README.md or docs/*.md references must exist. The subtest
// "collector" first checks, on small repositories made here, that a broken reference is found.
func TestImagesExist(t *testing.T) {
	t.Run("collector", testImageRefsCollected)
	t.Run("repository", func(t *testing.T) {
		root := repoRoot(t)
		refs, err := collectImageRefs(root)
		if err != nil {
			t.Fatal(err)
		}
		if len(refs) == 0 {
			t.Fatal("found no image reference at all (README.md shows a screenshot, notebook 02 a diagram): the collector is broken")
		}
		for _, m := range missingImages(root, refs) {
			t.Error(m)
		}
	})
}

// At least minDiagramsUsed of the diagrams in images/ must be shown by a notebook (ShowDiagram or
// an image link) or by README.md.
const minDiagramsUsed = 6

func TestDiagramsUsed(t *testing.T) {
	root := repoRoot(t)
	var diagrams []string
	err := filepath.WalkDir(filepath.Join(root, "images"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".svg") {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			diagrams = append(diagrams, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	refs, err := collectImageRefs(root)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, r := range refs {
		if r.From == "README.md" || strings.HasPrefix(r.From, "notebooks/") {
			used[r.Path] = true
		}
	}
	var usedList, unused []string
	for _, d := range diagrams {
		if used[d] {
			usedList = append(usedList, d)
		} else {
			unused = append(unused, d)
		}
	}
	if len(usedList) < minDiagramsUsed {
		t.Errorf("%d of the %d diagrams in images/ are shown by a notebook or README.md, want at least %d;\nshown: %s\nnot shown: %s",
			len(usedList), len(diagrams), minDiagramsUsed, strings.Join(usedList, ", "), strings.Join(unused, ", "))
	}
}

// testImageRefsCollected checks collectImageRefs and missingImages on small repositories, each
// holding images/ok.svg, docs/images/shot.png and one file with valid or broken references.
func testImageRefsCollected(t *testing.T) {
	// notebook returns the JSON of a notebook with one markdown cell and one code cell.
	notebook := func(markdown, code string) string {
		b, err := json.Marshal(map[string]any{"cells": []map[string]any{
			{"cell_type": "markdown", "source": []string{markdown}},
			{"cell_type": "code", "source": code, "outputs": []any{}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cases := []struct {
		name    string
		file    string // relative to the repository root
		content string
		missing []string // the paths missingImages must report, in order
	}{
		{"diagram exists", "notebooks/02_x.ipynb", notebook("## Model", `aelib.Must1(aelib.ShowDiagram("ok"))`), nil},
		{"diagram with .svg", "notebooks/02_x.ipynb", notebook("", "aelib.ShowDiagram(`ok.svg`)"), nil},
		{"diagram missing", "notebooks/02_x.ipynb", notebook("", `aelib.Must1(aelib.ShowDiagram("gone"))`), []string{"images/gone.svg"}},
		{"ShowDiagram in markdown is text", "notebooks/02_x.ipynb", notebook(`Call aelib.ShowDiagram("gone").`, ""), nil},
		{"markdown cell, relative to notebooks/", "notebooks/03_x.ipynb",
			notebook("![a](../images/ok.svg) ![b](images/ok.svg)", ""), []string{"notebooks/images/ok.svg"}},
		{"markdown cell, img tag missing", "notebooks/03_x.ipynb",
			notebook(`<img src="../images/gone.svg" width="300">`, ""), []string{"images/gone.svg"}},
		{"image link in a code cell is not read", "notebooks/03_x.ipynb", notebook("", `s := "![a](gone.png)"`), nil},
		{"README valid", "README.md", "Text ![shot](docs/images/shot.png \"title\") <IMG alt='x' SRC='images/ok.svg'>\n", nil},
		{"README broken", "README.md", "![shot](docs/images/shot.png)\n![diagram](images/gone.svg)\n", []string{"images/gone.svg"}},
		{"README web images skipped", "README.md", "![b](https://example.com/x.png) <img src=\"http://example.com/y.svg\">", nil},
		{"README code is text", "README.md", "```md\n![a](gone.png)\n```\nand `![b](gone2.png)`\n", nil},
		{"README escaped and anchored", "README.md", "![a](images/o%6B.svg#top) ![b](<images/ok.svg>)", nil},
		{"README outside the repository", "README.md", "![a](../images/ok.svg)", []string{"../images/ok.svg"}},
		{"docs relative to docs/", "docs/guide.md", "![a](images/shot.png) ![b](../images/ok.svg) ![c](images/ok.svg)",
			[]string{"docs/images/ok.svg"}},
		{"docs root-relative", "docs/guide.md", "![a](/images/ok.svg) ![b](/images/gone.svg)", []string{"images/gone.svg"}},
		{"a directory is not an image", "docs/guide.md", "![a](images)", []string{"docs/images"}},
		{"docs/lecture is not read", "docs/lecture/02_x.md", "![a](gone.png)", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range []string{"images/ok.svg", "docs/images/shot.png", filepath.FromSlash(tc.file)} {
				content := "<svg/>"
				if f == filepath.FromSlash(tc.file) {
					content = tc.content
				}
				if err := os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, f), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			refs, err := collectImageRefs(root)
			if err != nil {
				t.Fatal(err)
			}
			got := missingImages(root, refs)
			if len(got) != len(tc.missing) {
				t.Fatalf("missing = %q, want the %d paths %q (references: %+v)", got, len(tc.missing), tc.missing, refs)
			}
			for i, m := range tc.missing {
				if !strings.HasPrefix(got[i], m+" does not exist; referenced in "+tc.file) {
					t.Errorf("missing[%d] = %q, want %s, referenced in %s", i, got[i], m, tc.file)
				}
			}
		})
	}
}
