import { describe, expect, test } from 'bun:test';
import { KINDS, LOCALES, toLocale } from './kinds.ts';
import { escapeHtml, render } from './templates.ts';
import { unsubscribeToken, verifyUnsubscribeToken } from './unsubscribe.ts';

const evil = '<img src=x onerror=alert(1)> "quoted" & \'single\'';
const context = {
  recipientName: `Ana ${evil}`,
  actorName: `Eve ${evil}`,
  ticket: { code: 'SYNC-101', title: `Title ${evil}` },
  project: { key: 'SYNC', name: `Project ${evil}` },
  excerpt: `Comment ${evil}\nsecond line`,
  status: { from: 'OPEN', to: 'REVIEW' },
};

describe('templates', () => {
  test('the seed example, word for word', () => {
    const m = render('assigned', 'es', { recipientName: 'Ana', ticket: { code: 'SYNC-101', title: 'Login' } }, 'https://app.example');
    expect(m.text).toStartWith('¡Hola Ana!\n\nSe te ha asignado el ticket SYNC-101: Login.');
    expect(m.link).toBe('https://app.example/tickets/SYNC-101');
  });

  for (const locale of LOCALES) {
    for (const kind of KINDS) {
      test(`${kind} (${locale}): subject, text and HTML; user content escaped in HTML, no line breaks in the subject`, () => {
        const m = render(kind, locale, context, 'https://app.example/', 'https://api.example/notifications/unsubscribe?token=a.b&c');
        expect(m.subject.length).toBeGreaterThan(5);
        expect(m.subject).not.toMatch(/[\r\n]/);
        expect(m.html).toContain(`<html lang="${locale}">`);
        expect(m.html).not.toContain('<img');
        expect(m.html).not.toContain(evil);
        expect(m.html).toContain('unsubscribe?token=a.b&amp;c');
        expect(m.text).toContain(m.link);
        if (kind !== 'welcome') expect(m.html).toContain(escapeHtml(evil));
      });
    }
  }

  test('locale tags fold to the templates we have', () => {
    expect([toLocale('es'), toLocale('es-AR'), toLocale('ES_mx'), toLocale('en-US'), toLocale('fr'), toLocale(null), toLocale('esperanto')]).toEqual([
      'es',
      'es',
      'es',
      'en',
      'en',
      'en',
      'en',
    ]);
  });
});

describe('unsubscribe tokens', () => {
  const user = '01a22c18-12a2-7607-b477-0ec8ccc3c05f';
  test('round trip; another secret, user or kind does not verify', () => {
    const token = unsubscribeToken('secret-one-0123456789', user, 'assigned', 'email');
    expect(verifyUnsubscribeToken('secret-one-0123456789', token)).toEqual({ userId: user, kind: 'assigned', channel: 'email' });
    expect(verifyUnsubscribeToken('secret-two-0123456789', token)).toBeNull();
    expect(verifyUnsubscribeToken('secret-one-0123456789', token.replace('assigned', 'commented'))).toBeNull();
    expect(verifyUnsubscribeToken('secret-one-0123456789', token.replace(user, user.replace('f', 'e')))).toBeNull();
    expect(verifyUnsubscribeToken('secret-one-0123456789', 'garbage')).toBeNull();
  });
});
