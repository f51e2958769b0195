// Package testenv tells tests where the real backing services are. `make test`
// starts PostgreSQL, Redis and MinIO on loopback and exports their addresses;
// with TESSERA_TEST_REQUIRE_SERVICES=1 (as make test sets) a missing service
// fails the test, otherwise the test is skipped with a message naming make test.
package testenv

import (
	"os"
	"testing"
)

// S3 is the address and credentials of a test S3 endpoint.
type S3 struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Bucket    string
}

func need(t testing.TB, name, value string) string {
	t.Helper()
	if value != "" {
		return value
	}
	if os.Getenv("TESSERA_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatalf("%s is not set: make test must start the real service before running this test", name)
	}
	t.Skipf("%s not set: run `make test` to run this test against the real service", name)
	return ""
}

// PostgresURL returns a postgres:// URL of an empty-able test database.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return need(t, "TESSERA_TEST_POSTGRES_URL", os.Getenv("TESSERA_TEST_POSTGRES_URL"))
}

// RedisURL returns a redis:// URL of a test Redis.
func RedisURL(t testing.TB) string {
	t.Helper()
	return need(t, "TESSERA_TEST_REDIS_URL", os.Getenv("TESSERA_TEST_REDIS_URL"))
}

// S3Config returns a test S3 endpoint (MinIO in make test).
func S3Config(t testing.TB) S3 {
	t.Helper()
	s := S3{
		Endpoint:  os.Getenv("TESSERA_TEST_S3_ENDPOINT"),
		AccessKey: os.Getenv("TESSERA_TEST_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("TESSERA_TEST_S3_SECRET_KEY"),
		Bucket:    os.Getenv("TESSERA_TEST_S3_BUCKET"),
	}
	need(t, "TESSERA_TEST_S3_ENDPOINT", s.Endpoint)
	return s
}
