package regtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// rpcTimeout bounds one JSON-RPC call, so that a wedged btcd fails the test
// with a message instead of hanging until the test binary's own timeout.
const rpcTimeout = 2 * time.Minute

// RPCError is an error answered by btcd's JSON-RPC server (as opposed to a
// transport failure). Match it with errors.As to test the code.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Error implements error.
func (e *RPCError) Error() string {
	return fmt.Sprintf("btcd rpc error %d: %s", e.Code, e.Message)
}

// rpcClient speaks JSON-RPC 1.0 over plain HTTP with basic auth. btcd
// closes the connection after every response, so nothing is kept alive.
type rpcClient struct {
	url        string
	user, pass string
	http       *http.Client
	nextID     atomic.Uint64
}

func newRPCClient(addr, user, pass string) *rpcClient {
	return &rpcClient{
		url:  "http://" + addr + "/",
		user: user,
		pass: pass,
		http: &http.Client{Transport: &http.Transport{
			DisableKeepAlives: true,
			Proxy:             nil, // never route loopback through a proxy
		}},
	}
}

type rpcRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      uint64 `json:"id"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
}

type rpcResponse struct {
	Result json.RawMessage `json:"result"`
	Error  *RPCError       `json:"error"`
	ID     uint64          `json:"id"`
}

// call sends one request and returns its result.
func (c *rpcClient) call(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{} // btcd rejects a request whose params are null
	}
	body, err := json.Marshal(rpcRequest{JSONRPC: "1.0", ID: c.nextID.Add(1),
		Method: method, Params: params})
	if err != nil {
		return nil, fmt.Errorf("rpc %s: encode params: %w", method, err)
	}
	raw, err := c.post(ctx, body)
	if err != nil {
		return nil, fmt.Errorf("rpc %s: %w", method, err)
	}
	var resp rpcResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("rpc %s: decode reply %.200q: %w", method, raw, err)
	}
	if resp.Error != nil {
		return nil, fmt.Errorf("rpc %s: %w", method, resp.Error)
	}
	return resp.Result, nil
}

// post sends a request body (one request or a batch) and returns the reply
// body.
func (c *rpcClient) post(ctx context.Context, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, rpcTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(c.user, c.pass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("http %s: %.200s", resp.Status, bytes.TrimSpace(raw))
	}
	return raw, nil
}

// close releases the client's idle connections.
func (c *rpcClient) close() {
	c.http.CloseIdleConnections()
}
