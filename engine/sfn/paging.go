package sfn

import (
	"strconv"
	"strings"
)

// pager is one listing request's paging members, maxResults and
// nextToken. It is checked in two steps, as AWS does: the members'
// constraints are violations reported with the request's others
// (newPager), the token's meaning only once the request is otherwise
// valid (decode).
//
// Page tokens are opaque to clients; ours carry the offset of the next
// item and the kind of listing, so a token from another listing is
// rejected.
type pager struct {
	kind   string
	limit  int
	token  *string
	offset int
}

// newPager adds the violations of maxResults (0 means the default, 100)
// and of nextToken (1 to maxTokenLen characters) to v.
func newPager(kind string, maxResults int, nextToken *string, maxTokenLen int, v *violations) *pager {
	p := &pager{kind: kind, limit: maxResults, token: nextToken}
	switch {
	case maxResults < 0:
		v.add(strconv.Itoa(maxResults), "maxResults", "Member must have value greater than or equal to 0")
	case maxResults > 1000:
		v.add(strconv.Itoa(maxResults), "maxResults", "Member must have value less than or equal to 1000")
	case maxResults == 0:
		p.limit = 100
	}
	v.optional(nextToken, "nextToken", 1, maxTokenLen)
	return p
}

// decode reads the offset from nextToken (its length was checked by
// newPager): InvalidToken when the token is not one of this listing's.
func (p *pager) decode() *Error {
	if p.token == nil {
		return nil
	}
	rest, ok := strings.CutPrefix(*p.token, p.kind+".")
	n, err := strconv.Atoi(rest)
	if !ok || err != nil || n < 0 {
		return errorf(CodeInvalidToken, "Invalid Token: '%s'", *p.token)
	}
	p.offset = n
	return nil
}

// next is the token of the page that starts at offset.
func (p *pager) next(offset int) string {
	return p.kind + "." + strconv.Itoa(offset)
}

// page converts the items of all on p's page (never nil, so an empty page
// is [] on the wire) and returns the next page's token, "" after the last.
func page[T, R any](p *pager, all []T, item func(T) R) ([]R, string) {
	out := []R{}
	for i := p.offset; i < len(all) && len(out) < p.limit; i++ {
		out = append(out, item(all[i]))
	}
	if end := p.offset + len(out); end < len(all) {
		return out, p.next(end)
	}
	return out, ""
}
