package themes

import (
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	def := Builtin()[0]
	orange := color.RGBA{0xff, 0x99, 0x00, 0xff}

	full := "name = \"full\"\n"
	for _, f := range def.colors() {
		full += f.key + " = \"#102030\"\n"
	}

	tests := []struct {
		name  string
		files map[string]string // file name → contents
		// On success: the palettes wanted, in order.
		want []Palette
		// On failure: the error wanted, and the exact message.
		wantErr error
		wantMsg string
	}{
		{
			name:  "empty dir",
			files: map[string]string{},
		},
		{
			name:  "every key set",
			files: map[string]string{"a.toml": full},
			want:  []Palette{allColors("full", color.RGBA{0x10, 0x20, 0x30, 0xff})},
		},
		{
			name:  "partial file inherits from default, name from file name",
			files: map[string]string{"mine.toml": `accent = "#FF9900"`},
			want:  []Palette{with(def, "mine", func(p *Palette) { p.Accent = orange })},
		},
		{
			name: "several files in file name order, other files ignored",
			files: map[string]string{
				"b.toml":         `name = "Bee"`,
				"a.toml":         ``,
				"notes.txt":      `accent = "nope"`,
				"b.toml~":        `garbage`,
				"sub.toml/x.txt": ``,
			},
			want: []Palette{with(def, "a", nil), with(def, "Bee", nil)},
		},
		{
			name:    "bad colour",
			files:   map[string]string{"mine.toml": `accent = "#zz0000"`},
			wantErr: ErrBadColor,
			wantMsg: `mine.toml: accent: "#zz0000" is not a #rrggbb color`,
		},
		{
			name:    "short colour",
			files:   map[string]string{"mine.toml": `error = "#f00"`},
			wantErr: ErrBadColor,
			wantMsg: `mine.toml: error: "#f00" is not a #rrggbb color`,
		},
		{
			name:    "colour name",
			files:   map[string]string{"mine.toml": `muted = "grey"`},
			wantErr: ErrBadColor,
			wantMsg: `mine.toml: muted: "grey" is not a #rrggbb color`,
		},
		{
			name:    "colour not a string",
			files:   map[string]string{"mine.toml": `border = 0xff0000`},
			wantErr: ErrBadColor,
			wantMsg: `mine.toml: border: 16711680 is not a #rrggbb color (write it quoted, like "#f7931a")`,
		},
		{
			name:    "unknown key",
			files:   map[string]string{"mine.toml": "accent = \"#ff9900\"\naccnet = \"#ff9900\""},
			wantErr: ErrUnknownKey,
			wantMsg: `mine.toml: accnet: unknown key; the keys are name, background, foreground, muted, accent, accent2, success, warning, error, border, selection, selection_text`,
		},
		{
			name:    "unknown table",
			files:   map[string]string{"mine.toml": "[colors]\naccent = \"#ff9900\""},
			wantErr: ErrUnknownKey,
		},
		{
			name:    "empty name",
			files:   map[string]string{"mine.toml": `name = ""`},
			wantErr: ErrBadName,
			wantMsg: `mine.toml: name: name must be a non-empty string`,
		},
		{
			name: "duplicate name",
			files: map[string]string{
				"a.toml": `name = "Same"`,
				"b.toml": `name = "same"`,
			},
			wantErr: ErrDuplicateName,
		},
		{
			name:  "not TOML",
			files: map[string]string{"mine.toml": `accent = `},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				path := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Load(dir)

			wantFail := tt.wantErr != nil || tt.name == "not TOML"
			if !wantFail {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if len(got) != len(tt.want) {
					t.Fatalf("Load returned %d palettes, want %d", len(got), len(tt.want))
				}
				for i := range got {
					if !samePalette(got[i], tt.want[i]) {
						t.Errorf("palette %d = %+v, want %+v", i, got[i], tt.want[i])
					}
				}
				return
			}

			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Load error = %v, want a *FileError", err)
			}
			if !strings.HasPrefix(err.Error(), dir+string(filepath.Separator)) {
				t.Errorf("error %q does not name the file", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Load error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantMsg != "" {
				if want := filepath.Join(dir, tt.wantMsg); err.Error() != want {
					t.Errorf("Load error:\n got %s\nwant %s", err, want)
				}
			}
			if got != nil {
				t.Errorf("Load returned palettes with an error: %v", got)
			}
		})
	}
}

func TestLoadMissingDir(t *testing.T) {
	got, err := Load(filepath.Join(t.TempDir(), "themes"))
	if err != nil || got != nil {
		t.Errorf("Load(missing dir) = %v, %v; want nil, nil", got, err)
	}
}

func TestLoadDirIsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "themes")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Error("Load(a file) succeeded, want an error")
	}
}

// with returns a copy of p renamed to name and changed by edit.
func with(p Palette, name string, edit func(*Palette)) Palette {
	p.Name = name
	if edit != nil {
		edit(&p)
	}
	return p
}

// allColors returns a palette whose every colour is c.
func allColors(name string, c color.Color) Palette {
	p := Palette{Name: name}
	for _, f := range p.colors() {
		*f.c = c
	}
	return p
}
