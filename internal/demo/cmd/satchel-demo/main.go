// Command satchel-demo sets up a local regtest world (btcd and two funded
// wallets, see package demo) and opens satchel's TUI on the demo wallet.
// When the TUI quits, btcd is stopped and everything is removed. `make demo`
// runs it from the repository root.
//
//	satchel-demo [--no-tui] [--satchel BIN]
//
// With --no-tui (or DEMO_NO_TUI=1) it prints the demo wallet's balance and
// history instead of opening the TUI, then cleans up.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/satchelbtc/satchel/internal/demo"
)

func main() {
	os.Exit(run())
}

// run is main with an exit code, so that deferred cleanups run.
func run() int {
	noTUI := flag.Bool("no-tui", os.Getenv("DEMO_NO_TUI") == "1",
		"print the demo wallet's balance and history instead of opening the TUI (also DEMO_NO_TUI=1)")
	satchel := flag.String("satchel", "", "drive this satchel binary instead of building ./cmd/satchel")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "satchel-demo: unexpected argument %q (see -help)\n", flag.Arg(0))
		return 2
	}

	interactive := term.IsTerminal(int(os.Stdin.Fd()))
	if !*noTUI && !interactive {
		fmt.Fprintln(os.Stderr, "satchel-demo: the TUI needs a terminal; run with --no-tui (or DEMO_NO_TUI=1) to set up and print the wallet instead")
		return 2
	}

	// Ctrl-C, SIGTERM or a closed terminal (SIGHUP) during setup stops it
	// and cleans up. While the TUI runs the terminal is in raw mode, so
	// Ctrl-C is a key for the TUI; a signal then ends the TUI (SIGTERM).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	start := time.Now()
	d, err := demo.Setup(ctx, demo.Config{Satchel: *satchel, Progress: os.Stdout})
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "satchel-demo: interrupted; btcd stopped and the demo's files removed")
		return 130
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "satchel-demo:", err)
		return 1
	}
	code := 0
	if *noTUI {
		fmt.Printf("Ready in %.0fs.\n\n", time.Since(start).Seconds())
		if err := d.Summary(ctx, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "satchel-demo:", err)
			code = 1
		}
	} else {
		fmt.Printf("Ready in %.0fs.\n\ndemo wallet password: %s\n\n", time.Since(start).Seconds(), demo.Password)
		fmt.Printf("Press Enter to open satchel --wallet %s (q quits it and ends the demo)… ", demo.DemoWallet)
		if waitEnter(ctx) {
			tui := d.Command(ctx, demo.DemoWallet)
			tui.Stdin, tui.Stdout, tui.Stderr = os.Stdin, os.Stdout, os.Stderr
			if err := tui.Run(); err != nil && ctx.Err() == nil {
				fmt.Fprintln(os.Stderr, "satchel-demo: satchel:", err)
				code = 1
			}
		} else {
			fmt.Println()
		}
	}
	fmt.Println("Stopping btcd and removing the demo's files…")
	if err := d.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "satchel-demo:", err)
		code = 1
	}
	return code
}

// waitEnter waits for a line on stdin and reports whether one came before
// ctx ended (Ctrl-C) or stdin closed.
func waitEnter(ctx context.Context) bool {
	line := make(chan bool, 1)
	go func() {
		_, err := bufio.NewReader(os.Stdin).ReadString('\n')
		line <- err == nil
	}()
	select {
	case ok := <-line:
		return ok
	case <-ctx.Done():
		return false
	}
}
