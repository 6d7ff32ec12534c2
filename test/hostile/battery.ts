/**
 * The hostile-input part of the reliability battery: at least a thousand generated inputs for every
 * route of the web app and every file the CLI reads (test/hostile/), from a fixed seed, with the
 * count each route took and refused. Writes test-output/battery/hostile.json in the battery's result
 * shape ({ name, command, ok, figures, broken, at }); RELIABILITY.md's table is written from it.
 *
 *   npm run battery:hostile               # 1000 per route and file
 *   npm run battery:hostile -- 2000 7     # runs per route, seed
 */
import { BATTERY_RESULTS_DIR, writeResult } from '../../bench/battery/result.js';
import { FILE_CASES, runFile } from './cliFiles.js';
import { appRoutes, INPUTLESS_ROUTES, runRoute, type RouteCount } from './webRoutes.js';
import { hostileWorld } from './webWorld.js';

const runs = Number(process.argv[2] ?? 1000);
const seed = Number(process.argv[3] ?? 20260);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run battery:hostile -- [runs per route] [seed]');
  process.exit(2);
}

const figures: Record<string, number | string> = { 'runs per route': runs, seed };
const broken: string[] = [];
const started = Date.now();

function record(c: RouteCount, inputless = false): void {
  figures[`${c.route} accepted`] = c.accepted;
  figures[`${c.route} refused`] = c.refused;
  const line = `${c.route}: ${c.runs} runs, ${c.accepted} accepted, ${c.refused} refused`;
  console.log(line);
  if (c.accepted === 0) broken.push(`${c.route}: no generated input was accepted`);
  if (c.refused === 0 && !inputless) broken.push(`${c.route}: no generated input was refused`);
}

async function guarded(route: string, run: () => Promise<RouteCount>, inputless = false): Promise<void> {
  try {
    record(await run(), inputless);
  } catch (err) {
    const cause = (err as Error).cause ?? err;
    broken.push(`${route}: ${String(cause).slice(0, 2000)}`);
    console.log(`${route}: BROKEN ${String(cause).slice(0, 500)}`);
  }
}

const world = await hostileWorld();
const routes = appRoutes(world);
for (const route of routes)
  await guarded(route, () => runRoute(world, route, runs, seed), INPUTLESS_ROUTES.includes(route));
for (const c of FILE_CASES) await guarded(`file ${c.name}`, () => runFile(c, runs, seed));

figures['web routes'] = routes.length;
figures['CLI files'] = FILE_CASES.length;
figures['seconds'] = Math.round((Date.now() - started) / 1000);
const result = {
  name: 'hostile',
  command: `npm run battery:hostile -- ${runs} ${seed}`,
  ok: broken.length === 0,
  figures,
  broken,
  at: new Date().toISOString(),
};
const file = await writeResult(BATTERY_RESULTS_DIR, result);
console.log(`${result.ok ? 'ok' : 'BROKEN'}: ${file} (${figures.seconds} s)`);
process.exit(result.ok ? 0 : 1);
