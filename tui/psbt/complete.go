package psbt

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// maxCandidates bounds the file names a completion lists.
const maxCandidates = 50

// complete returns a command that completes the file name typed in the
// field: the longest prefix the matching names share, with a slash after
// a folder; the names themselves when there are several.
func (m *Model) complete() tea.Cmd {
	m.seq++
	id, seq, typed := m.id, m.seq, m.input.Value()
	return func() tea.Msg {
		value, names, err := completePath(typed)
		return completedMsg{id: id, seq: seq, typed: typed, value: value, candidates: names, err: err}
	}
}

// applyCompletion puts a completion in the field.
func (m *Model) applyCompletion(msg completedMsg) {
	m.err = ""
	if msg.err != nil {
		m.err = "Cannot list the folder: " + msg.err.Error()
		return
	}
	m.candidates = msg.candidates
	if msg.value == msg.typed && len(msg.candidates) == 0 {
		m.err = "No file name starts with that."
		return
	}
	m.input.SetValue(msg.value)
	m.input.CursorEnd()
}

// completePath completes typed against the folder it names (relative to
// the current directory). It returns the new value of the field and, when
// more than one name matches, the matching names.
func completePath(typed string) (string, []string, error) {
	dir, prefix := filepath.Split(typed)
	readDir := dir
	if readDir == "" {
		readDir = "."
	}
	if strings.HasPrefix(readDir, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			readDir = filepath.Join(home, readDir[2:])
		}
	}
	entries, err := os.ReadDir(readDir)
	if err != nil {
		return typed, nil, unwrapPath(err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, prefix) || (strings.HasPrefix(n, ".") && !strings.HasPrefix(prefix, ".")) {
			continue
		}
		if e.IsDir() || isDirLink(filepath.Join(readDir, n)) {
			n += string(filepath.Separator)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	switch len(names) {
	case 0:
		return typed, nil, nil
	case 1:
		return dir + names[0], nil, nil
	}
	common := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, common) {
			common = common[:len(common)-1]
		}
	}
	if len(names) > maxCandidates {
		names = names[:maxCandidates]
	}
	return dir + common, names, nil
}

// isDirLink reports whether path is a symbolic link to a folder.
func isDirLink(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return false
	}
	fi, err = os.Stat(path)
	return err == nil && fi.IsDir()
}
