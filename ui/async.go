package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
)

// background runs work off the UI goroutine (it may wait on the network or
// the disk), then done on the UI goroutine. Screens call the Service only
// inside work and touch widgets only in done. The tests replace it with a
// synchronous version so that a tap's whole effect is visible when Tap
// returns.
var background = func(work func(), done func()) {
	go func() {
		work()
		fyne.Do(done)
	}()
}

// callTimeout bounds one call of the Service made from a screen: the
// client retries within it, and the user gets an answer.
const callTimeout = 45 * time.Second

// serviceContext returns the context of one Service call from a screen.
func serviceContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}
