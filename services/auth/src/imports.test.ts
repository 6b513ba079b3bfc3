/**
 * The Auth Service's modules import each other without cycles (type-only imports count: a cycle
 * of types still ties the modules together for every reader). Relative imports only; packages are
 * leaves here.
 */
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = import.meta.dir;
const files = [...new Bun.Glob('**/*.ts').scanSync(root)].filter((f) => !f.endsWith('.test.ts')).map((f) => join(root, f));
const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => resolve(dirname(file), m[1]!));

function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

test('the cycle finder finds one', () => {
  expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
  expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeNull();
});

test('no import cycle in services/auth/src', () => {
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  expect(graph.size).toBeGreaterThan(20);
  expect(graph.get(join(root, 'context.ts'))).toContain(join(root, 'oauth/loginProvider.ts'));
  expect(findCycle(graph)?.map((f) => relative(root, f)) ?? null).toBeNull();
});
