package retrieval

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// selectSettings returns coll's settings row, or the defaults when it has none. It fails
// only on a database error.
func (s *Store) selectSettings(ctx context.Context, coll string) (GuildSettings, error) {
	g := DefaultGuildSettings()
	var channels []string
	_, err := s.query(ctx, in(coll), `
		SELECT admin_role, answer_mode, mention_channels, members_add, gone_pages
		FROM guild_settings WHERE collection = $1`, []any{coll},
		into(&g.AdminRole, &g.AnswerMode, &channels, &g.MembersAdd, &g.GonePages))
	if errors.Is(err, pgx.ErrNoRows) {
		return g, nil
	}
	if err != nil {
		return g, fmt.Errorf("read settings: %w", err)
	}
	g.MentionChannels = channels
	return g, nil
}

// upsertSettings stores g as coll's settings, replacing what was there, and records who
// changed them. It fails only on a database error.
func (s *Store) upsertSettings(ctx context.Context, coll string, g GuildSettings, by string) error {
	// A nil slice is stored as NULL (all channels); an empty list cannot be asked for.
	var channels []string
	if g.MentionChannels != nil {
		channels = g.MentionChannels
	}
	if _, err := s.exec(ctx, in(coll), `
		INSERT INTO guild_settings (collection, admin_role, answer_mode, mention_channels, members_add, gone_pages, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (collection) DO UPDATE SET
			admin_role = EXCLUDED.admin_role, answer_mode = EXCLUDED.answer_mode,
			mention_channels = EXCLUDED.mention_channels, members_add = EXCLUDED.members_add,
			gone_pages = EXCLUDED.gone_pages, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		coll, g.AdminRole, string(g.AnswerMode), channels, g.MembersAdd, string(g.GonePages), by); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}
