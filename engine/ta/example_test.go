package ta_test

import (
	"fmt"

	"github.com/capwatch/capwatch/engine/ta"
)

// A closed bar is committed with Update; the forming bar is evaluated with
// Peek, which never changes the stream.
func ExampleSMA() {
	sma, err := ta.NewSMA(3)
	if err != nil {
		panic(err)
	}
	for _, closePx := range []float64{10, 11, 12} {
		v, ok, _ := sma.Update(closePx)
		fmt.Println(v, ok)
	}
	forming, _, _ := sma.Peek(15) // provisional: (11+12+15)/3
	last, _ := sma.Value()        // still the committed value
	fmt.Println(forming, last)
	// Output:
	// 0 false
	// 0 false
	// 11 true
	// 12.666666666666666 11
}

// Feeding a spread (fast − slow) into Cross reports confirmed crossings on
// Update and provisional ones on Peek. A touch (0) keeps the previous sign.
func ExampleCross() {
	c, _ := ta.NewCross(0)
	for _, diff := range []float64{-0.2, 0, 0.3, 0.1} {
		ev, _ := c.Update(diff)
		fmt.Println(ev, c.Sign())
	}
	ev, _ := c.Peek(-0.05)
	fmt.Println("provisional", ev)
	// Output:
	// 0 -1
	// 0 -1
	// 1 1
	// 0 1
	// provisional -1
}

// Donchian breakouts compare the close with the previous bar's channel.
func ExampleDonchian() {
	d, _ := ta.NewDonchian(3)
	bars := [][3]float64{{10, 9, 9.5}, {10.5, 9.5, 10}, {10.2, 9.8, 10}, {11, 10, 10.9}}
	for _, b := range bars {
		v, ok, _ := d.Update(b[0], b[1], b[2])
		if ok {
			fmt.Printf("upper %.1f lower %.1f breakUp %v\n", v.Upper, v.Lower, v.BreakUp)
		}
	}
	// Output:
	// upper 10.5 lower 9.0 breakUp false
	// upper 11.0 lower 9.5 breakUp true
}
