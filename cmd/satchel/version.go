package main

import (
	"runtime"

	"github.com/spf13/cobra"
)

func newVersionCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print satchel's version and build",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if a.flags.json {
				return a.printJSON(struct {
					Version string `json:"version"`
					Commit  string `json:"commit"`
					Go      string `json:"go"`
					OS      string `json:"os"`
					Arch    string `json:"arch"`
				}{version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH})
			}
			c := commit
			if c == "" {
				c = "unknown"
			} else if len(c) > 12 {
				c = c[:12]
			}
			a.printf("satchel %s (commit %s, %s, %s/%s)\n", version, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
