package node

import (
	"github.com/prometheus/client_golang/prometheus"
)

// collector exposes the node's figures at scrape time, so nothing on the
// write path updates metrics.
type collector struct{ n *Node }

var (
	descEvents    = prometheus.NewDesc("sinkron_events", "Events held in the replicated log.", nil, nil)
	descConflicts = prometheus.NewDesc("sinkron_conflicts", "Entities in conflict awaiting an officer.", nil, nil)
	descOutbox    = prometheus.NewDesc("sinkron_outbox_depth", "WhatsApp notices not yet delivered.", nil, nil)
	descDead      = prometheus.NewDesc("sinkron_outbox_dead_letters", "WhatsApp notices given up on, waiting for an officer to check and retry.", nil, nil)
	descBlobs     = prometheus.NewDesc("sinkron_documents_missing", "Documents referenced but not yet held.", nil, nil)
	descOnline    = prometheus.NewDesc("sinkron_online", "1 unless an operator took the node off the network.", nil, nil)
	descEffects   = prometheus.NewDesc("sinkron_registry_effects_failed", "Decided steps whose registry change failed at this office and is being retried, awaiting an officer.", nil, nil)
	peerLabels    = []string{"peer", "office"}
	descConnected = prometheus.NewDesc("sinkron_peer_connected", "1 when connected to the office.", peerLabels, nil)
	descSent      = prometheus.NewDesc("sinkron_peer_events_sent_total", "Events sent to the office.", peerLabels, nil)
	descRecv      = prometheus.NewDesc("sinkron_peer_events_received_total", "Events received from the office.", peerLabels, nil)
	descRepeats   = prometheus.NewDesc("sinkron_peer_events_repeated_total", "Events received from the office that this node already held (carried twice).", peerLabels, nil)
	descBytesOut  = prometheus.NewDesc("sinkron_peer_sync_bytes_sent_total", "Sync bytes sent to the office.", peerLabels, nil)
	descBytesIn   = prometheus.NewDesc("sinkron_peer_sync_bytes_received_total", "Sync bytes received from the office.", peerLabels, nil)
	descPeerLacks = prometheus.NewDesc("sinkron_peer_lag_events", "Events the office lacked at the last exchange (direction=peer_lacks) or this node lacked (we_lack).", append(peerLabels, "direction"), nil)
	descSkew      = prometheus.NewDesc("sinkron_peer_clock_skew_seconds", "Office clock minus this node's clock at the last exchange.", peerLabels, nil)
	descLastSync  = prometheus.NewDesc("sinkron_peer_last_sync_timestamp_seconds", "When the last exchange with the office succeeded.", peerLabels, nil)
)

func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descEvents, descConflicts, descOutbox, descDead, descBlobs, descOnline, descEffects, descConnected, descSent, descRecv, descRepeats, descBytesOut, descBytesIn, descPeerLacks, descSkew, descLastSync} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	st := c.n.Status()
	gauge := func(d *prometheus.Desc, v float64, l ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, l...)
	}
	count := func(d *prometheus.Desc, v uint64, l ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), l...)
	}
	gauge(descEvents, float64(st.Events))
	gauge(descConflicts, float64(st.Conflicts))
	gauge(descOutbox, float64(st.OutboxDepth))
	gauge(descDead, float64(st.OutboxDead))
	gauge(descBlobs, float64(st.BlobsMissing))
	gauge(descOnline, b2f(st.Online))
	gauge(descEffects, float64(st.EffectsFailed))
	for _, p := range c.n.Peers() {
		l := []string{p.Peer.String(), p.Office}
		gauge(descConnected, b2f(p.Connected), l...)
		count(descSent, p.Sync.EventsSent, l...)
		count(descRecv, p.Sync.EventsReceived, l...)
		count(descRepeats, p.Sync.Repeats, l...)
		count(descBytesOut, p.Sync.BytesSent, l...)
		count(descBytesIn, p.Sync.BytesReceived, l...)
		gauge(descPeerLacks, float64(p.Sync.PeerLacks), append(l, "peer_lacks")...)
		gauge(descPeerLacks, float64(p.Sync.WeLack), append(l, "we_lack")...)
		gauge(descSkew, p.Sync.ClockSkew.Seconds(), l...)
		if !p.Sync.LastSync.IsZero() {
			gauge(descLastSync, float64(p.Sync.LastSync.Unix()), l...)
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
