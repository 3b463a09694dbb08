package settings

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
)

var themeNames = []string{"default", "light", "high-contrast", "mono", "mine"}

// fakeSaver records what it is asked to write.
type fakeSaver struct {
	saved []Settings
	err   error
}

func (f *fakeSaver) Save(s Settings) error {
	if f.err != nil {
		return f.err
	}
	f.saved = append(f.saved, s)
	return nil
}

func (f *fakeSaver) last(t *testing.T) Settings {
	t.Helper()
	if len(f.saved) == 0 {
		t.Fatal("nothing was saved")
	}
	return f.saved[len(f.saved)-1]
}

func sampleSettings() Settings {
	return Settings{
		Theme:    "default",
		Units:    "btc",
		FeeRate:  2,
		Peers:    []string{"127.0.0.1:18444"},
		AutoLock: 5 * time.Minute,
	}
}

// harness drives the page as the runtime would: it runs commands, feeds
// the page its own results and keeps the messages meant for the root.
type harness struct {
	t     *testing.T
	m     *Model
	saver *fakeSaver
	out   []tea.Msg
}

func newHarness(t *testing.T, w, h int) *harness {
	t.Helper()
	saver := &fakeSaver{}
	m := New(common.NewCommon(t.Context(), w, h), sampleSettings(), themeNames, saver)
	hs := &harness{t: t, m: m, saver: saver}
	hs.run(m.Init())
	return hs
}

func (hs *harness) run(cmd tea.Cmd) {
	hs.t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 50 {
			hs.t.Fatal("page keeps issuing commands")
		}
		cmd, queue = queue[0], queue[1:]
		if cmd == nil {
			continue
		}
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case savedMsg:
			_, next := hs.m.Update(msg)
			queue = append(queue, next)
		default:
			hs.out = append(hs.out, msg)
		}
	}
}

// press sends keys and returns the messages they made for the root.
func (hs *harness) press(keys ...string) []tea.Msg {
	hs.t.Helper()
	hs.out = nil
	for _, k := range keys {
		_, cmd := hs.m.Update(keyMsg(k))
		hs.run(cmd)
	}
	return hs.out
}

func (hs *harness) typeText(s string) {
	hs.t.Helper()
	for _, r := range s {
		hs.press(string(r))
	}
}

// clear empties the text field.
func (hs *harness) clear() {
	hs.t.Helper()
	hs.m.Update(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
}

func (hs *harness) view() string  { return hs.m.View().Content }
func (hs *harness) plain() string { return ansi.Strip(hs.view()) }

func keyMsg(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	if c, ok := strings.CutPrefix(s, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: []rune(c)[0], Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// oneLine joins the view's words, so that wrapped prose reads as a line.
func oneLine(v string) string { return strings.Join(strings.Fields(ansi.Strip(v)), " ") }

func TestSettingsView(t *testing.T) {
	tests := []struct {
		name string
		w, h int
		keys []string
		typ  string
	}{
		{name: "list_80x24"},
		{name: "list_120x40", w: 120, h: 40, keys: []string{"G"}},
		{name: "fee_invalid_80x24", keys: []string{"j", "j", "enter", "backspace"}, typ: "0"},
		{name: "peers_edit_120x40", w: 120, h: 40, keys: []string{"j", "j", "j", "enter"}, typ: ", node.example:8333"},
		{name: "theme_list_80x24", keys: []string{"enter", "j", "j"}},
		{name: "saved_80x24", keys: []string{"j", "right"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.w == 0 {
				tt.w, tt.h = 80, 24
			}
			hs := newHarness(t, tt.w, tt.h)
			hs.press(tt.keys...)
			hs.typeText(tt.typ)
			v := hs.view()
			tuitest.AssertFits(t, v, tt.w, tt.h)
			golden.RequireEqual(t, v)
		})
	}
}

func TestSettingsViewFits(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {60, 16}, {40, 10}, {20, 4}, {10, 2}} {
		for _, keys := range [][]string{nil, {"enter"}, {"G", "enter"}, {"j", "j", "j", "enter"}} {
			w, h := size[0], size[1]
			t.Run(fmt.Sprintf("%dx%d_%v", w, h, keys), func(t *testing.T) {
				hs := newHarness(t, w, h)
				hs.press(keys...)
				tuitest.AssertFits(t, hs.view(), w, h)
			})
		}
	}
}

func TestSettingsList(t *testing.T) {
	hs := newHarness(t, 80, 24)
	v := hs.plain()
	for _, want := range []string{
		"> Theme       default",
		"  Units       BTC",
		"  Fee rate    2 sat/vB",
		"  Peers       127.0.0.1:18444",
		"  Auto-lock   5m",
		"peers apply at next start",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("%q missing:\n%s", want, v)
		}
	}
	if hs.m.Capturing() {
		t.Error("capturing with no field open")
	}
	if len(hs.saver.saved) != 0 {
		t.Error("saved before anything changed")
	}
}

func TestFeeRateInvalidThenValid(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("j", "j", "enter")
	if !hs.m.Capturing() {
		t.Fatal("enter on the fee rate did not open a text field")
	}
	if v := hs.plain(); !strings.Contains(v, "> 2") {
		t.Errorf("the field does not start from the current rate:\n%s", v)
	}
	hs.clear()
	for _, tt := range []struct{ typed, want string }{
		{"abc", `"abc" is not a number: type a fee rate in sat/vB, like 2 or 12.5`},
		{"0", "the fee rate must be more than 0 sat/vB"},
		{"-3", "the fee rate must be more than 0 sat/vB"},
		{"1000.5", "the fee rate must be at most 1000 sat/vB"},
		{"NaN", `"NaN" is not a number`},
		{"1e999", `"1e999" is not a number`},
		{"", "type a fee rate in sat/vB, like 2 or 12.5"},
	} {
		hs.clear()
		hs.typeText(tt.typed)
		if v := oneLine(hs.view()); !strings.Contains(v, tt.want) {
			t.Errorf("typed %q: want %q on screen:\n%s", tt.typed, tt.want, hs.plain())
		}
		if out := hs.press("enter"); len(out) != 0 || len(hs.saver.saved) != 0 {
			t.Fatalf("typed %q: enter saved (%v) or emitted %#v", tt.typed, hs.saver.saved, out)
		}
		if !hs.m.Capturing() {
			t.Fatalf("typed %q: enter closed the field on a bad value", tt.typed)
		}
	}

	// q and digits are typed, not global, while the field has focus.
	hs.clear()
	hs.typeText("12.5")
	if v := hs.plain(); !strings.Contains(v, "Send starts from 12.5 sat/vB.") {
		t.Errorf("valid value not confirmed:\n%s", v)
	}
	out := hs.press("enter")
	if got := hs.saver.last(t); got.FeeRate != 12.5 {
		t.Errorf("saved fee rate %v, want 12.5", got.FeeRate)
	}
	if len(out) != 1 {
		t.Fatalf("emitted %#v, want one ChangedMsg", out)
	}
	if c, ok := out[0].(ChangedMsg); !ok || c.Settings.FeeRate != 12.5 || c.Settings.Theme != "default" {
		t.Errorf("emitted %#v", out[0])
	}
	v := hs.plain()
	if !strings.Contains(v, "Saved to config.toml.") || !strings.Contains(v, "Fee rate    12.5 sat/vB") {
		t.Errorf("save not shown:\n%s", v)
	}
	if hs.m.Capturing() {
		t.Error("field still open after saving")
	}
}

func TestThemeChange(t *testing.T) {
	hs := newHarness(t, 80, 24)
	// → switches at once.
	out := hs.press("right")
	if len(out) != 1 || out[0].(ChangedMsg).Settings.Theme != "light" {
		t.Fatalf("→ on the theme emitted %#v, want ChangedMsg with light", out)
	}
	if hs.saver.last(t).Theme != "light" {
		t.Errorf("saved theme %q", hs.saver.last(t).Theme)
	}
	// ← goes back, wrapping around.
	hs.press("left", "left")
	if got := hs.m.Settings().Theme; got != "mine" {
		t.Errorf("after ← ← the theme is %q, want mine", got)
	}
	// enter picks from the list; esc leaves it unchanged.
	hs.press("enter")
	if v := hs.plain(); !strings.Contains(v, "Choose a theme") || !strings.Contains(v, "> mine (current)") {
		t.Fatalf("theme list not shown:\n%s", v)
	}
	if out := hs.press("k", "esc"); len(out) != 0 || hs.m.Settings().Theme != "mine" {
		t.Errorf("esc applied the theme: %#v", out)
	}
	out = hs.press("enter", "g", "j", "j", "enter")
	if len(out) != 1 || out[0].(ChangedMsg).Settings.Theme != "high-contrast" {
		t.Fatalf("choosing from the list emitted %#v", out)
	}
	if v := hs.plain(); !strings.Contains(v, "Theme       high-contrast") {
		t.Errorf("new theme not shown:\n%s", v)
	}
}

func TestUnitsToggle(t *testing.T) {
	hs := newHarness(t, 80, 24)
	out := hs.press("j", "enter")
	if len(out) != 1 || out[0].(ChangedMsg).Settings.Units != UnitsSats {
		t.Fatalf("enter on units emitted %#v", out)
	}
	if !strings.Contains(hs.plain(), "Units       sats") {
		t.Errorf("units not shown as sats:\n%s", hs.plain())
	}
	hs.press("right")
	if hs.saver.last(t).Units != UnitsBTC {
		t.Errorf("→ did not switch back to btc")
	}
}

func TestPeers(t *testing.T) {
	hs := newHarness(t, 120, 40)
	hs.press("j", "j", "j", "enter")
	hs.clear()
	for _, tt := range []struct{ typed, want string }{
		{"localhost", `peer "localhost" is not host:port`},
		{"1.2.3.4:0", `peer "1.2.3.4:0": the port must be a number from 1 to 65535`},
		{"1.2.3.4:70000", "the port must be a number from 1 to 65535"},
		{":8333", `peer ":8333" needs a host name or IP address`},
		{"a:1, a:1", `peer "a:1" is listed twice`},
	} {
		hs.clear()
		hs.typeText(tt.typed)
		if v := oneLine(hs.view()); !strings.Contains(v, tt.want) {
			t.Errorf("typed %q: want %q:\n%s", tt.typed, tt.want, hs.plain())
		}
		hs.press("enter")
		if len(hs.saver.saved) != 0 {
			t.Fatalf("typed %q: saved %v", tt.typed, hs.saver.saved)
		}
	}
	hs.clear()
	hs.typeText(" 10.0.0.1:8333 , [::1]:18444,")
	hs.press("enter")
	want := []string{"10.0.0.1:8333", "[::1]:18444"}
	if got := hs.saver.last(t).Peers; !slices.Equal(got, want) {
		t.Errorf("saved peers %q, want %q", got, want)
	}
	if v := hs.plain(); !strings.Contains(v, "Peers       10.0.0.1:8333, [::1]:18444") {
		t.Errorf("peers not shown:\n%s", v)
	}
	// An empty list means find peers.
	hs.press("enter")
	hs.clear()
	hs.press("enter")
	if got := hs.saver.last(t).Peers; len(got) != 0 {
		t.Errorf("saved peers %q, want none", got)
	}
	if !strings.Contains(hs.plain(), "none: satchel finds peers") {
		t.Errorf("empty peers not explained:\n%s", hs.plain())
	}
}

func TestAutoLock(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("G", "k") // Exports is last, Auto-lock above it
	hs.press("right")
	if got := hs.saver.last(t).AutoLock; got != 15*time.Minute {
		t.Errorf("→ from 5m gave %v, want 15m", got)
	}
	hs.press("right", "right")
	if got := hs.saver.last(t).AutoLock; got != 0 || !strings.Contains(hs.plain(), "Auto-lock   never") {
		t.Errorf("→ past 60m gave %v, want never:\n%s", got, hs.plain())
	}
	hs.press("enter")
	hs.clear()
	for _, tt := range []struct{ typed, want string }{
		{"10s", "auto-lock must be at least 30s, or never"},
		{"5", `"5" is not a delay: write it like 90s, 5m or 1h, or never`},
		{"soon", `"soon" is not a delay`},
	} {
		hs.clear()
		hs.typeText(tt.typed)
		if v := oneLine(hs.view()); !strings.Contains(v, tt.want) {
			t.Errorf("typed %q: want %q:\n%s", tt.typed, tt.want, hs.plain())
		}
	}
	hs.clear()
	hs.typeText("90s")
	if !strings.Contains(hs.plain(), "Locks after 1m30s without a key press.") {
		t.Errorf("valid delay not confirmed:\n%s", hs.plain())
	}
	hs.press("enter")
	if got := hs.saver.last(t).AutoLock; got != 90*time.Second {
		t.Errorf("saved %v, want 90s", got)
	}
	// A typed delay steps to the nearest preset.
	hs.press("left")
	if got := hs.saver.last(t).AutoLock; got != time.Minute {
		t.Errorf("← from 90s gave %v, want 1m", got)
	}
}

func TestSaveErrorAndRetry(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.saver.err = errors.New("open /home/u/.config/satchel/config.toml: permission denied")
	if out := hs.press("right"); len(out) != 0 {
		t.Errorf("a failed save emitted %#v", out)
	}
	v := oneLine(hs.view())
	if !strings.Contains(v, "Could not save the settings: open /home/u/.config/satchel/config.toml: permission denied. Press ctrl+s to try again.") {
		t.Errorf("save error not shown:\n%s", hs.plain())
	}
	hs.saver.err = nil
	out := hs.press("ctrl+s")
	if len(out) != 1 || out[0].(ChangedMsg).Settings.Theme != "light" {
		t.Fatalf("ctrl+s emitted %#v", out)
	}
	if !strings.Contains(hs.plain(), "Saved to config.toml.") {
		t.Errorf("retry not shown:\n%s", hs.plain())
	}
}

// TestSavesInOrder checks that a change made while a save runs is written
// after it, so the file ends with the newest settings.
func TestSavesInOrder(t *testing.T) {
	hs := newHarness(t, 80, 24)
	_, first := hs.m.Update(keyMsg("right")) // light, save starts
	_, second := hs.m.Update(keyMsg("right"))
	if second != nil {
		t.Fatal("a second save started while the first ran")
	}
	if !strings.Contains(hs.plain(), "Saving…") {
		t.Errorf("no progress shown:\n%s", hs.plain())
	}
	hs.out = nil
	hs.run(first)
	if len(hs.saver.saved) != 2 || hs.saver.saved[0].Theme != "light" || hs.saver.saved[1].Theme != "high-contrast" {
		t.Fatalf("saves %v, want light then high-contrast", hs.saver.saved)
	}
	if len(hs.out) != 2 || hs.out[1].(ChangedMsg).Settings.Theme != "high-contrast" {
		t.Errorf("emitted %#v", hs.out)
	}

	// Another page's result is ignored.
	other := New(common.NewCommon(t.Context(), 80, 24), Settings{}, themeNames, &fakeSaver{})
	_, cmd := other.Update(keyMsg("right"))
	hs.m.Update(cmd())
	if hs.m.Settings().Theme != "high-contrast" || hs.m.saving {
		t.Errorf("another page's save result was applied")
	}
}

func TestNewNormalises(t *testing.T) {
	peers := []string{"a:1"}
	m := New(common.NewCommon(t.Context(), 80, 24), Settings{Units: "SAT", Peers: peers}, themeNames, nil)
	s := m.Settings()
	if s.Theme != "default" || s.Units != UnitsSats {
		t.Errorf("got theme %q units %q", s.Theme, s.Units)
	}
	s.Peers[0] = "changed"
	if peers[0] != "a:1" || m.Settings().Peers[0] != "a:1" {
		t.Error("the page shares its peers slice with the caller")
	}
	// A nil saver is reported, not a panic.
	_, cmd := m.Update(keyMsg("right"))
	m.Update(cmd())
	if v := oneLine(m.View().Content); !strings.Contains(v, "Could not save the settings: there is no config file to write") {
		t.Errorf("nil saver not reported:\n%s", v)
	}
}

func TestParseFeeRate(t *testing.T) {
	for in, want := range map[string]float64{"2": 2, " 12.5 ": 12.5, "12 sat/vB": 12, "3SAT/VB": 3, "1000": 1000, "0.1": 0.1} {
		if got, err := parseFeeRate(in); err != nil || got != want {
			t.Errorf("parseFeeRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "sat/vB", "0", "-1", "1001", "Inf", "2 btc", "1,5"} {
		if _, err := parseFeeRate(in); err == nil {
			t.Errorf("parseFeeRate(%q) accepted", in)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "never", 30 * time.Second: "30s", 90 * time.Second: "1m30s", time.Minute: "1m",
		60 * time.Minute: "60m", 2 * time.Hour: "2h", 150 * time.Minute: "150m",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
		if d > 0 {
			if back, err := parseAutoLock(formatDuration(d)); err != nil || back != d {
				t.Errorf("parseAutoLock(%q) = %v, %v", formatDuration(d), back, err)
			}
		}
	}
}

// TestKeyMapHelpAndConflicts checks that the page's bindings have help text
// and that the browsing ones do not clash with the shared ones.
func TestKeyMapHelpAndConflicts(t *testing.T) {
	shared := map[string]bool{}
	for _, g := range common.DefaultKeyMap().FullHelp() {
		for _, b := range g {
			for _, k := range b.Keys() {
				shared[k] = true
			}
		}
	}
	km := DefaultKeyMap()
	for _, b := range []struct {
		name  string
		keys  []string
		help  string
		check bool
	}{
		{"prev", km.Prev.Keys(), km.Prev.Help().Desc, true},
		{"next", km.Next.Keys(), km.Next.Help().Desc, true},
		{"save", km.Save.Keys(), km.Save.Help().Desc, true},
		{"submit", km.Submit.Keys(), km.Submit.Help().Desc, false},
		{"cancel", km.Cancel.Keys(), km.Cancel.Help().Desc, false},
	} {
		if b.help == "" || len(b.keys) == 0 {
			t.Errorf("%s has no keys or help", b.name)
		}
		for _, k := range b.keys {
			if b.check && shared[k] {
				t.Errorf("%s uses %q, a shared key", b.name, k)
			}
		}
	}
}

// TestNoColor checks that colourless styles (NO_COLOR) leave no colour in
// the page.
func TestNoColor(t *testing.T) {
	c := common.NewCommon(t.Context(), 80, 24)
	c.Styles = themes.NewStyles(themes.Builtin()[0], true)
	hs := &harness{t: t, saver: &fakeSaver{}}
	hs.m = New(c, sampleSettings(), themeNames, hs.saver)
	for _, keys := range [][]string{nil, {"enter"}, {"j", "j", "enter"}} {
		hs.press(keys...)
		v := hs.view()
		tuitest.AssertFits(t, v, 80, 24)
		if colours := tuitest.Colors(v); len(colours) > 0 {
			t.Errorf("after %v the view has colour %q:\n%q", keys, colours, v)
		}
		hs.press("esc")
	}
}

// The export folder is typed; empty is the current folder.
func TestExportDir(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.press("G", "enter")
	hs.typeText("/srv/psbts")
	if !strings.Contains(hs.plain(), "PSBTs are exported to /srv/psbts.") {
		t.Errorf("the folder is not explained:\n%s", hs.plain())
	}
	hs.press("enter")
	if got := hs.saver.last(t).ExportDir; got != "/srv/psbts" {
		t.Errorf("saved export folder %q", got)
	}
	if !strings.Contains(hs.plain(), "Exports     /srv/psbts") {
		t.Errorf("the folder is not shown:\n%s", hs.plain())
	}
	hs.press("enter")
	hs.clear()
	hs.press("enter")
	if got := hs.saver.last(t).ExportDir; got != "" || !strings.Contains(hs.plain(), "Exports     the current folder") {
		t.Errorf("an empty folder saved %q:\n%s", got, hs.plain())
	}
}
