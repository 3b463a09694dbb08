package node

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
)

// processStart is when this process started: the log lines written before
// it are other runs' (a CLI sync, the demo's setup, yesterday's session),
// which the page leaves out by default (WithLogSince).
var processStart = time.Now()

// logEntry is one line of satchel.log, which slog's text handler writes as
// time=… level=… msg=… key=value ….
type logEntry struct {
	raw   string // the line itself, shown as it is when it is not slog's
	ok    bool   // parsed
	time  time.Time
	level string
	msg   string
	attrs []logAttr
}

// logAttr is one key=value field of a log line, its value unquoted.
type logAttr struct{ key, value string }

// parseLogLine reads a line of slog's text format. A line in another
// format comes back with ok false and only raw set.
func parseLogLine(line string) logEntry {
	e := logEntry{raw: line}
	rest := line
	var attrs []logAttr
	for rest != "" {
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			break
		}
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 || strings.ContainsAny(rest[:eq], " \"") {
			return logEntry{raw: line}
		}
		k := rest[:eq]
		rest = rest[eq+1:]
		var v string
		if strings.HasPrefix(rest, `"`) {
			end := quotedEnd(rest)
			if end < 0 {
				return logEntry{raw: line}
			}
			u, err := strconv.Unquote(rest[:end])
			if err != nil {
				return logEntry{raw: line}
			}
			v, rest = u, rest[end:]
		} else {
			sp := strings.IndexByte(rest, ' ')
			if sp < 0 {
				sp = len(rest)
			}
			v, rest = rest[:sp], rest[sp:]
		}
		attrs = append(attrs, logAttr{k, v})
	}
	if len(attrs) < 3 || attrs[0].key != "time" || attrs[1].key != "level" || attrs[2].key != "msg" {
		return logEntry{raw: line}
	}
	t, err := time.Parse(time.RFC3339Nano, attrs[0].value)
	if err != nil {
		return logEntry{raw: line}
	}
	e.ok, e.time, e.level, e.msg, e.attrs = true, t, attrs[1].value, attrs[2].value, attrs[3:]
	return e
}

// quotedEnd returns the index just past the closing quote of the Go
// quoted string s starts with, or -1.
func quotedEnd(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// stamp writes t as the log shows it: the time of day, with the date
// before it when t is not of today's date.
func stamp(t, today time.Time) string {
	if y, m, d := t.Date(); y != today.Year() || m != today.Month() || d != today.Day() {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("15:04:05")
}

// Widths of the log's columns: the time, then the level.
const (
	logTimeW  = len("15:04:05")
	logLevelW = len("ERROR")
	logIndent = logTimeW + 1 + logLevelW + 1
)

// logSpanWord is a word of a log line: spans that stay together.
type logWord []common.Span

func (w logWord) width() int {
	n := 0
	for _, s := range w {
		n += ansi.StringWidth(s.Text)
	}
	return n
}

// formatEntry lays out one entry in lines of w cells: the time and the
// level in columns of their own, then the message and the key fields,
// wrapped under the message. today is the date the page's clock says; an
// entry of another day shows its date.
func formatEntry(e logEntry, w int, st *themes.Styles, today time.Time) []string {
	if !e.ok {
		var out []string
		for _, l := range common.WordWrap(e.raw, w) {
			out = append(out, st.Normal.Render(common.Fit(l, w)))
		}
		return out
	}
	stamp := stamp(e.time, today)
	level, levelStyle := e.level, st.Muted
	switch strings.ToUpper(e.level) {
	case "WARN":
		levelStyle = st.Warning
	case "ERROR":
		levelStyle = st.Error
	}
	var words []logWord
	for _, f := range strings.Fields(e.msg) {
		words = append(words, logWord{{Text: f, Style: st.Normal}})
	}
	for _, a := range e.attrs {
		val := a.value
		if val == "" {
			val = `""`
		}
		style := st.Normal
		if a.key == "err" || a.key == "error" {
			style = st.Error
		}
		vals := strings.Fields(val)
		if len(vals) == 0 {
			vals = []string{val}
		}
		words = append(words, logWord{{Text: a.key + "=", Style: st.Muted}, {Text: vals[0], Style: style}})
		for _, v := range vals[1:] {
			words = append(words, logWord{{Text: v, Style: style}})
		}
	}
	prefix := []common.Span{{Text: stamp + " ", Style: st.Muted},
		{Text: common.PadRight(level, logLevelW) + " ", Style: levelStyle}}
	indent := ansi.StringWidth(stamp) + 1 + logLevelW + 1
	if w-indent < 20 {
		indent = 0 // too narrow to indent: continuation lines start at the edge
	}
	return wrapWords(prefix, words, w, indent, st)
}

// wrapWords lays words out after prefix in lines of w cells, continuation
// lines indented by indent cells; a word longer than a line is cut.
func wrapWords(prefix []common.Span, words []logWord, w, indent int, st *themes.Styles) []string {
	var out []string
	line := append([]common.Span(nil), prefix...)
	used := logWord(prefix).width()
	empty := true // no word on the line yet
	flush := func() {
		out = append(out, common.Line(w, st.Normal, line...))
		line = []common.Span{{Text: strings.Repeat(" ", indent), Style: st.Normal}}
		used, empty = indent, true
	}
	if used >= w {
		flush()
	}
	for _, word := range words {
		ww := word.width()
		// A word that fits a fresh line goes there whole; a longer one
		// (a txid at 80 columns) starts where it is and is cut.
		if !empty && used+1+ww > w && (ww <= w-indent || used+1 >= w) {
			flush()
		}
		if !empty {
			line = append(line, common.Span{Text: " ", Style: st.Normal})
			used++
		}
		for ww > w-used {
			// Cut the word where the line ends and go on below.
			head, tail := splitWord(word, w-used)
			line = append(line, head...)
			flush()
			word, ww = tail, tail.width()
		}
		line = append(line, word...)
		used += ww
		empty = false
	}
	if !empty || len(out) == 0 {
		out = append(out, common.Line(w, st.Normal, line...))
	}
	return out
}

// splitWord cuts a word after n cells.
func splitWord(word logWord, n int) (head, tail logWord) {
	for i, s := range word {
		sw := ansi.StringWidth(s.Text)
		if n >= sw {
			head = append(head, s)
			n -= sw
			continue
		}
		if n > 0 {
			head = append(head, common.Span{Text: ansi.Truncate(s.Text, n, ""), Style: s.Style})
		}
		tail = append(tail, common.Span{Text: ansi.TruncateLeft(s.Text, n, ""), Style: s.Style})
		tail = append(tail, word[i+1:]...)
		return head, tail
	}
	return head, nil
}

// logView lays out the newest entries that fit in rows lines of w cells,
// oldest first; an entry taller than the whole area shows its first lines.
func logView(entries []logEntry, w, rows int, st *themes.Styles, today time.Time) []string {
	var blocks [][]string
	n := 0
	for i := len(entries) - 1; i >= 0 && n < rows; i-- {
		b := formatEntry(entries[i], w, st, today)
		if n+len(b) > rows {
			if n == 0 {
				blocks = append(blocks, b[:rows])
			}
			break
		}
		blocks = append(blocks, b)
		n += len(b)
	}
	var out []string
	for i := len(blocks) - 1; i >= 0; i-- {
		out = append(out, blocks[i]...)
	}
	return out
}
