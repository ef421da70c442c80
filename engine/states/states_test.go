package states

import (
	"errors"
	"fmt"
	"testing"
)

func TestMatches(t *testing.T) {
	tests := []struct {
		errorEquals []string
		name        string
		want        bool
	}{
		{[]string{ALL}, "MyError", true},
		{[]string{ALL}, TaskFailed, true},
		{[]string{ALL}, Timeout, true},
		{[]string{ALL}, HeartbeatTimeout, true},
		{[]string{ALL}, BranchFailed, true},
		{[]string{ALL}, "", true},
		{[]string{ALL}, Runtime, false},
		{[]string{ALL}, DataLimitExceeded, false},
		{[]string{Runtime}, Runtime, true},
		{[]string{DataLimitExceeded}, DataLimitExceeded, true},
		{[]string{"MyError", Runtime}, Runtime, true},
		{[]string{ALL, Runtime}, Runtime, true},

		{[]string{TaskFailed}, TaskFailed, true},
		{[]string{TaskFailed}, "Lambda.ServiceException", true},
		{[]string{TaskFailed}, "MyError", true},
		{[]string{TaskFailed}, Permissions, true},
		{[]string{TaskFailed}, HeartbeatTimeout, true},
		{[]string{TaskFailed}, Timeout, false},
		{[]string{TaskFailed}, Runtime, false},
		{[]string{TaskFailed}, DataLimitExceeded, false},
		{[]string{TaskFailed, Timeout}, Timeout, true},

		{[]string{"MyError"}, "MyError", true},
		{[]string{"MyError"}, "myerror", false},
		{[]string{"MyError"}, "MyError2", false},
		{[]string{"MyError"}, "My", false},
		{[]string{"States.all"}, "MyError", false},
		{[]string{"States.Taskfailed"}, "MyError", false},
		{[]string{Timeout}, TaskFailed, false},
		{[]string{"A", "B", "C"}, "C", true},
		{[]string{"A", "B", "C"}, "D", false},
		{nil, "MyError", false},
		{[]string{}, ALL, false},
	}
	for _, tt := range tests {
		if got := Matches(tt.errorEquals, tt.name); got != tt.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", tt.errorEquals, tt.name, got, tt.want)
		}
	}
}

func TestTerminal(t *testing.T) {
	for name, want := range map[string]bool{
		Runtime:           true,
		DataLimitExceeded: true,
		ALL:               false,
		TaskFailed:        false,
		Timeout:           false,
		"States.runtime":  false,
		"MyError":         false,
		"":                false,
	} {
		if got := Terminal(name); got != want {
			t.Errorf("Terminal(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestError(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{New(TaskFailed, "boom"), "States.TaskFailed: boom"},
		{New("MyError", ""), "MyError"},
		{&Error{Cause: "only a cause"}, ": only a cause"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	var target *Error
	wrapped := fmt.Errorf("step: %w", New(Timeout, "late"))
	if !errors.As(wrapped, &target) || target.Name != Timeout || target.Cause != "late" {
		t.Errorf("errors.As through a wrap: %#v", target)
	}
}

func ExampleMatches() {
	fmt.Println(Matches([]string{ALL}, "MyError"))
	fmt.Println(Matches([]string{ALL}, Runtime))
	fmt.Println(Matches([]string{TaskFailed}, Timeout))
	fmt.Println(Matches([]string{Runtime}, Runtime))
	// Output:
	// true
	// false
	// false
	// true
}
