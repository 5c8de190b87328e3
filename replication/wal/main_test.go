package wal

import (
	"testing"

	"go.uber.org/goleak"
)

// A log's syncer and remover end with Close.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
