package sfn

import (
	"crypto/rand"

	"github.com/stepwise-sfn/stepwise/engine/interp"
)

// randomIDs generates version 4 UUIDs from crypto/rand.
type randomIDs struct{}

// RandomIDs returns the default interp.IDs: random version 4 UUIDs, as AWS
// generates execution names, revision ids and task tokens.
func RandomIDs() interp.IDs { return randomIDs{} }

// UUID returns a random version 4 UUID.
func (randomIDs) UUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return formatUUID(b)
}
