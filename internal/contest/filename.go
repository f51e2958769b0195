package contest

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFileNameBytes is the longest file name kept, in bytes.
const MaxFileNameBytes = 255

// File name problems, each a message-catalog key.
var (
	ErrFileNameMissing   = errors.New("upload.name_missing")
	ErrFileNameTooLong   = errors.New("upload.name_too_long")
	ErrFileNameSeparator = errors.New("upload.name_separator")
	ErrFileNameControl   = errors.New("upload.name_control")
	ErrFileNameInvalid   = errors.New("upload.name_invalid")
)

// ParseFileName validates the name a client gives a file and returns it
// trimmed of surrounding spaces. It refuses, rather than repairs, names
// that are empty, longer than MaxFileNameBytes, not UTF-8, contain a path
// separator (/ or \), a control or format character (including
// bidirectional overrides), or are only dots. The error is one of the
// ErrFileName values.
func ParseFileName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", ErrFileNameMissing
	case len(name) > MaxFileNameBytes:
		return "", ErrFileNameTooLong
	case !utf8.ValidString(name):
		return "", ErrFileNameInvalid
	}
	for _, r := range name {
		switch {
		case r == '/' || r == '\\':
			return "", ErrFileNameSeparator
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			return "", ErrFileNameControl
		}
	}
	if strings.Trim(name, ".") == "" {
		return "", ErrFileNameInvalid
	}
	return name, nil
}

// FileNameField turns a ParseFileName error into a FieldError on field.
func FileNameField(field string, err error) error {
	for _, e := range []error{ErrFileNameMissing, ErrFileNameTooLong, ErrFileNameSeparator, ErrFileNameControl, ErrFileNameInvalid} {
		if errors.Is(err, e) {
			return &FieldError{Fields: map[string]string{field: e.Error()}}
		}
	}
	return fmt.Errorf("file name: %w", err)
}

// Extension returns the lower-case extension of a file name without the
// dot, or "" when it has none.
func Extension(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || i == len(name)-1 {
		return ""
	}
	return strings.ToLower(name[i+1:])
}
