// Command satchel is a Bitcoin wallet and block explorer for the terminal.
package main

import (
	"context"
	"os"
	"syscall"

	"charm.land/fang/v2"
)

// version and commit are set at build time:
//
//	go build -ldflags "-X main.version=v0.1.0 -X main.commit=$(git rev-parse HEAD)"
var (
	version = "dev"
	commit  = ""
)

func main() {
	a := newApp()
	root := newRootCommand(a)
	err := fang.Execute(context.Background(), root,
		fang.WithVersion(version),
		fang.WithCommit(commit),
		fang.WithErrorHandler(a.errorHandler),
		fang.WithNotifySignal(os.Interrupt, syscall.SIGTERM),
		fang.WithoutManpage(),
	)
	a.close()
	if err != nil {
		os.Exit(1)
	}
}
