package catalog

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sinkron-id/sinkron/node/form"
)

// FieldType is the type of a form field; it picks the validator.
type FieldType string

// Field types.
const (
	FieldText   FieldType = "teks"
	FieldName   FieldType = "nama" // a person's name (node/form.ValidName)
	FieldNIK    FieldType = "nik"
	FieldKK     FieldType = "kk"
	FieldPhone  FieldType = "telepon" // WhatsApp number 08…
	FieldDate   FieldType = "tanggal" // YYYY-MM-DD or DD-MM-YYYY, not in the future
	FieldChoice FieldType = "pilihan"
	FieldNumber FieldType = "angka" // digits only
)

// FieldTypes lists every field type.
func FieldTypes() []FieldType {
	return []FieldType{FieldText, FieldName, FieldNIK, FieldKK, FieldPhone, FieldDate, FieldChoice, FieldNumber}
}

// Field is one typed input of a service form.
type Field struct {
	Name     string // machine name, snake_case
	Label    string // officer-facing label
	Type     FieldType
	Required bool
	Choices  []string // for FieldChoice
	MinLen   int      // characters, for text and names
	MaxLen   int      // characters (digits for numbers)
}

// Form is a service's typed form.
type Form struct {
	Fields []Field
}

// Field returns the field with the given name.
func (f Form) Field(name string) (Field, bool) {
	for _, fd := range f.Fields {
		if fd.Name == name {
			return fd, true
		}
	}
	return Field{}, false
}

// Validate checks the values against the form at the current time.
func (f Form) Validate(values map[string]string) error {
	return f.ValidateAt(values, time.Now())
}

// ValidateAt checks the values as of now (NIK birth dates, KK issue dates
// and dates must not be after now). The error is a form.Errors with one
// *form.FieldError per wrong field, each naming the field by its label.
func (f Form) ValidateAt(values map[string]string, now time.Time) error {
	_, err := f.Normalize(values, now)
	return err
}

// Normalize validates the values and returns them cleaned: trimmed, the
// phone number as 08…, dates as YYYY-MM-DD, choices as listed. Empty
// optional fields are left out.
func (f Form) Normalize(values map[string]string, now time.Time) (map[string]string, error) {
	out := make(map[string]string, len(values))
	var errs form.Errors
	for _, fd := range f.Fields {
		v, err := fd.normalize(values[fd.Name], now)
		if err != nil {
			errs = append(errs, err)
		} else if v != "" {
			out[fd.Name] = v
		}
	}
	return out, append(errs, f.unknown(values)...).Err()
}

// unknown reports values for fields the form does not have, by name.
func (f Form) unknown(values map[string]string) form.Errors {
	var errs form.Errors
	for _, name := range slices.Sorted(maps.Keys(values)) {
		if _, ok := f.Field(name); !ok {
			errs = append(errs, &form.FieldError{Field: name, Message: name + ": isian tidak dikenal pada formulir ini"})
		}
	}
	return errs
}

// normalize checks one value; an empty optional value is accepted as "".
func (fd Field) normalize(v string, now time.Time) (string, *form.FieldError) {
	if strings.TrimSpace(v) == "" {
		if fd.Required {
			return "", fd.fail("wajib diisi")
		}
		return "", nil
	}
	v, err := fd.check(v, now)
	if err == nil {
		return v, nil
	}
	var fe *form.FieldError
	if errors.As(err, &fe) {
		return "", fd.fail(fe.Message)
	}
	return "", fd.fail(err.Error())
}

// fail names the field by machine name (for the console) and by label in
// the message (for the officer).
func (fd Field) fail(msg string) *form.FieldError {
	return &form.FieldError{Field: fd.Name, Message: fd.Label + ": " + msg}
}

// check runs the type's validator on a non-empty value.
func (fd Field) check(v string, now time.Time) (string, error) {
	v = strings.TrimSpace(v)
	switch fd.Type {
	case FieldNIK:
		_, err := form.ParseNIK(v, now)
		return v, err
	case FieldKK:
		return v, form.ValidKK(v, now)
	case FieldPhone:
		return form.NormalizePhone(v)
	case FieldName:
		return fd.checkName(v)
	case FieldText:
		return form.ValidText(fd.Name, v, max(fd.MinLen, 1), fd.MaxLen)
	case FieldDate:
		return checkDate(v, now)
	case FieldChoice:
		return fd.checkChoice(v)
	case FieldNumber:
		return fd.checkNumber(v)
	}
	return "", fmt.Errorf("jenis isian %q tidak dikenal", fd.Type)
}

func (fd Field) checkName(v string) (string, error) {
	v, err := form.ValidName(fd.Name, v)
	if err == nil && fd.MaxLen > 0 && utf8.RuneCountInString(v) > fd.MaxLen {
		return "", fmt.Errorf("maksimal %d karakter", fd.MaxLen)
	}
	return v, err
}

// checkDate accepts a browser's date input (YYYY-MM-DD) and the Indonesian
// day-month-year.
func checkDate(v string, now time.Time) (string, error) {
	for _, layout := range []string{"2006-01-02", "02-01-2006", "02/01/2006"} {
		t, err := time.ParseInLocation(layout, v, now.Location())
		if err != nil {
			continue
		}
		if form.Future(t, now) {
			return "", errors.New("tanggal tidak boleh di masa depan")
		}
		return t.Format("2006-01-02"), nil
	}
	return "", errors.New("tanggal tidak valid; gunakan format HH-BB-TTTT, misal 17-08-1990")
}

func (fd Field) checkChoice(v string) (string, error) {
	for _, c := range fd.Choices {
		if strings.EqualFold(c, v) {
			return c, nil
		}
	}
	return "", fmt.Errorf("pilih salah satu: %s", strings.Join(fd.Choices, ", "))
}

func (fd Field) checkNumber(v string) (string, error) {
	if _, err := strconv.ParseUint(v, 10, 32); err != nil {
		return "", errors.New("harus berupa angka")
	}
	if fd.MaxLen > 0 && len(v) > fd.MaxLen {
		return "", fmt.Errorf("maksimal %d digit", fd.MaxLen)
	}
	return v, nil
}
