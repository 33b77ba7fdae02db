package aelib

import (
	"errors"
	"fmt"
	"strings"
)

// The kinds of error aelib returns, for callers that test them with
// errors.Is. An error of aelib has at most one kind; errors.Is also reaches
// its cause (for instance fs.ErrNotExist for a missing file).
var (
	ErrInvalid    = errors.New("invalid input")       // a setting, a size or an image out of range
	ErrData       = errors.New("MNIST unavailable")   // not found, not downloadable, or corrupt
	ErrBackend    = errors.New("backend failure")     // no backend, or GoMLX failed to build or run a graph
	ErrCheckpoint = errors.New("checkpoint unusable") // unreadable, corrupt, or not fitting the model
)

// opError is the one error type of aelib: the operation that failed, the
// kind of failure (one of the Err* values, or nil) and the cause. Its text
// is "aelib: <op>: <cause>", on one line.
type opError struct {
	op   string
	kind error
	err  error
}

func (e *opError) Error() string {
	if e.op == "" {
		return "aelib: " + e.err.Error()
	}
	return "aelib: " + e.op + ": " + e.err.Error()
}

// Unwrap returns the kind and the cause, so that errors.Is finds either.
func (e *opError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}

// errorf returns an error of the given kind whose text is the formatted
// message. The message's text before its first ": " names the operation
// when it holds no formatting verb ("kNN: k=0 invalid" is operation "kNN");
// a %w verb wraps its argument as the cause, as fmt.Errorf does.
func errorf(kind error, format string, args ...any) error {
	op, rest, ok := strings.Cut(format, ": ")
	if !ok || strings.Contains(op, "%") {
		op, rest = "", format
	}
	return &opError{op: op, kind: kind, err: fmt.Errorf(rest, args...)}
}

// wrap returns err as an error of aelib with this operation and kind,
// keeping err as the cause; an error of aelib is returned as it is. Errors
// and panics from GoMLX keep their cause but show only gomlxMessage's
// short text.
func wrap(kind error, op string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*opError](err); ok {
		return err
	}
	if msg := gomlxMessage(err.Error()); msg != err.Error() {
		err = &shortError{msg: msg, err: err}
	}
	return &opError{op: op, kind: kind, err: err}
}

// shortError shows a short message for a long cause it keeps.
type shortError struct {
	msg string
	err error
}

func (e *shortError) Error() string { return e.msg }
func (e *shortError) Unwrap() error { return e.err }

// recovered turns a value from recover() into an error for wrap.
func recovered(r any) error {
	if err, ok := r.(error); ok {
		return err
	}
	return fmt.Errorf("%v", r)
}

// gomlxMessage reduces an error or panic text of GoMLX, XLA or gonum/plot to
// the message a student can act on: GoMLX wraps a panic in the graph function
// in layers of context ("... panicked: <message>"), and XLA's errors run over
// many lines. It keeps the innermost panic message, its first line, and at
// most 200 characters. This is the one place aelib reads their error text.
func gomlxMessage(s string) string {
	if i := strings.LastIndex(s, "panicked: "); i >= 0 {
		s = s[i+len("panicked: "):]
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// pluginMissing reports whether err says that GoMLX found no XLA plugin and
// could not download one (its "auto-install" failed).
func pluginMissing(err error) bool {
	return err != nil && strings.Contains(err.Error(), "auto-install")
}
