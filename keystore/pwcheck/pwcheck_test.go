package pwcheck

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		pw   string
		want Reason // 0: not weak
	}{
		{"", TooShort},
		{"pw", TooShort},
		{"hunter2", TooShort},
		{"ünïcødé", TooShort}, // 7 characters, more bytes
		{"password", Common},
		{"PASSWORD", Common},
		{"Password1", Common},
		{"sunshine2024!", Common},
		{"iloveyou", Common},
		{"qwertyuiop", Common},
		{"12345678", Common},
		{"dragon12", Common}, // "dragon" is common, the digits do not help
		{"correct horse battery", 0},
		{"hunter22x", 0},
		{"monkey2024horse", 0},
		{"12345678!x", 0},
	}
	for _, tt := range tests {
		t.Run(tt.pw, func(t *testing.T) {
			err := Check([]byte(tt.pw))
			if tt.want == 0 {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.pw, err)
				}
				return
			}
			var we *WeakError
			if !errors.As(err, &we) || we.Reason != tt.want {
				t.Fatalf("Check(%q) = %v, want reason %d", tt.pw, err, tt.want)
			}
			if len(tt.pw) > 3 && strings.ToLower(tt.pw) != "password" && strings.Contains(err.Error(), tt.pw) {
				t.Errorf("the message repeats the password: %q", err)
			}
		})
	}
}

func TestMessages(t *testing.T) {
	if got := Check([]byte("abc")).Error(); got != "the password has only 3 characters; 8 or more are much harder to guess" {
		t.Errorf("short: %q", got)
	}
	if got := Check([]byte("a")).Error(); !strings.Contains(got, "only 1 character;") {
		t.Errorf("one character: %q", got)
	}
}

// TestList checks the embedded list: the 1,000 entries of the source, the
// header comment skipped.
func TestList(t *testing.T) {
	// The source has "password", "Password" and "PASSWORD", which fold to
	// one entry, and a few other case twins.
	if n := Count(); n < 990 || n > 1000 {
		t.Fatalf("%d common passwords, want about 1,000", n)
	}
	if common["# the 1,000 most common passwords of the \"10 million passwords\" list, in order."] {
		t.Error("the header comment was read as a password")
	}
}
