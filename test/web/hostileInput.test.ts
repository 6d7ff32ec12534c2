/**
 * Hostile input, a seeded sample: every route of the web app and every file the CLI reads, each
 * with generated inputs from a fixed seed (test/hostile/). The full run, a thousand per route and
 * file with the counts written for the battery, is `npm run battery:hostile`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FILE_CASES, runFile } from '../hostile/cliFiles.js';
import { appRoutes, caseOf, runRoute } from '../hostile/webRoutes.js';
import { hostileWorld, type World } from '../hostile/webWorld.js';

const RUNS = 25;
const SEED = 20260;

let world: World;
beforeAll(async () => {
  world = await hostileWorld();
});

describe('every route of the web app, with generated hostile requests', () => {
  it('has a case for each route the app registers, and a new route without one fails', async () => {
    const w = await hostileWorld();
    const routes = appRoutes(w);
    expect(routes.length).toBeGreaterThan(40);
    for (const route of routes) expect(() => caseOf(route)).not.toThrow();
    expect(() => caseOf('POST /rounds/:id/actions/new-action')).toThrow(/no hostile-input case/);
    expect(() => caseOf('GET /new-page')).toThrow(/no hostile-input case/);
  });

  it('answers every request without a server error, and leaves the rounds and the store as they were when it refuses', async () => {
    let accepted = 0;
    let refused = 0;
    for (const route of appRoutes(world)) {
      const count = await runRoute(world, route, RUNS, SEED);
      expect(count.runs, route).toBe(RUNS);
      accepted += count.accepted;
      refused += count.refused;
    }
    // The generator reaches both sides: valid requests are taken, hostile ones refused.
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 600_000);
});

describe('every file the CLI reads, generated hostile', () => {
  it.each(FILE_CASES.map((c) => [c.name, c] as const))(
    '%s: read, or refused with the file and its problems named',
    async (_name, c) => {
      const count = await runFile(c, RUNS, SEED);
      expect(count.accepted).toBeGreaterThan(0);
      expect(count.refused).toBeGreaterThan(0);
    },
    120_000,
  );
});
