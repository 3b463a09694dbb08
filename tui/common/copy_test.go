package common

import "testing"

func TestClipboardFor(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want Clipboard
	}{
		{map[string]string{"TERM": "xterm-256color"}, ClipboardOSC52},
		{map[string]string{"TERM": "alacritty"}, ClipboardOSC52},
		{map[string]string{"TERM": "tmux-256color", "TMUX": "/tmp/tmux-1000/default,42,0"}, ClipboardTmux},
		{map[string]string{"TERM": "linux"}, ClipboardNone},
		{map[string]string{"TERM": "dumb"}, ClipboardNone},
		{map[string]string{"TERM": "vt100"}, ClipboardNone},
		{map[string]string{}, ClipboardNone},
	}
	for _, tt := range tests {
		if got := ClipboardFor(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("ClipboardFor(%v) = %d, want %d", tt.env, got, tt.want)
		}
	}
}

func TestCopyDropsEmptyItems(t *testing.T) {
	if Copy(CopyItem{What: "txid"}) != nil {
		t.Error("Copy of nothing returned a command")
	}
	msg := Copy(CopyItem{What: "address"}, CopyItem{What: "txid", Text: "ab"})().(CopyMsg)
	if len(msg.Items) != 1 || msg.Items[0].What != "txid" {
		t.Errorf("Copy kept %+v, want only the txid", msg.Items)
	}
}
