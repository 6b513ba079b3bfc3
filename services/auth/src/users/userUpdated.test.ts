/**
 * `user.updated` through the auth outbox, on the real broker: a later login through the OIDC
 * provider that changes the profile announces exactly the changed fields once, keyed by the user;
 * a login that changes nothing announces nothing; an address another user holds is not taken.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { parseEnvelope } from '@syncro/contracts';
import { collectEvents, eventually, type EventCollector } from '@syncro/testing';
import { BROKERS, browser, loginThroughProvider, startAuth, startMockProvider, type Auth, type MockProvider } from '@syncro/auth/harness';

let provider: MockProvider;
let auth: Auth;
let events: EventCollector;

beforeAll(async () => {
  provider = await startMockProvider();
  events = await collectEvents(BROKERS, ['user.created', 'user.updated']);
  auth = await startAuth({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: 'syncro-web', OIDC_CLIENT_SECRET: 'shh' });
}, 60_000);
afterAll(async () => {
  await auth?.stop();
  await events?.stop();
  await provider?.stop();
});

const loginAs = async (person: Parameters<MockProvider['as']>[0] & { picture?: string }) => {
  provider.as(person);
  const b = browser();
  await loginThroughProvider(auth, b);
  const me = await fetch(`${auth.url}/auth/me`, { headers: { cookie: [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
  expect(me.status).toBe(200);
  return (await me.json()) as { id: string; email: string; name: string; locale: string; picture: string | null };
};

const updatesOf = (userId: string) => events.messages.filter((m) => m.topic === 'user.updated' && m.value.userId === userId);

test('a second login with a new name announces one user.updated naming only the name; a same login announces nothing', async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const ada = { sub: `oidc-${id}`, email: `ada.${id}@example.test`, name: 'Ada', locale: 'en-GB' };
  const first = await loginAs(ada);
  await events.waitFor((ms) => ms.some((m) => m.topic === 'user.created' && m.value.userId === first.id));

  await loginAs({ ...ada, name: 'Ada Lovelace' });
  await eventually('user.updated', () => updatesOf(first.id).length === 1);
  const [msg] = updatesOf(first.id);
  expect(msg!.key).toBe(first.id);
  expect(msg!.headers['event-type']).toBe('user.updated');
  const parsed = parseEnvelope('user.updated', msg!.value);
  expect(parsed.success).toBe(true);
  expect(msg!.value.changes).toEqual({ name: { from: 'Ada', to: 'Ada Lovelace' } });

  await loginAs({ ...ada, name: 'Ada Lovelace' });
  // The relay is woken on every write; give a wrongly written event the time to show up.
  await Bun.sleep(1000);
  expect(updatesOf(first.id)).toHaveLength(1);
});

test('email, locale and picture changed at the provider: one event with the three of them', async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const grace = { sub: `oidc-${id}`, email: `grace.${id}@example.test`, name: 'Grace', locale: 'en' };
  const first = await loginAs(grace);
  const moved = { ...grace, email: `grace.hopper.${id}@example.test`, locale: 'fr_FR', picture: 'https://example.test/g.png' };
  const after = await loginAs(moved);
  expect(after).toMatchObject({ id: first.id, email: moved.email, locale: 'fr-FR', picture: moved.picture });
  await eventually('user.updated', () => updatesOf(first.id).length === 1);
  expect(updatesOf(first.id)[0]!.value.changes).toEqual({
    email: { from: grace.email, to: moved.email },
    locale: { from: 'en', to: 'fr-FR' },
    picture: { from: null, to: moved.picture },
  });
});

test('an address that another user holds is not taken over: the rest still updates', async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const other = await loginAs({ sub: `oidc-o-${id}`, email: `taken.${id}@example.test`, name: 'Other' });
  const me = { sub: `oidc-m-${id}`, email: `me.${id}@example.test`, name: 'Me' };
  const first = await loginAs(me);
  const after = await loginAs({ ...me, email: other.email, name: 'Me Too' });
  expect(after).toMatchObject({ id: first.id, email: me.email, name: 'Me Too' });
  await eventually('user.updated', () => updatesOf(first.id).length === 1);
  expect(updatesOf(first.id)[0]!.value.changes).toEqual({ name: { from: 'Me', to: 'Me Too' } });
});
