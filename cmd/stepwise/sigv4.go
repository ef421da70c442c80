//go:build !js

package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

// Verifying AWS Signature Version 4 on API requests (serve --auth), with
// AWS's answers for each failure, in the order AWS checks:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
// Wording as AWS's front end answers (recorded by dynalite and kinesalite).

// sigv4Algorithm is the only signing algorithm AWS accepts in the header.
const sigv4Algorithm = "AWS4-HMAC-SHA256"

// sigv4Service is the signing name of Step Functions in credential scopes.
const sigv4Service = "states"

// maxClockSkew is how far a request's date may stand from the server's.
const maxClockSkew = 15 * time.Minute

// amzDateFormat is the ISO 8601 basic format of X-Amz-Date.
const amzDateFormat = "20060102T150405Z"

// accessKeys maps an access key id to its secret access key.
type accessKeys map[string]string

// loadAccessKeys reads --auth's file: a JSON object {"ACCESS_KEY_ID":
// "SECRET"}, or an AWS shared credentials file (INI sections with
// aws_access_key_id and aws_secret_access_key; every profile counts).
func loadAccessKeys(path string) (accessKeys, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keys := accessKeys{}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		if err := json.Unmarshal(t, &keys); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
	} else {
		var id, secret string
		flush := func() {
			if id != "" && secret != "" {
				keys[id] = secret
			}
			id, secret = "", ""
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if strings.HasPrefix(line, "[") {
				flush()
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "aws_access_key_id":
				id = strings.TrimSpace(v)
			case "aws_secret_access_key":
				secret = strings.TrimSpace(v)
			}
		}
		flush()
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no access keys (expected {\"ACCESS_KEY_ID\": \"SECRET\"} or an AWS credentials file)", path)
	}
	return keys, nil
}

// sigv4Header is a parsed Authorization header.
type sigv4Header struct {
	algorithm     string
	credential    string // keyid/date/region/service/aws4_request
	signedHeaders string
	signature     string
}

// parseSigV4 splits an Authorization header into its parts; ok is false
// when it is not a Signature Version 4 header at all.
func parseSigV4(auth string) (h sigv4Header, ok bool) {
	auth = strings.TrimSpace(auth)
	if !strings.HasPrefix(auth, "AWS4-") {
		return h, false
	}
	h.algorithm, auth, _ = strings.Cut(auth, " ")
	for _, part := range strings.FieldsFunc(auth, func(r rune) bool { return r == ',' || r == ' ' }) {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "Credential":
			h.credential = v
		case "SignedHeaders":
			h.signedHeaders = v
		case "Signature":
			h.signature = v
		}
	}
	return h, true
}

// scopeRegion returns the region of an Authorization header's credential
// scope, or "" when the header names none (or an implausible one), so
// that an unverified request still lands in the region its client chose.
func scopeRegion(auth string) string {
	h, ok := parseSigV4(auth)
	if !ok {
		return ""
	}
	parts := strings.Split(h.credential, "/")
	if len(parts) != 5 || !validRegion(parts[2]) {
		return ""
	}
	return parts[2]
}

// validRegion accepts names shaped like AWS regions (us-east-1,
// us-gov-west-1, eu-central-2 ...): lower-case words and a number,
// joined by dashes, at most 32 characters.
func validRegion(r string) bool {
	if len(r) == 0 || len(r) > 32 || r[0] == '-' || r[len(r)-1] == '-' || strings.Contains(r, "--") {
		return false
	}
	for _, c := range r {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// verify checks a request's signature against the keys at time now and
// returns AWS's error for the first failure, or nil.
func (keys accessKeys) verify(r *http.Request, body []byte, now time.Time) *sfn.Error {
	auth := r.Header.Get("Authorization")
	h, ok := parseSigV4(auth)
	if !ok {
		return &sfn.Error{Code: sfn.CodeMissingAuthenticationToken, Message: "Missing Authentication Token"}
	}
	var msg strings.Builder
	for _, p := range []struct{ name, value string }{{"Credential", h.credential}, {"Signature", h.signature}, {"SignedHeaders", h.signedHeaders}} {
		if p.value == "" {
			fmt.Fprintf(&msg, "Authorization header requires '%s' parameter. ", p.name)
		}
	}
	rawDate := r.Header.Get("X-Amz-Date")
	var date time.Time
	var err error
	if rawDate != "" {
		date, err = time.Parse(amzDateFormat, rawDate)
	} else if rawDate = r.Header.Get("Date"); rawDate != "" {
		date, err = http.ParseTime(rawDate)
	} else {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if msg.Len() > 0 {
		return &sfn.Error{Code: sfn.CodeIncompleteSignature, Message: msg.String() + "Authorization=" + auth}
	}
	if err != nil {
		return &sfn.Error{Code: sfn.CodeIncompleteSignature, Message: fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", rawDate)}
	}
	date = date.UTC()
	now = now.UTC()
	switch {
	case date.Before(now.Add(-maxClockSkew)):
		return &sfn.Error{Code: sfn.CodeInvalidSignature, Message: fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			date.Format(amzDateFormat), now.Add(-maxClockSkew).Format(amzDateFormat), now.Format(amzDateFormat))}
	case date.After(now.Add(maxClockSkew)):
		return &sfn.Error{Code: sfn.CodeInvalidSignature, Message: fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			date.Format(amzDateFormat), now.Add(maxClockSkew).Format(amzDateFormat), now.Format(amzDateFormat))}
	}
	signed := strings.Split(strings.ToLower(h.signedHeaders), ";")
	if !slices.Contains(signed, "host") {
		return &sfn.Error{Code: sfn.CodeInvalidSignature, Message: "'Host' must be a 'SignedHeader' in the AWS Authorization."}
	}
	if h.algorithm != sigv4Algorithm {
		return &sfn.Error{Code: sfn.CodeIncompleteSignature, Message: fmt.Sprintf("Unsupported AWS 'algorithm': '%s' (only AWS4-HMAC-SHA256 for now). ", h.algorithm)}
	}
	scope := strings.Split(strings.TrimRight(h.credential, "/"), "/")
	if len(scope) != 5 {
		return &sfn.Error{Code: sfn.CodeIncompleteSignature, Message: fmt.Sprintf("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", h.credential)}
	}
	msg.Reset()
	if !validRegion(scope[2]) {
		fmt.Fprintf(&msg, "Credential should be scoped to a valid region, not '%s'. ", scope[2])
	}
	if scope[3] != sigv4Service {
		fmt.Fprintf(&msg, "Credential should be scoped to correct service: '%s'. ", sigv4Service)
	}
	if scope[4] != "aws4_request" {
		fmt.Fprintf(&msg, "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", scope[4])
	}
	if day := date.Format("20060102"); scope[1] != day {
		fmt.Fprintf(&msg, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", scope[1], day, rawDate)
	}
	if msg.Len() > 0 {
		return &sfn.Error{Code: sfn.CodeInvalidSignature, Message: strings.TrimSpace(msg.String())}
	}
	secret, ok := keys[scope[0]]
	if !ok {
		return &sfn.Error{Code: sfn.CodeUnrecognizedClient, Message: "The security token included in the request is invalid."}
	}
	want := sigv4Signature(secret, scope, date.Format(amzDateFormat), canonicalRequest(r, signed, body))
	got, err := hex.DecodeString(h.signature)
	if err != nil || !hmac.Equal(got, want) {
		return &sfn.Error{Code: sfn.CodeInvalidSignature, Message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
	}
	return nil
}

// canonicalRequest builds the canonical request of Signature Version 4
// for the signed headers (lower-case names).
func canonicalRequest(r *http.Request, signed []string, body []byte) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	// The SDKs escape the already escaped path once more (all services
	// but S3).
	b.WriteString(sigv4Escape(path, false))
	b.WriteByte('\n')
	query := r.URL.Query()
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var pairs []string
	for _, k := range keys {
		vs := slices.Clone(query[k])
		slices.Sort(vs)
		for _, v := range vs {
			pairs = append(pairs, sigv4Escape(k, true)+"="+sigv4Escape(v, true))
		}
	}
	b.WriteString(strings.Join(pairs, "&"))
	b.WriteByte('\n')
	for _, name := range signed {
		var values []string
		switch name {
		case "host":
			values = []string{r.Host}
		case "content-length":
			values = r.Header.Values("Content-Length")
			if len(values) == 0 {
				values = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		default:
			values = r.Header.Values(name)
		}
		for i, v := range values {
			values[i] = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(name + ":" + strings.Join(values, ",") + "\n")
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	if p := r.Header.Get("X-Amz-Content-Sha256"); p == "UNSIGNED-PAYLOAD" {
		b.WriteString(p)
	} else {
		sum := sha256.Sum256(body)
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	return b.String()
}

// sigv4Signature signs a canonical request with the secret for the scope
// (keyid/date/region/service/aws4_request) at amzDate.
func sigv4Signature(secret string, scope []string, amzDate, canonical string) []byte {
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	sum := sha256.Sum256([]byte(canonical))
	toSign := sigv4Algorithm + "\n" + amzDate + "\n" + strings.Join(scope[1:], "/") + "\n" + hex.EncodeToString(sum[:])
	key := []byte("AWS4" + secret)
	for _, s := range scope[1:] {
		key = mac(key, s)
	}
	return mac(key, toSign)
}

// sigv4Escape percent-encodes everything but RFC 3986's unreserved
// characters (and '/' in a path).
func sigv4Escape(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && !encodeSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
