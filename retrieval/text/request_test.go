package text

import "testing"

func TestStripRequest(t *testing.T) {
	tests := []struct {
		name, q, topic string
		request        bool
	}{
		{"tell me about names the topic", "Tell me about fentanyl", "fentanyl", true},
		{"summarize drops its verb", "Summarize the fentanyl talks", "the fentanyl talks", true},
		{"summarize the news about drops the news", "Summarize the news about Yukos", "Yukos", true},
		{"the British spelling is a request too", "summarise the coverage of the Yukos auction.", "the Yukos auction", true},
		{"what's the latest on is a request", "What's the latest on the tram line?", "the tram line", true},
		{"what do we know about is a request", "what do we know about Rover", "Rover", true},
		{"news about is a request", "news about the election", "the election", true},
		{"give me an overview of is a request", "Could you give me an overview of the iPod market?", "the iPod market", true},
		{"a question is not a request", "When will the tram line open?", "When will the tram line open?", false},
		{"a question that mentions news is not a request", "Who owns the news channel?", "Who owns the news channel?", false},
		{"a request with nothing after it is not one", "Tell me about", "Tell me about", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topic, req := StripRequest(tt.q)
			if topic != tt.topic || req != tt.request {
				t.Errorf("StripRequest(%q) = %q, %v; want %q, %v", tt.q, topic, req, tt.topic, tt.request)
			}
		})
	}
}
