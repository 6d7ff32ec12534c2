/**
 * The workflow modules and the domain modules they use are evaluated once per worker and shared by
 * every cached round (workflows/sharedModules.ts). A module left off that list would be evaluated
 * again in every round, and a module that kept state of its own would leak it from one round to the
 * next.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The project modules a file imports at run time (type-only imports are erased from the bundle). */
function runtimeImports(file: string): string[] {
  const found: string[] = [];
  for (const m of read(file).matchAll(/^import\s+(?!type\s)[^;]*?from\s+'(\.[^']+)';/gms)) {
    found.push(path.normalize(path.join(path.dirname(file), m[1]!.replace(/\.js$/, '.ts'))));
  }
  return found;
}

function workflowFiles(dir = 'workflows'): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? workflowFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** Every domain module the workflow bundle evaluates: what the workflows import, and what those import. */
function domainModulesOfTheWorkflows(): Set<string> {
  const seen = new Set<string>();
  const queue = workflowFiles()
    .filter((f) => !f.endsWith('sharedModules.ts'))
    .flatMap(runtimeImports);
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (!file.startsWith('domain/') || seen.has(file)) continue;
    seen.add(file);
    queue.push(...runtimeImports(file));
  }
  return seen;
}

describe('the modules every round shares', () => {
  const shared = new Set(runtimeImports('workflows/sharedModules.ts'));

  it('include every workflow module', () => {
    const workflows = workflowFiles().filter((f) => !f.endsWith('sharedModules.ts'));
    expect(workflows.filter((m) => !shared.has(m))).toEqual([]);
    expect(workflows.length).toBeGreaterThan(20);
  });

  it('include every domain module the workflow code uses', () => {
    expect([...domainModulesOfTheWorkflows()].filter((m) => !shared.has(m))).toEqual([]);
    expect([...shared].filter((m) => m.startsWith('domain/')).length).toBeGreaterThan(10);
  });

  it('have their exports frozen, each of them', () => {
    const source = read('workflows/sharedModules.ts');
    const names = [...source.matchAll(/^import \* as (\w+) from '\.\.?\//gm)].map((m) => m[1]!);
    const frozen = /for \(const exports of \[([^\]]*)\]\)/.exec(source)?.[1]?.split(/[\s,]+/) ?? [];
    expect(names).toHaveLength(shared.size);
    expect(names.filter((n) => !frozen.includes(n))).toEqual([]);
  });

  it('keep no state of their own: no module-level variable, writable collection or static field', () => {
    const state =
      /^(?:export\s+)?(?:let|var)\s|^(?:export\s+)?const\s+\w+(?::(?!\s*Readonly)[^=]+)?\s*=\s*new\s+(?:Map|Set|WeakMap|WeakSet)\b|^\s+static\s+(?!readonly\s)(?!(?:async\s+)?\w+\s*\()/m;
    const stateful = [...shared].filter((m) => state.test(read(m)));
    expect(stateful).toEqual([]);
  });
});
