package app_test

import (
	"reflect"
	"strings"
	"testing"
	"unicode"

	"charm.land/bubbles/v2/key"

	"github.com/satchelbtc/satchel/tui/animqr"
	"github.com/satchelbtc/satchel/tui/app"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/explorer"
	"github.com/satchelbtc/satchel/tui/keys"
	psbtpage "github.com/satchelbtc/satchel/tui/psbt"
	"github.com/satchelbtc/satchel/tui/settings"
	"github.com/satchelbtc/satchel/tui/wallet"
	"github.com/satchelbtc/satchel/tui/wizard"
)

// bindings returns every key.Binding field of a keymap struct, named.
func bindings(name string, km any) map[string]key.Binding {
	out := map[string]key.Binding{}
	v := reflect.ValueOf(km)
	for i := range v.NumField() {
		f := v.Field(i)
		switch b := f.Interface().(type) {
		case key.Binding:
			out[name+"."+v.Type().Field(i).Name] = b
		case [5]key.Binding:
			for j, t := range b {
				out[name+"."+v.Type().Field(i).Name+string(rune('1'+j))] = t
			}
		}
	}
	return out
}

// contextual keys take their meaning from where the cursor is.
func contextual(k string) bool {
	switch k {
	case "enter", "esc", "tab", "shift+tab", "space", "backspace",
		"up", "down", "left", "right", "home", "end", "pgup", "pgdown":
		return true
	}
	return false
}

// pairs are bindings that share a key on purpose, the help showing the
// one that applies.
var pairs = map[string]string{"unlock": "lock"}

// TestOneKeyOneMeaning: no two pages' help gives one letter, ctrl+letter
// or sign two meanings, and capitals are kept for what acts on the keys
// or skips a safety check.
func TestOneKeyOneMeaning(t *testing.T) {
	all := map[string]key.Binding{}
	for name, km := range map[string]any{
		"common": common.DefaultKeyMap(), "app": app.DefaultKeyMap(),
		"wallet": wallet.DefaultKeyMap(), "send": wallet.DefaultSendKeyMap(),
		"coins": wallet.DefaultCoinsKeyMap(), "labels": wallet.DefaultLabelKeyMap(),
		"keys": keys.DefaultKeyMap(), "settings": settings.DefaultKeyMap(),
		"wizard": wizard.DefaultKeyMap(), "animqr": animqr.DefaultKeyMap(),
		"psbt": psbtpage.DefaultKeyMap(), "replace": explorer.DefaultReplaceKeyMap(),
	} {
		for n, b := range bindings(name, km) {
			all[n] = b
		}
	}
	if len(all) < 40 {
		t.Fatalf("found only %d bindings; the reflection missed some", len(all))
	}
	meaning := map[string]string{} // key → description
	who := map[string]string{}     // key → binding that gave it
	// S signs: it puts the wallet's keys to use; so do B, X and C, which
	// bump, cancel or speed up a payment of the wallet's.
	capitals := map[string]bool{"L": true, "P": true, "F": true, "G": true, "S": true, "B": true, "X": true, "C": true}
	for n, b := range all {
		// The first word is the meaning: "quit" and "quit, even while
		// typing" are one.
		desc := strings.FieldsFunc(b.Help().Desc, func(r rune) bool { return r == ' ' || r == ',' })[0]
		if d, ok := pairs[desc]; ok {
			desc = d
		}
		for _, k := range b.Keys() {
			if contextual(k) {
				continue
			}
			if prev, ok := meaning[k]; ok && prev != desc {
				t.Errorf("key %q means %q (%s) and %q (%s)", k, prev, who[k], desc, n)
			}
			meaning[k], who[k] = desc, n
			if r := []rune(k); len(r) == 1 && unicode.IsUpper(r[0]) && !capitals[k] {
				t.Errorf("capital %q (%s, %q) does not act on keys or skip a check", k, n, desc)
			}
		}
	}
	// The examples of the rule in common.KeyMap's comment hold.
	for k, want := range map[string]string{"u": "BTC/sats", "f": "freeze", "L": "lock", "P": "change", "F": "build", "y": "copy"} {
		if !strings.Contains(meaning[k], want) {
			t.Errorf("key %q means %q; the rule says %q", k, meaning[k], want)
		}
	}
}
