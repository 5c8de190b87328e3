package netlab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"
)

// Client talks to the controller that Serve runs for a state directory.
// Its methods map one to one onto what `sinkron-lab testnet` offers.
type Client struct {
	sock string
	hc   *http.Client
}

// NewClient returns a client for the controller of stateDir. It does not
// connect until a method is called.
func NewClient(stateDir string) *Client {
	sock := SocketPath(stateDir)
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
		// One request per connection: CLI calls are rare and this leaves
		// no idle connections (or goroutines) behind.
		DisableKeepAlives: true,
	}
	return &Client{sock: sock, hc: &http.Client{Transport: tr}}
}

// NotRunning reports an error that means no controller is listening (no
// socket, or a socket nobody answers on), as opposed to one that refused.
func NotRunning(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED)
}

// Ping checks that the controller answers.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.Status(ctx)
	return err
}

// WaitReady polls until the controller answers or ctx ends, for a CLI that
// has just started one in the background.
func (c *Client) WaitReady(ctx context.Context) error {
	for {
		err := c.Ping(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("netlab: controller not ready: %w", errors.Join(err, ctx.Err()))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Status reports the offices, their links and counters, and the processes.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var st Status
	err := c.do(ctx, http.MethodGet, "/v1/status", nil, &st)
	return st, err
}

// Stats reports each office's link counters.
func (c *Client) Stats(ctx context.Context) (map[string]LinkStats, error) {
	st, err := c.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]LinkStats, len(st.Offices))
	for _, o := range st.Offices {
		out[o.Name] = o.Stats
	}
	return out, nil
}

// SetLink sets both directions of an office's uplink.
func (c *Client) SetLink(ctx context.Context, office string, link Link) error {
	return c.do(ctx, http.MethodPut, "/v1/offices/"+url.PathEscape(office)+"/link", link, nil)
}

// SetProfile sets an office's uplink to a named profile (see Profiles).
func (c *Client) SetProfile(ctx context.Context, office, profile string) error {
	link, err := Profile(profile)
	if err != nil {
		return err
	}
	return c.SetLink(ctx, office, link)
}

// Cut cuts an office's uplink in one or both directions.
func (c *Client) Cut(ctx context.Context, office string, d Direction) error {
	return c.do(ctx, http.MethodPost, "/v1/offices/"+url.PathEscape(office)+"/cut?dir="+url.QueryEscape(string(d)), nil, nil)
}

// Heal undoes Cut in one or both directions.
func (c *Client) Heal(ctx context.Context, office string, d Direction) error {
	return c.do(ctx, http.MethodPost, "/v1/offices/"+url.PathEscape(office)+"/heal?dir="+url.QueryEscape(string(d)), nil, nil)
}

// Partition stops (on) or restores (!on) traffic between two offices.
func (c *Client) Partition(ctx context.Context, a, b string, on bool) error {
	return c.do(ctx, http.MethodPost, "/v1/partition", partitionRequest{A: a, B: b, On: on}, nil)
}

// Start runs a command in an office's namespace.
func (c *Client) Start(ctx context.Context, spec ProcSpec) (ProcInfo, error) {
	var info ProcInfo
	err := c.do(ctx, http.MethodPost, "/v1/procs", spec, &info)
	return info, err
}

// Signal stops, kills, pauses or resumes a started process.
func (c *Client) Signal(ctx context.Context, name string, a Action) error {
	return c.do(ctx, http.MethodPost, "/v1/procs/"+url.PathEscape(name)+"/"+url.PathEscape(string(a)), nil, nil)
}

// Shutdown tears the lab down and stops the controller; it returns once
// the namespaces and processes are gone.
func (c *Client) Shutdown(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/v1/shutdown", nil, nil)
}

// do sends one request with an optional JSON body and decodes the reply.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("netlab: %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://netlab"+path, body)
	if err != nil {
		return fmt.Errorf("netlab: %s %s: %w", method, path, err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("netlab: controller at %s: %w", c.sock, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e apiError
		if json.NewDecoder(resp.Body).Decode(&e) != nil || e.Error == "" {
			e.Error = resp.Status
		}
		return fmt.Errorf("netlab: controller: %s", e.Error)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("netlab: %s %s: reply: %w", method, path, err)
	}
	return nil
}

// Teardown removes a lab whatever state its controller is in: it asks the
// controller to shut down, then removes whatever the prefix still matches
// (all of it, if the controller had crashed) and the stale socket.
func Teardown(ctx context.Context, stateDir, prefix string) error {
	var errs []error
	if err := NewClient(stateDir).Shutdown(ctx); err != nil && !NotRunning(err) {
		errs = append(errs, err)
	}
	errs = append(errs, Cleanup(ctx, prefix))
	if err := os.Remove(SocketPath(stateDir)); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, fmt.Errorf("netlab: remove socket: %w", err))
	}
	return errors.Join(errs...)
}
