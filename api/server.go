package api

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
)

// Option configures NewHandler.
type Option func(*settings)

type settings struct{ anonymous bool }

// AllowAnonymous lets calls without a token through, unchecked: for a lab
// or a test of the handlers themselves, never an office. Without it every
// call but Login needs a valid token. Calls that carry a token are checked
// either way.
func AllowAnonymous() Option { return func(s *settings) { s.anonymous = true } }

// officerServices are the services NewHandler serves to officers, in the
// order reflection and health list them.
var officerServices = []string{sinkronv1connect.RequestServiceName, sinkronv1connect.NodeServiceName,
	sinkronv1connect.DecisionServiceName, sinkronv1connect.ClusterServiceName, sinkronv1connect.RegistryServiceName,
	sinkronv1connect.AccountServiceName, sinkronv1connect.InstitutionAdminServiceName}

// NewHandler routes the node's services, reflection, health and /metrics.
// Reflection, health and /metrics are not officers' calls and need no
// token; every service call but AccountService.Login does.
func NewHandler(n Node, options ...Option) http.Handler {
	var set settings
	for _, o := range options {
		o(&set)
	}
	mux := http.NewServeMux()
	opts := []connect.HandlerOption{connect.WithReadMaxBytes(MaxRequestBytes),
		connect.WithInterceptors(gate{accounts: n.AccountService(), anonymous: set.anonymous}, diskGuard{n: n})}
	mux.Handle(sinkronv1connect.NewAccountServiceHandler(&accounts{n: n}, opts...))
	mux.Handle(sinkronv1connect.NewRequestServiceHandler(&requests{n: n}, opts...))
	mux.Handle(sinkronv1connect.NewNodeServiceHandler(&nodes{n: n}, opts...))
	mux.Handle(sinkronv1connect.NewDecisionServiceHandler(&decisions{n: n}, opts...))
	mux.Handle(sinkronv1connect.NewRegistryServiceHandler(&residents{n: n}, opts...))
	mux.Handle(sinkronv1connect.NewClusterServiceHandler(&clusterOps{n: n}, opts...))
	mux.Handle(sinkronv1connect.NewInstitutionAdminServiceHandler(&institutionAdmin{n: n}, opts...))
	reflector := grpcreflect.NewStaticReflector(officerServices...)
	mux.Handle(grpcreflect.NewHandlerV1(reflector))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))
	mux.Handle(grpchealth.NewHandler(grpchealth.NewStaticChecker(officerServices...)))
	mux.Handle("/metrics", promhttp.HandlerFor(n.Registry(), promhttp.HandlerOpts{}))
	return newSizeGuard(mux, officerServices...)
}

// Server is a running API listener.
type Server struct {
	srv *http.Server
	ln  net.Listener
}

// Listen serves h on addr (HTTP/1.1 and cleartext HTTP/2).
func Listen(addr string, h http.Handler) (*Server, error) { return ListenTLS(addr, h, "", "") }

// ListenTLS serves h on addr over TLS (HTTP/1.1 and HTTP/2) with the
// certificate and key files; with both empty, in cleartext, as Listen.
func ListenTLS(addr string, h http.Handler, certFile, keyFile string) (*Server, error) {
	var tlsConf *tls.Config
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("api certificate %s: %w", certFile, err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
	}
	return ListenConfig(addr, h, tlsConf)
}

// ListenConfig serves h on addr over TLS with tlsConf (HTTP/1.1 and
// HTTP/2), or in cleartext when it is nil.
func ListenConfig(addr string, h http.Handler, tlsConf *tls.Config) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("api listen %s: %w", addr, err)
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	p := new(http.Protocols)
	p.SetHTTP1(true)
	if tlsConf != nil {
		p.SetHTTP2(true)
	} else {
		p.SetUnencryptedHTTP2(true)
	}
	s := &Server{ln: ln, srv: &http.Server{Handler: h, Protocols: p, TLSConfig: tlsConf, ReadHeaderTimeout: 10 * time.Second}}
	// Serve returns only when Close shuts the server down.
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops accepting, lets calls in flight finish for a few seconds,
// then cuts watchers off.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		return s.srv.Close()
	}
	return nil
}
