package jsonata

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
)

// hasher returns the hash of $hash's algorithm name, as States.Hash names
// them.
func hasher(alg string) (hash.Hash, bool) {
	switch alg {
	case "MD5":
		return md5.New(), true
	case "SHA-1":
		return sha1.New(), true
	case "SHA-256":
		return sha256.New(), true
	case "SHA-384":
		return sha512.New384(), true
	case "SHA-512":
		return sha512.New(), true
	}
	return nil, false
}

// hashHex is $hash(value, algorithm): the hex digest of value's UTF-8 bytes.
func hashHex(value, alg string) (string, error) {
	h, ok := hasher(alg)
	if !ok {
		return "", &jsError{"The hash algorithm '" + alg + "' is not supported. Supported algorithms: MD5, SHA-1, SHA-256, SHA-384, SHA-512"}
	}
	h.Write([]byte(value))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// jsError is an error a Go function raises into JavaScript.
type jsError struct{ msg string }

func (e *jsError) Error() string { return e.msg }

// latin1Base64 is btoa: base64 of a string's characters as bytes (as
// jsonata-js does in Node, keeping the low byte of each character).
func latin1Base64(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// latin1Unbase64 is atob: each decoded byte becomes one character.
func latin1Unbase64(s string) string {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, _ = base64.RawStdEncoding.DecodeString(s)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
