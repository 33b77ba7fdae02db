package main

// JSON values that keep the order of object keys, written the way docs/results.json has always
// been written (Python's json.dump with indent=2: non-ASCII escaped, floats in Python's repr),
// and the Python-style formatting docs/results.md uses for values.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf16"
)

// object is a JSON object with its keys in the order they came.
type object struct {
	members []member
}

// member is one key and value of an object.
type member struct {
	key string
	val any // nil, bool, string, json.Number, int, []any or *object
}

// get returns the value of key and whether the object has it.
func (o *object) get(key string) (any, bool) {
	for _, m := range o.members {
		if m.key == key {
			return m.val, true
		}
	}
	return nil, false
}

// set replaces the value of key, or appends the key (a repeated key keeps its first place and
// its last value, as Python's json module does).
func (o *object) set(key string, val any) {
	for i := range o.members {
		if o.members[i].key == key {
			o.members[i].val = val
			return
		}
	}
	o.members = append(o.members, member{key, val})
}

// decodeOrdered parses one JSON value; nothing but white space may follow it.
func decodeOrdered(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("extra data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	switch tok {
	case json.Delim('{'):
		obj := &object{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("invalid JSON: %w", err)
			}
			key, _ := kt.(string)
			val, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			obj.set(key, val)
		}
		if _, err := dec.Token(); err != nil { // '}'
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		return obj, nil
	case json.Delim('['):
		arr := []any{}
		for dec.More() {
			val, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, val)
		}
		if _, err := dec.Token(); err != nil { // ']'
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		return arr, nil
	}
	return tok, nil // nil, bool, string or json.Number
}

// writeIndented writes v as JSON, nested levels indented by two more spaces than indent.
func writeIndented(sb *strings.Builder, v any, indent string) {
	inner := indent + "  "
	switch v := v.(type) {
	case *object:
		if len(v.members) == 0 {
			sb.WriteString("{}")
			return
		}
		sb.WriteString("{")
		for i, m := range v.members {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("\n" + inner + pyJSONString(m.key) + ": ")
			writeIndented(sb, m.val, inner)
		}
		sb.WriteString("\n" + indent + "}")
	case []any:
		if len(v) == 0 {
			sb.WriteString("[]")
			return
		}
		sb.WriteString("[")
		for i, e := range v {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("\n" + inner)
			writeIndented(sb, e, inner)
		}
		sb.WriteString("\n" + indent + "]")
	default:
		sb.WriteString(pyJSONScalar(v))
	}
}

// pyJSONScalar writes a scalar as Python's json module does.
func pyJSONScalar(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		if v {
			return "true"
		}
		return "false"
	case string:
		return pyJSONString(v)
	case int:
		return strconv.Itoa(v)
	case json.Number:
		if !isFloatLiteral(string(v)) {
			return pyInt(string(v))
		}
		f, _ := strconv.ParseFloat(string(v), 64) // ±Inf when out of range, as in Python
		switch {
		case math.IsInf(f, 1):
			return "Infinity"
		case math.IsInf(f, -1):
			return "-Infinity"
		}
		return pyFloatRepr(f)
	}
	return pyJSONString(fmt.Sprint(v))
}

// pyJSONString quotes s as Python's json module does with ensure_ascii: \", \\, \n, \r, \t, \b
// and \f, every other character outside printable ASCII as \uXXXX (UTF-16 surrogates above
// U+FFFF).
func pyJSONString(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		default:
			switch {
			case r >= 0x20 && r < 0x7f:
				sb.WriteRune(r)
			case r > 0xffff:
				hi, lo := utf16.EncodeRune(r)
				fmt.Fprintf(&sb, `\u%04x\u%04x`, hi, lo)
			default:
				fmt.Fprintf(&sb, `\u%04x`, r)
			}
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// isFloatLiteral tells a JSON number Python reads as a float from one it reads as an int.
func isFloatLiteral(n string) bool { return strings.ContainsAny(n, ".eE") }

// pyInt formats an integer literal as Python's int does (any size; "-0" is "0").
func pyInt(n string) string {
	i, ok := new(big.Int).SetString(n, 10)
	if !ok {
		return n
	}
	return i.String()
}

// pyFloatRepr formats f as Python's repr(float): the shortest digits that read back as f, in
// positional notation with at least one digit after the point when the exponent is in [-5, 16),
// else as d.ddde±XX.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	sign := ""
	if math.Signbit(f) {
		sign, f = "-", -f
	}
	if f == 0 {
		return sign + "0.0"
	}
	mant, expText, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expText)
	decpt := exp + 1 // the value is 0.DIGITS × 10^decpt
	if decpt <= -4 || decpt > 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		esign := "+"
		if exp < 0 {
			esign, exp = "-", -exp
		}
		return fmt.Sprintf("%s%se%s%02d", sign, m, esign, exp)
	}
	switch {
	case decpt <= 0:
		return sign + "0." + strings.Repeat("0", -decpt) + digits
	case decpt >= len(digits):
		return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
	default:
		return sign + digits[:decpt] + "." + digits[decpt:]
	}
}

// formatG4 formats f as Python's f"{f:.4g}".
func formatG4(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', 4, 64)
}

// pyStr formats a JSON value as Python's str() does for what json.loads returns.
func pyStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}

// pyRepr formats a JSON value as Python's repr() does for what json.loads returns.
func pyRepr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case string:
		return pyStringRepr(v)
	case int:
		return strconv.Itoa(v)
	case json.Number:
		if !isFloatLiteral(string(v)) {
			return pyInt(string(v))
		}
		f, _ := strconv.ParseFloat(string(v), 64)
		return pyFloatRepr(f)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *object:
		parts := make([]string, len(v.members))
		for i, m := range v.members {
			parts[i] = pyStringRepr(m.key) + ": " + pyRepr(m.val)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// pyStringRepr quotes s as Python's repr() does: single quotes unless s holds a single quote and
// no double quote; backslash, the quote and control characters escaped.
func pyStringRepr(s string) string {
	quote := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = '"'
	}
	var sb strings.Builder
	sb.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == '\\':
			sb.WriteString(`\\`)
		case r == rune(quote):
			sb.WriteString(`\` + string(quote))
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, r)
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte(quote)
	return sb.String()
}

// truthy is Python's truth value of a JSON value.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case int:
		return v != 0
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return err != nil || f != 0
	case []any:
		return len(v) > 0
	case *object:
		return len(v.members) > 0
	}
	return true
}
