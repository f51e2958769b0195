package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsAreEmbedded(t *testing.T) {
	c := Default()
	if err := c.FromEnv(env(nil)); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults must validate: %v", err)
	}
	db, q, b := c.Embedded()
	if !db || !q || !b {
		t.Fatalf("with no settings every part is embedded, got db=%v queue=%v blob=%v", db, q, b)
	}
	if c.BaseURL != "http://127.0.0.1:8080" {
		t.Fatalf("BaseURL = %q", c.BaseURL)
	}
}

func TestEachPartSwitchesIndependently(t *testing.T) {
	c := Default()
	err := c.FromEnv(env(map[string]string{
		"TESSERA_DATABASE_URL": "postgres://u:p@db:5432/t",
		"TESSERA_ADDR":         "0.0.0.0:9000",
	}))
	if err != nil || c.Validate() != nil {
		t.Fatalf("FromEnv/Validate: %v %v", err, c.Validate())
	}
	db, q, b := c.Embedded()
	if db || !q || !b {
		t.Fatalf("only the database should switch: db=%v queue=%v blob=%v", db, q, b)
	}
	if c.BaseURL != "http://localhost:9000" {
		t.Fatalf("BaseURL for a wildcard address = %q", c.BaseURL)
	}
}

func TestValidateNamesEveryProblem(t *testing.T) {
	c := Default()
	err := c.FromEnv(env(map[string]string{
		"TESSERA_S3_USE_SSL":   "perhaps",
		"TESSERA_DATABASE_URL": "mysql://x",
		"TESSERA_REDIS_URL":    "http://x",
		"TESSERA_S3_ENDPOINT":  "minio:9000",
		"TESSERA_S3_BUCKET":    "b",
		"TESSERA_SECRET":       "change-me-to-a-long-random-secret",
		"TESSERA_ADDR":         "nonsense",
	}))
	if err == nil || !strings.Contains(err.Error(), "TESSERA_S3_USE_SSL") {
		t.Fatalf("bad bool: %v", err)
	}
	verr := c.Validate()
	for _, want := range []string{"TESSERA_DATABASE_URL", "TESSERA_REDIS_URL", "TESSERA_S3_ACCESS_KEY", "TESSERA_SECRET", "addr"} {
		if verr == nil || !strings.Contains(verr.Error(), want) {
			t.Errorf("Validate() = %v; want a mention of %s", verr, want)
		}
	}
}
