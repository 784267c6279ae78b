package retrieval

import (
	dto "github.com/prometheus/client_model/go"
)

// ReplicaReads returns how many searches' and listings' queries s sent to target
// ("replica" or "primary") for reason (footnote_db_reads_total), for tests in package
// retrieval_test.
func ReplicaReads(s *Store, target, reason string) float64 {
	if s.replicas == nil {
		return 0
	}
	var m dto.Metric
	if err := s.replicas.reads.WithLabelValues(target, reason).Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}

// MaxReplicaLag is how far behind a replica may be and still serve reads, for tests.
const MaxReplicaLag = maxReplicaLag
