package common

import "testing"

func TestClampCursor(t *testing.T) {
	tests := []struct {
		name                           string
		cursor, offset, total, visible int
		wantCursor, wantOffset         int
	}{
		{"inside", 3, 1, 10, 5, 3, 1},
		{"above the window scrolls up", 0, 2, 10, 5, 0, 0},
		{"below the window scrolls down", 8, 1, 10, 5, 8, 4},
		{"past the end", 12, 0, 10, 5, 9, 5},
		{"before the start", -3, 0, 10, 5, 0, 0},
		{"offset past the last page", 9, 9, 10, 5, 9, 5},
		{"empty list", 4, 2, 0, 5, 0, 0},
		{"list shorter than the window", 2, 1, 3, 5, 2, 0},
		{"empty window", 6, 3, 10, 0, 6, 0},
		{"negative window", 6, 3, 10, -2, 6, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, o := ClampCursor(tt.cursor, tt.offset, tt.total, tt.visible)
			if c != tt.wantCursor || o != tt.wantOffset {
				t.Errorf("ClampCursor(%d, %d, %d, %d) = %d, %d; want %d, %d",
					tt.cursor, tt.offset, tt.total, tt.visible, c, o, tt.wantCursor, tt.wantOffset)
			}
		})
	}
}
