// Package animqr is an animated QR code: a component that shows the parts
// of a UR or BBQr series one after another, for a signing device's camera.
// The caller supplies the parts through a Source made for a density (a QR
// version); keys change the speed and switch between a sparser code that
// fits an 80×24 terminal and a denser one that needs fewer frames.
package animqr

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"rsc.io/qr"

	"github.com/satchelbtc/satchel/tui/common"
)

// Source hands out the parts to show, without end: a fountain-coded UR
// makes new ones, a BBQr series starts over.
type Source interface {
	// Next returns the next part's text, ready for a QR code (upper case
	// for URs, so that the code uses the denser alphanumeric mode).
	Next() string

	// Len is the number of parts that carry the whole file once.
	Len() int
}

// NewSource makes the parts for QR codes of at most version (1 to 40) at
// error correction level L.
type NewSource func(version int) (Source, error)

// Density is a QR version the user can switch to.
type Density struct {
	Name    string
	Version int
}

// DefaultDensities are the sparser code, version 6 (41 modules: 22 lines
// with the quiet zone, which leaves an 80×24 terminal two lines for the
// title and the help), and the denser version 12.
var DefaultDensities = []Density{{"sparser", 6}, {"denser", 12}}

// KeyMap holds the component's bindings.
type KeyMap struct {
	Faster  key.Binding
	Slower  key.Binding
	Density key.Binding
	Pause   key.Binding
	Quit    key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Faster:  key.NewBinding(key.WithKeys("+", "=", "right"), key.WithHelp("+/→", "faster")),
		Slower:  key.NewBinding(key.WithKeys("-", "left"), key.WithHelp("-/←", "slower")),
		Density: key.NewBinding(key.WithKeys("d", "tab"), key.WithHelp("d", "denser/sparser")),
		Pause:   key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause")),
		Quit:    key.NewBinding(key.WithKeys("q", "esc", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// Intervals are the frame times the speed keys step through.
var Intervals = []time.Duration{100 * time.Millisecond, 150 * time.Millisecond, 250 * time.Millisecond,
	400 * time.Millisecond, 600 * time.Millisecond, time.Second, 2 * time.Second}

// defaultInterval is Intervals[2]: 250 ms, the rate BBQr recommends.
const defaultInterval = 2

// tickMsg advances the frame of the model with the same id and generation.
type tickMsg struct{ id, gen int }

var lastID int

// Model is the animated QR code.
type Model struct {
	// KeyMap holds the bindings.
	KeyMap KeyMap

	title     string
	newSource NewSource
	densities []Density
	density   int
	speed     int
	paused    bool
	quitOnKey bool

	id, gen int
	src     Source
	frame   int
	part    string
	code    common.QRCode
	qrStyle lipgloss.Style
	err     error

	width, height int
}

// Option configures New.
type Option func(*Model)

// WithStyle draws the code in st instead of the default theme's QR style;
// pages pass their theme's.
func WithStyle(st lipgloss.Style) Option {
	return func(m *Model) { m.qrStyle = st }
}

// WithDensities replaces DefaultDensities.
func WithDensities(d []Density) Option { return func(m *Model) { m.densities = d } }

// WithQuit makes the quit keys end the program (for a standalone program;
// inside the app the page's own back key applies).
func WithQuit() Option { return func(m *Model) { m.quitOnKey = true } }

// New returns the component showing the parts newSource makes, under title.
func New(title string, newSource NewSource, opts ...Option) *Model {
	lastID++
	m := &Model{KeyMap: DefaultKeyMap(), title: title, newSource: newSource,
		densities: DefaultDensities, speed: defaultInterval, id: lastID,
		qrStyle: common.DefaultStyles().QR}
	for _, o := range opts {
		o(m)
	}
	m.reset()
	return m
}

// reset makes a new source for the current density and shows its first
// part.
func (m *Model) reset() {
	m.gen++
	m.frame = 0
	m.src, m.err = m.newSource(m.densities[m.density].Version)
	if m.err == nil {
		m.advance()
	}
}

func (m *Model) advance() {
	m.part = m.src.Next()
	m.frame++
	c, ok := common.RenderQR(m.part, qr.L)
	if !ok {
		m.err = fmt.Errorf("a part of %d characters does not fit a QR code", len(m.part))
		return
	}
	m.code = c
}

func (m *Model) tick() tea.Cmd {
	id, gen := m.id, m.gen
	return tea.Tick(Intervals[m.speed], func(time.Time) tea.Msg { return tickMsg{id, gen} })
}

// Init starts the animation.
func (m *Model) Init() tea.Cmd { return m.tick() }

// SetSize sets the size the component draws in; the first call picks the
// densest code that fits.
func (m *Model) SetSize(width, height int) {
	first := m.width == 0 && m.height == 0
	m.width, m.height = width, height
	if first {
		best := 0
		for i, d := range m.densities {
			if qrLines(d.Version)+2 <= height && 17+4*d.Version+2 <= width {
				best = i
			}
		}
		if best != m.density {
			m.density = best
			m.reset()
		}
	}
}

// qrLines is how many lines a code of version takes with half blocks and a
// one-module quiet zone.
func qrLines(version int) int {
	modules := 17 + 4*version + 2
	return (modules + 1) / 2
}

// Update handles ticks, keys and sizes.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
	case tickMsg:
		if msg.id != m.id || msg.gen != m.gen {
			return m, nil
		}
		if !m.paused && m.err == nil {
			m.advance()
		}
		return m, m.tick()
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.KeyMap.Quit) && m.quitOnKey:
			return m, tea.Quit
		case key.Matches(msg, m.KeyMap.Faster):
			m.speed = max(m.speed-1, 0)
		case key.Matches(msg, m.KeyMap.Slower):
			m.speed = min(m.speed+1, len(Intervals)-1)
		case key.Matches(msg, m.KeyMap.Density):
			m.density = (m.density + 1) % len(m.densities)
			m.reset()
			return m, m.tick()
		case key.Matches(msg, m.KeyMap.Pause):
			m.paused = !m.paused
		}
	}
	return m, nil
}

// Status is the line under the code: title, frame, parts, speed and
// density.
func (m *Model) Status() string {
	if m.src == nil {
		return m.title
	}
	state := ""
	if m.paused {
		state = " · paused"
	}
	return fmt.Sprintf("%s · frame %d · %d parts a round · %v · %s%s", m.title, m.frame, m.src.Len(),
		Intervals[m.speed], m.densities[m.density].Name, state)
}

// Help is the key help line.
func (m *Model) Help() string {
	var parts []string
	for _, b := range []key.Binding{m.KeyMap.Faster, m.KeyMap.Slower, m.KeyMap.Density, m.KeyMap.Pause, m.KeyMap.Quit} {
		if b.Enabled() && (b.Help().Desc != "quit" || m.quitOnKey) {
			parts = append(parts, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return strings.Join(parts, " · ")
}

// Render draws the component: the code, then a status and a help line,
// centred in the size set.
func (m *Model) Render() string {
	var lines []string
	switch {
	case m.err != nil:
		lines = append(lines, "Error: "+m.err.Error(), "")
	case m.height > 0 && (len(m.code.Lines)+2 > m.height || m.code.Width > m.width):
		lines = append(lines, fmt.Sprintf("The code needs %d×%d; enlarge the terminal or press d for a sparser one.",
			m.code.Width, len(m.code.Lines)+2), "")
	default:
		for _, l := range m.code.Lines {
			lines = append(lines, m.qrStyle.Render(l))
		}
	}
	lines = append(lines, m.Status(), m.Help())
	out := lipgloss.JoinVertical(lipgloss.Center, lines...)
	if m.width > 0 && m.height > 0 {
		out = lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, out)
	}
	return out
}

// View draws the component on the alternate screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	return v
}

// Step shows the next frame at once, as a tick would.
func (m *Model) Step() {
	if m.err == nil {
		m.advance()
	}
}

// Part returns the text of the part shown.
func (m *Model) Part() string { return m.part }

// program adapts Model to tea.Model for a standalone program.
type program struct{ m *Model }

// Program returns a tea.Model that runs m alone, quitting on its quit keys.
func Program(m *Model) tea.Model {
	m.quitOnKey = true
	return program{m}
}

func (p program) Init() tea.Cmd { return p.m.Init() }

func (p program) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.m.Update(msg)
	return p, cmd
}

func (p program) View() tea.View { return p.m.View() }
