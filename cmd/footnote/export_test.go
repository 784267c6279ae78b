package main

// StopDeadline is how long footnote's shutdown may take at most (stopDeadline), for the
// tests in package main_test that check what a container gives it.
const StopDeadline = stopDeadline
