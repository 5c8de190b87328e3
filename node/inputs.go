package node

import (
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/stepinput"
)

// registerInputs gives the request engine a handler for each step input
// kind this node can check. A kind left out (a bundle, until the bundle
// step reads one) is refused at the step.
func (n *Node) registerInputs() {
	n.Requests.HandleInput(catalog.InputPrintedCard, stepinput.PrintRoom{})
	n.Requests.HandleInput(catalog.InputISOTemplate, stepinput.Capture{})
}
