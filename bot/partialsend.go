package bot

// partlySentError is a failure to send an answer after its first part was sent: the
// member already sees part of it, so fail reports the error without touching the reply.
type partlySentError struct{ err error }

func (e *partlySentError) Error() string { return e.err.Error() }
func (e *partlySentError) Unwrap() error { return e.err }
