import { expect, test } from 'bun:test';
import { isPagePath } from './pages.ts';

test('the app owns its pages, and nothing an API or the socket answers', () => {
  for (const path of ['/', '/login', '/invite', '/p', '/p/SYNC', '/p/SYNC/SYNC-12']) expect(isPagePath(path)).toBe(true);
  for (const path of ['/auth/invites', '/auth/invites/accept', '/invites', '/invite/x', '/invitee', '/projects', '/ws', '/login/x', '/px', '/assets/app.js', '']) {
    expect(isPagePath(path)).toBe(false);
  }
});
