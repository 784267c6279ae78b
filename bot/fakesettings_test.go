package bot

import (
	"context"

	"github.com/footnote-bot/footnote/retrieval"
)

// GuildSettings returns the settings stored by UpdateGuildSettings, or the defaults.
func (e *fakeEngine) GuildSettings(ctx context.Context, coll string) (retrieval.GuildSettings, error) {
	if e.settingsFunc != nil {
		return e.settingsFunc(ctx, coll)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if s, ok := e.settings[coll]; ok {
		return s, nil
	}
	return retrieval.DefaultGuildSettings(), nil
}

// UpdateGuildSettings applies u as the real engine does, without its input checks.
func (e *fakeEngine) UpdateGuildSettings(ctx context.Context, coll string, u retrieval.SettingsUpdate) (retrieval.GuildSettings, error) {
	s, _ := e.GuildSettings(ctx, coll)
	if u.AdminRole != nil {
		s.AdminRole = *u.AdminRole
	}
	if u.AnswerMode != nil {
		s.AnswerMode = *u.AnswerMode
	}
	if u.MentionChannels != nil {
		s.MentionChannels = *u.MentionChannels
	}
	if u.MembersAdd != nil {
		s.MembersAdd = *u.MembersAdd
	}
	if u.GonePages != nil {
		s.GonePages = *u.GonePages
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.settings == nil {
		e.settings = make(map[string]retrieval.GuildSettings)
	}
	e.settings[coll] = s
	return s, nil
}
