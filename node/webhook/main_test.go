package webhook_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The stand-in and the node's listener are httptest servers closed at
// each test's end; nothing may outlive them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
