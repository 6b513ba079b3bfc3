/** @module `syncroboard --help`: every setting the process reads, by role, with its default. */
import * as v from 'valibot';
import { EdgeConfig } from '@syncro/kit/config';
// The schemas themselves (the packages export only their loaders): the names and defaults are theirs.
import { AssignmentConfig } from '@syncro/assignment';
import { AuthConfig } from '@syncro/auth';
import { NotifyConfig } from '@syncro/notifications';
import { RealtimeConfig } from '@syncro/realtime';
import { TicketConfig } from '@syncro/tickets';
import { AllInOneConfig } from './index.ts';

type Schema = v.ObjectSchema<v.ObjectEntries, undefined>;

const SELF: [string, string][] = [
  ['SYNCROBOARD_DATA', 'the data folder (same as --data; default ~/.local/share/syncroboard, /var/lib/syncroboard as root)'],
  ['POSTGRES_URL / DATABASE_URL', 'an external Postgres server instead of the embedded one (each role gets its own database on it)'],
  ['<ROLE>_DATABASE_URL', "one role's database elsewhere (AUTH_, TICKETS_, ASSIGNMENT_, NOTIFICATIONS_)"],
  ['KAFKA_BROKERS', 'Kafka/Redpanda instead of the bus in the database'],
  ['BUS_DATABASE_URL', 'where the bus in the database keeps its log (default: database syncro_bus on the Postgres server)'],
  ['REDIS_URL', 'Redis instead of the in-process cache and pub/sub (needed to split tickets, realtime and notifications across processes)'],
  ['HOST', 'the address to listen on (default 0.0.0.0)'],
];

/** Read outside the config schemas (by the logger, before any config loads). */
const OTHER: [string, string][] = [['LOG_LEVEL', 'debug, info, warn or error: the JSON lines on stdout (default info)']];

const defaultOf = (schema: v.GenericSchema) => {
  const d = v.getDefault(schema as never) as unknown;
  return d === undefined || d === '' ? '' : ` (default ${typeof d === 'string' ? d : JSON.stringify(d)})`;
};

export function settingsHelp(): string {
  const sections: [string, Schema][] = [
    ['process', AllInOneConfig as unknown as Schema],
    ['operations', EdgeConfig as unknown as Schema],
    ['auth', AuthConfig as unknown as Schema],
    ['tickets', TicketConfig as unknown as Schema],
    ['assignment', AssignmentConfig as unknown as Schema],
    ['notifications', NotifyConfig as unknown as Schema],
    ['realtime', RealtimeConfig as unknown as Schema],
  ];
  const seen = new Set<string>();
  const lines = ['Embedded default (each variable below moves one part out):', ...SELF.map(([k, d]) => `  ${k.padEnd(30)} ${d}`), ''];
  for (const [name, schema] of sections) {
    const keys = Object.keys(schema.entries).filter((k) => !seen.has(k));
    if (!keys.length) continue;
    lines.push(`${name}:`);
    for (const k of keys) {
      seen.add(k);
      lines.push(`  ${k}${defaultOf(schema.entries[k]!)}`);
    }
    lines.push('');
  }
  lines.push('logging:', ...OTHER.map(([k, d]) => `  ${k.padEnd(30)} ${d}`), '');
  return lines.join('\n');
}
