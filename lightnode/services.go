package lightnode

import (
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/wire/v2"
)

// ServiceNames spells out a peer's service bits, for example
// "network,witness,cf"; unknown bits are shown in hex, no bits as "none".
func ServiceNames(s wire.ServiceFlag) string {
	names := []struct {
		f    wire.ServiceFlag
		name string
	}{
		{wire.SFNodeNetwork, "network"}, {wire.SFNodeGetUTXO, "getutxo"}, {wire.SFNodeBloom, "bloom"},
		{wire.SFNodeWitness, "witness"}, {wire.SFNodeCF, "cf"}, {wire.SFNodeNetworkLimited, "limited"},
		{wire.SFNodeP2PV2, "v2"},
	}
	var out []string
	for _, n := range names {
		if s&n.f != 0 {
			out = append(out, n.name)
			s &^= n.f
		}
	}
	if s != 0 {
		out = append(out, fmt.Sprintf("0x%x", uint64(s)))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ",")
}
