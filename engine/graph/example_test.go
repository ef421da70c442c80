package graph_test

import (
	"fmt"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/graph"
)

func ExampleNew() {
	text := []byte(`{"StartAt":"Check","States":{
  "Check":{"Type":"Choice","Choices":[{"Variable":"$.total","NumericGreaterThan":100,"Next":"Review"}],"Default":"Done"},
  "Review":{"Type":"Wait","Seconds":60,"Next":"Done"},
  "Done":{"Type":"Succeed"}}}`)
	def, err := asl.Parse(text)
	if err != nil {
		panic(err)
	}
	l := graph.New(def, text)
	for _, n := range l.Nodes {
		fmt.Printf("%s %s %q\n", n.Kind, n.ID, string(text[n.From:n.To])[:min(n.To-n.From, 12)])
	}
	for _, e := range l.Edges {
		fmt.Printf("%s -> %s %s %q\n", e.From, e.To, e.Kind, e.Label)
	}
	svg := graph.SVG(l, graph.ThemeDark)
	fmt.Println(strings.Contains(svg, `<g class="state type-Wait" data-state="Review">`))
	// Output:
	// start start ""
	// state Check "\"Check\":{\"Ty"
	// state Review "\"Review\":{\"T"
	// state Done "\"Done\":{\"Typ"
	// end end ""
	// start -> Check start ""
	// Check -> Review choice "$.total > 100"
	// Check -> Done default "Default"
	// Review -> Done next ""
	// Done -> end end ""
	// true
}
