package account

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/sinkron-id/sinkron/node/form"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams: 64 MiB, 2 passes, 1 lane. OWASP's password storage cheat
// sheet lists m=19 MiB, t=2, p=1 as the minimum; that hashed in ~20 ms on
// the 2-core build host, so memory was raised until a hash took 60–80 ms
// there (BenchmarkHash), inside the 50–100 ms a login may cost. Memory
// rather than passes, because memory is what makes GPU cracking of a
// stolen replica expensive. One lane: a node hashes few passwords at once,
// and Service bounds concurrent hashes so a login flood cannot take
// 64 MiB per request.
var DefaultParams = Params{Memory: 64 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// Bounds on parameters read from a replicated hash, so a bad event
	// cannot make every login of an account cost a gigabyte.
	maxMemory  = 256 * 1024
	maxTime    = 10
	maxThreads = 8

	minPasswordLen = 10
	// maxPasswordLen bounds the work an attacker can ask of a login.
	maxPasswordLen = 256
)

var b64 = base64.RawStdEncoding

// hashPassword returns the PHC string of an argon2id hash with a fresh salt.
func hashPassword(pw string, p Params, rand io.Reader) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("garam kata sandi: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether pw matches the PHC string, comparing in
// constant time. The parameters come from the hash, so hashes made with
// older parameters keep working after DefaultParams change.
func checkPassword(pw, encoded string) bool {
	p, salt, want, err := parseHash(encoded)
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

var errHash = errors.New("format hash kata sandi tidak dikenal")

func parseHash(s string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, errHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errHash
	}
	if p.Memory < 8*uint32(max(p.Threads, 1)) || p.Memory > maxMemory || p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Threads > maxThreads {
		return p, nil, nil, errHash
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errHash
	}
	return p, salt, key, nil
}

// validPassword applies the password policy: at least ten characters, not
// only digits (a date of birth or a NIK fragment), not the username, and
// no control characters. It returns a *form.FieldError naming field.
func validPassword(field, pw, username string) error {
	fail := func(msg string) error { return &form.FieldError{Field: field, Message: msg} }
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return fail("mengandung karakter yang tidak valid")
	case n < minPasswordLen:
		return fail(fmt.Sprintf("minimal %d karakter", minPasswordLen))
	case n > maxPasswordLen:
		return fail(fmt.Sprintf("maksimal %d karakter", maxPasswordLen))
	case strings.IndexFunc(pw, unicode.IsControl) >= 0:
		return fail("tidak boleh mengandung karakter kontrol")
	case strings.IndexFunc(pw, func(r rune) bool { return r < '0' || r > '9' }) < 0:
		return fail("tidak boleh hanya berisi angka")
	case username != "" && strings.EqualFold(strings.TrimSpace(pw), username):
		return fail("tidak boleh sama dengan nama pengguna")
	}
	return nil
}
