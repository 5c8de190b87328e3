package form

import "strings"

// FieldError names the form field that is wrong and says why, in Bahasa Indonesia.
type FieldError struct {
	Field   string
	Message string
}

// Error returns "<field>: <message>".
func (e *FieldError) Error() string {
	return e.Field + ": " + e.Message
}

// Errors collects several FieldErrors; Error joins them with "; ".
type Errors []*FieldError

// Error joins the non-nil errors with "; ".
func (es Errors) Error() string {
	parts := make([]string, 0, len(es))
	for _, e := range es {
		if e != nil {
			parts = append(parts, e.Error())
		}
	}
	return strings.Join(parts, "; ")
}

// Err returns nil if es is empty, else es itself.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// fieldErr builds a *FieldError typed as error.
func fieldErr(field, msg string) error {
	return &FieldError{Field: field, Message: msg}
}
