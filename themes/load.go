package themes

import (
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Errors wrapped by a [*FileError]; match them with errors.Is.
var (
	// ErrBadColor means a colour is not written as "#rrggbb".
	ErrBadColor = errors.New("is not a #rrggbb color")
	// ErrUnknownKey means a theme file has a key satchel does not know,
	// usually a misspelt colour name.
	ErrUnknownKey = errors.New("unknown key")
	// ErrBadName means the name key is not a non-empty string.
	ErrBadName = errors.New("name must be a non-empty string")
	// ErrDuplicateName means two theme files give the same name.
	ErrDuplicateName = errors.New("another theme file has the same name")
)

// FileError is a problem with one user theme file. Its message names the file
// and, where there is one, the key, so that the user knows what to fix:
//
//	themes/mine.toml: accent: "#zz0000" is not a #rrggbb color
type FileError struct {
	// Path is the theme file, as Load was given it (dir joined with the
	// file name).
	Path string
	// Key is the TOML key at fault; empty when the whole file is at fault
	// (for example, it is not valid TOML).
	Key string
	// Err says what is wrong; it wraps one of the Err* values above or the
	// TOML decoder's error.
	Err error
}

// Error implements error.
func (e *FileError) Error() string {
	if e.Key == "" {
		return e.Path + ": " + e.Err.Error()
	}
	return e.Path + ": " + e.Key + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// Load reads the user themes in dir: every file whose name ends in ".toml", in
// file name order. A theme's name is its file name without ".toml" unless the
// file sets name; colours it leaves out are those of the default palette.
// A missing dir is not an error: it returns no palettes. The first bad file
// stops the load and is returned as a [*FileError].
func Load(dir string) ([]Palette, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading themes: %w", err)
	}
	var (
		out    []Palette
		byName = make(map[string]string) // lower-case name → path
	)
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".toml") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading theme: %w", err)
		}
		defaultName := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		p, err := parse(path, defaultName, data)
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(p.Name)
		if other, ok := byName[key]; ok {
			return nil, &FileError{Path: path, Key: "name",
				Err: fmt.Errorf("%q: %w (%s)", p.Name, ErrDuplicateName, other)}
		}
		byName[key] = path
		out = append(out, p)
	}
	return out, nil
}

// parse decodes one theme file. path is used in errors only.
func parse(path, defaultName string, data []byte) (Palette, error) {
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return Palette{}, &FileError{Path: path, Err: err}
	}

	p := Palette{Name: defaultName}
	fields := make(map[string]*color.Color)
	known := []string{"name"}
	for _, f := range p.colors() {
		fields[f.key] = f.c
		known = append(known, f.key)
	}

	// Sorted so that a file with several mistakes always reports the same one.
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := raw[k]
		if k == "name" {
			s, ok := v.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return Palette{}, &FileError{Path: path, Key: k, Err: ErrBadName}
			}
			p.Name = s
			continue
		}
		dst, ok := fields[k]
		if !ok {
			return Palette{}, &FileError{Path: path, Key: k,
				Err: fmt.Errorf("%w; the keys are %s", ErrUnknownKey, strings.Join(known, ", "))}
		}
		s, ok := v.(string)
		if !ok {
			return Palette{}, &FileError{Path: path, Key: k,
				Err: fmt.Errorf("%v %w (write it quoted, like \"#f7931a\")", v, ErrBadColor)}
		}
		c, ok := parseHex(s)
		if !ok {
			return Palette{}, &FileError{Path: path, Key: k, Err: fmt.Errorf("%q %w", s, ErrBadColor)}
		}
		*dst = c
	}
	return p.complete(), nil
}

// parseHex parses exactly "#rrggbb" (either case). lipgloss.Color is not used
// because it accepts other forms and turns mistakes into "no colour".
func parseHex(s string) (color.Color, bool) {
	if len(s) != 7 || s[0] != '#' {
		return nil, false
	}
	var rgb [3]uint8
	for i := range rgb {
		hi, ok1 := hexDigit(s[1+2*i])
		lo, ok2 := hexDigit(s[2+2*i])
		if !ok1 || !ok2 {
			return nil, false
		}
		rgb[i] = hi<<4 | lo
	}
	return color.RGBA{R: rgb[0], G: rgb[1], B: rgb[2], A: 0xff}, true
}

func hexDigit(b byte) (uint8, bool) {
	switch {
	case '0' <= b && b <= '9':
		return b - '0', true
	case 'a' <= b && b <= 'f':
		return b - 'a' + 10, true
	case 'A' <= b && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}
