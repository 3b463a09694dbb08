// Command benchchains lists or stops the btcd nodes that the benchmarks keep
// running between runs (see regtest.CachedChain).
//
//	go run ./internal/regtest/cmd/benchchains list
//	go run ./internal/regtest/cmd/benchchains stop
package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/satchelbtc/satchel/internal/regtest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchchains list|stop")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "list":
		chains, err := regtest.CachedChainNodes()
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchchains:", err)
			os.Exit(1)
		}
		names := make([]string, 0, len(chains))
		for name := range chains {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			fmt.Printf("%s\t%s\n", name, strings.Join(chains[name], ","))
		}
	case "stop":
		err := regtest.StopCachedChains(func(format string, args ...any) {
			fmt.Printf(format+"\n", args...)
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchchains:", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: benchchains list|stop")
		os.Exit(2)
	}
}
