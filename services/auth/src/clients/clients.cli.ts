/**
 * @module Service client chores.
 *
 *   bun services/auth/src/clients/clients.cli.ts new realtime
 *
 * prints a new client secret (give it to the service: SERVICE_CLIENT_SECRET) and the
 * `SERVICE_CLIENTS` entry for the Auth Service (only the secret's SHA-256 is configured there).
 * Rotation: configure the new hash at auth, then the new secret at the service; the token the
 * service holds keeps working until it expires (SERVICE_TOKEN_TTL_S).
 */
import { newClientSecret } from './serviceClients.ts';

const [command, id] = process.argv.slice(2);
if (command === 'new' && id && /^[a-z][a-z0-9-]{0,39}$/.test(id)) {
  const { secret, hash } = newClientSecret();
  console.log(`# the service (e.g. the realtime hub):\nSERVICE_CLIENT_ID=${id}\nSERVICE_CLIENT_SECRET=${secret}\n# the Auth Service (append to the comma-separated list):\nSERVICE_CLIENTS=${id}:${hash}`);
} else {
  console.error('usage: clients.cli.ts new <client-id>   (lowercase letters, digits, dashes)');
  process.exit(2);
}
