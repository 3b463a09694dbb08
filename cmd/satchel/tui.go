package main

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/lightnode"
	tuiapp "github.com/satchelbtc/satchel/tui/app"
)

// walletScanned tells the TUI that the background scan changed the wallet.
type walletScanned struct{}

// runTUI opens the interactive app on the chosen network and wallet. The
// node syncs in the background; once it is caught up the wallet is scanned
// and the pages refresh. Without a wallet the app opens on the first-run
// wizard. With --offline no node is made at all: the app is the offline
// signer, opening on the PSBT page.
func (a *app) runTUI(ctx context.Context) error {
	if a.term == nil {
		return errors.New("the interactive app needs a terminal; see 'satchel --help' for the commands")
	}
	conf, err := a.loadConfig()
	if err != nil {
		return err
	}
	styles, themeNames, err := a.themeStyles(conf.Theme)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		node   *lightnode.Node
		events chan any
	)
	if !a.flags.offline {
		if node, err = a.startNode(); err != nil {
			return err
		}
		defer node.Stop()
		events = nodeEvents(ctx, node)
	}

	s := newAppSession(ctx, a, node, conf, events)
	defer s.close()
	src, err := s.sources(themeNames)
	if err != nil {
		return err
	}
	autoLock, _ := conf.autoLock()
	_, err = tea.NewProgram(tuiapp.New(ctx, src, styles, tuiapp.WithUnits(unitsOf(conf.Units)),
		tuiapp.WithAutoLock(autoLock))).Run()
	return err
}

// nodeEvents forwards the node's events to a channel the app reads (the
// session adds its own, such as a finished scan) until ctx ends.
func nodeEvents(ctx context.Context, node *lightnode.Node) chan any {
	events := make(chan any, 64)
	sub := node.Subscribe()
	go func() {
		for ev := range sub.Events() {
			select {
			case events <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return events
}
