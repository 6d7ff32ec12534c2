/**
 * The reliability battery: the fault scenarios and the load on one embedded stack whose parts are
 * separate processes (bench/battery/stack.ts), each scenario turned into a result of the shared
 * shape (bench/battery/result.ts) with the command that reproduces it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PATIENT_TIMEOUTS } from '../../infra/roundGateway.js';
import { ensureInitialUsers } from '../../infra/users.js';
import {
  devServerKilledMidRound,
  permanentRefusal,
  smtpOutage,
  webRestartedDuringPost,
  workerKilledDuringInvitations,
  workerKilledDuringPdf,
  workerKilledDuringReplies,
  type ScenarioOutcome,
} from './faults.js';
import { load } from './load.js';
import type { BatteryResult } from './result.js';
import { BatteryStack } from './stack.js';

export interface BatteryPlan {
  /** Rounds (of seven bureaus) in each fault scenario that takes several. */
  faultRounds: number;
  smtpOutageMs: number;
  /** How long a killed worker or dev server stays down: beyond the web server's 15 s wait for an Update. */
  downMs: number;
  loadRounds: number;
  loadClients: number;
  /** The scenarios to run, by key (all when omitted). */
  only?: ScenarioKey[];
  /** How the command line that reproduces a row starts. */
  command: string;
  log?: (line: string) => void;
}

export const SCENARIOS = {
  'worker-invitations': (s, p) => workerKilledDuringInvitations(s, p.faultRounds),
  'worker-replies': (s, p) => workerKilledDuringReplies(s, p.faultRounds, p.downMs),
  'worker-pdf': (s) => workerKilledDuringPdf(s),
  'dev-server': (s, p) => devServerKilledMidRound(s, p.faultRounds, p.downMs),
  'smtp-outage': (s, p) => smtpOutage(s, 1, p.smtpOutageMs),
  'smtp-refusal': (s) => permanentRefusal(s),
  'web-restart': (s, p) => webRestartedDuringPost(s, p.faultRounds),
  load: (s, p) => load(s, p.loadRounds, p.loadClients),
} satisfies Record<string, (stack: BatteryStack, plan: BatteryPlan) => Promise<ScenarioOutcome>>;
export type ScenarioKey = keyof typeof SCENARIOS;
export const SCENARIO_KEYS = Object.keys(SCENARIOS) as ScenarioKey[];

/** The full battery: five minutes without a mail server, 200 rounds under 50 clients. */
export const FULL_PLAN = { faultRounds: 3, smtpOutageMs: 5 * 60_000, downMs: 20_000, loadRounds: 200, loadClients: 50 };

export async function runBattery(plan: BatteryPlan): Promise<BatteryResult[]> {
  const log = plan.log ?? (() => undefined);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-battery-'));
  const stack = await BatteryStack.create(dir);
  const results: BatteryResult[] = [];
  try {
    await ensureInitialUsers(stack.config.paths.users);
    await stack.startDevServer();
    await stack.startSink();
    await stack.startWorker();
    await stack.startWeb();
    // Patient, as a script is: the battery's own calls ride out a restarting server.
    await stack.connect(PATIENT_TIMEOUTS);
    log(`stack up in ${dir} (dev server ${stack.ports.dev}, web ${stack.ports.web}, smtp ${stack.ports.smtp})`);
    for (const key of plan.only ?? SCENARIO_KEYS) {
      const t0 = Date.now();
      log(`${key}: running`);
      let outcome: ScenarioOutcome;
      try {
        outcome = await SCENARIOS[key](stack, plan);
      } catch (err) {
        outcome = { name: key, figures: {}, broken: [`the scenario did not finish: ${(err as Error).message}`] };
      }
      const result: BatteryResult = {
        name: outcome.name,
        command: reproduce(plan, key),
        ok: outcome.broken.length === 0,
        figures: { ...outcome.figures, seconds: Math.round((Date.now() - t0) / 1000) },
        broken: outcome.broken,
        at: new Date().toISOString(),
      };
      log(`${key}: ${result.ok ? 'held' : 'BROKE'} ${JSON.stringify(result.figures)}`);
      for (const b of result.broken) log(`  ${b}`);
      results.push(result);
    }
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}

function reproduce(plan: BatteryPlan, key: ScenarioKey): string {
  const opts = [`--only ${key}`];
  if (key === 'smtp-outage' && plan.smtpOutageMs !== FULL_PLAN.smtpOutageMs)
    opts.push(`--smtp-outage-s ${plan.smtpOutageMs / 1000}`);
  if (key === 'load' && plan.loadRounds !== FULL_PLAN.loadRounds) opts.push(`--load-rounds ${plan.loadRounds}`);
  if (key === 'load' && plan.loadClients !== FULL_PLAN.loadClients) opts.push(`--load-clients ${plan.loadClients}`);
  if (
    plan.faultRounds !== FULL_PLAN.faultRounds &&
    !['load', 'smtp-outage', 'worker-pdf', 'smtp-refusal'].includes(key)
  )
    opts.push(`--fault-rounds ${plan.faultRounds}`);
  return `${plan.command} -- ${opts.join(' ')}`;
}
