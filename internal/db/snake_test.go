package db

import "testing"

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"ID": "id", "CompetitionID": "competition_id", "OriginalKey": "original_key",
		"AnnouncedAt": "announced_at", "SHA256": "sha256", "HTTPServer": "http_server", "Key": "key",
	} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}
