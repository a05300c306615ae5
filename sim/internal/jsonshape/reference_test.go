package jsonshape

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// simDir is sim/, seen from this package's directory.
const simDir = "../.."

// referenceFolders are the simulators' reference folders, relative to
// sim/: <package>/testdata/reference/<upstream>. Each is checked by
// TestFidelityReferenceFiles; one that disappears fails it.
var referenceFolders = []string{
	"chacra/testdata/reference/chacra",
	"jenkins/testdata/reference/jenkins",
	"marathon/testdata/reference/marathon",
	"marathon/testdata/reference/mesos",
	"openstack/testdata/reference/openstack",
}

// TestFidelityReferenceFiles keeps the reference data in the repository
// complete and accounted for. For every folder
// sim/<package>/testdata/reference/<upstream>/:
//   - it has a README.md whose "## Files" table lists, one per row in the
//     first column, exactly the files in the folder (README.md aside);
//   - every listed file exists;
//   - every file is named, by its slash-separated path inside the folder,
//     in a string literal of <package>'s *_test.go files (the fidelity
//     tests name each file they load in full), so none lies unused.
//
// A file a test loads but that is missing fails that test (Load).
func TestFidelityReferenceFiles(t *testing.T) {
	found, err := filepath.Glob(filepath.Join(simDir, "*", "testdata", "reference", "*"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, f := range referenceFolders {
		known[f] = true
	}
	seen := map[string]bool{}
	for _, dir := range found {
		rel, _ := filepath.Rel(simDir, dir)
		rel = filepath.ToSlash(rel)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			t.Errorf("%s: not a folder: reference files go in sim/<package>/testdata/reference/<upstream>/", rel)
			continue
		}
		if !known[rel] {
			t.Errorf("%s: a reference folder not in referenceFolders; add it there", rel)
		}
		seen[rel] = true
		t.Run(rel, func(t *testing.T) { checkReferenceFolder(t, dir) })
	}
	for _, f := range referenceFolders {
		if !seen[f] {
			t.Errorf("sim/%s is missing", f)
		}
	}
}

func checkReferenceFolder(t *testing.T, dir string) {
	onDisk := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel = filepath.ToSlash(rel); rel != "README.md" {
			onDisk[rel] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatalf("no README.md saying where the files came from: %v", err)
	}
	listed, err := readmeFiles(string(readme))
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	for _, f := range sortedKeys(listed) {
		if !onDisk[f] {
			t.Errorf("README.md lists %s, which is not in the folder", f)
		}
	}
	for _, f := range sortedKeys(onDisk) {
		if !listed[f] {
			t.Errorf("%s is not listed in README.md's ## Files table", f)
		}
	}
	pkg := filepath.Dir(filepath.Dir(filepath.Dir(dir))) // <package>/testdata/reference/<upstream>
	named := testLiterals(t, pkg)
	for _, f := range sortedKeys(onDisk) {
		if !named[f] {
			t.Errorf("%s: no test in %s names it; a reference file no test reads should not be kept", f, filepath.Base(pkg))
		}
	}
}

// readmeFiles returns the files of the README's "## Files" table: the
// first cell of each row, a single `name` in backticks.
func readmeFiles(readme string) (map[string]bool, error) {
	files := map[string]bool{}
	in := false
	for i, line := range strings.Split(readme, "\n") {
		if strings.HasPrefix(line, "## ") {
			in = strings.TrimSpace(line) == "## Files"
			continue
		}
		if !in || !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(line, "|")
		first := strings.TrimSpace(cells[1])
		if first == "file" || strings.Trim(first, "-: ") == "" { // the header and its rule
			continue
		}
		name, ok := strings.CutPrefix(first, "`")
		if name, ok = strings.CutSuffix(name, "`"); !ok || name == "" || strings.ContainsAny(name, "` ") {
			return nil, fmt.Errorf("line %d: the first cell must be one `file name`, got %q", i+1, first)
		}
		if files[name] {
			return nil, fmt.Errorf("line %d: %s listed twice", i+1, name)
		}
		files[name] = true
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no \"## Files\" table listing the files")
	}
	return files, nil
}

// testLiterals returns the string literals of the *_test.go files in dir.
func testLiterals(t *testing.T, dir string) map[string]bool {
	srcs, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil || len(srcs) == 0 {
		t.Fatalf("no tests in %s: %v", dir, err)
	}
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, src := range srcs {
		f, err := parser.ParseFile(fset, src, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out[s] = true
				}
			}
			return true
		})
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
