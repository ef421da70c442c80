package intrinsic_test

import (
	"errors"
	"fmt"

	"github.com/stepwise-sfn/stepwise/engine/intrinsic"
)

func Example() {
	c, err := intrinsic.Parse("States.Format('Hello, {}! You have {} items.', $.name, States.ArrayLength($.items))")
	if err != nil {
		panic(err)
	}
	out, err := c.Eval(&intrinsic.Env{Input: []byte(`{"name":"Ada","items":[1,2,3]}`)})
	fmt.Println(string(out), err)

	_, err = c.Eval(&intrinsic.Env{Input: []byte(`{"items":[]}`)})
	var ie *intrinsic.Error
	if errors.As(err, &ie) {
		fmt.Println(ie.Name)
		fmt.Println(ie.Cause)
	}
	// Output:
	// "Hello, Ada! You have 3 items." <nil>
	// States.Runtime
	// The function 'States.Format('Hello, {}! You have {} items.', $.name, States.ArrayLength($.items))' had the following error: The JsonPath argument for the field '$.name' could not be found in the input '{"items":[]}'
}
