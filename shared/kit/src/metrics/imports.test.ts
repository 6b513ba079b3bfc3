/**
 * The kit's modules form no import cycle, and metrics stand alone (issue 9.3): bus and outbox used
 * to import the HTTP kit for them; db/index ↔ db/embedded and service/index ↔ service/backbone cycled.
 */
import { expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dir, '..');
const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
  .map((f) => join(root, f));

/** Relative imports (values and types: a type-only cycle still ties the modules together). */
const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.{1,2}\/[^']+)'/gm)].map((m) => resolve(dirname(file), m[1]!));
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const name = (f: string) => relative(root, f);

test('no import cycles between the kit’s files', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (f: string, stack: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'visiting') {
      cycles.push([...stack.slice(stack.indexOf(f)), f].map(name).join(' → '));
      return;
    }
    state.set(f, 'visiting');
    for (const g of graph.get(f) ?? []) visit(g, [...stack, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  expect(cycles).toEqual([]);
});

test('metrics import nothing of the kit, and bus and outbox do not import the HTTP kit', () => {
  expect(importsOf(join(root, 'metrics/index.ts'))).toEqual([]);
  for (const f of files.filter((f) => /\/(bus|outbox)\//.test(f))) {
    expect(importsOf(f).filter((g) => name(g).startsWith('http/')), name(f)).toEqual([]);
  }
});
