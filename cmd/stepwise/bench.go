package main

import (
	"context"
	"errors"
	"io"
)

func benchCommand(ctx context.Context, args []string, stdout io.Writer) error {
	return errors.New("bench: not implemented yet")
}
