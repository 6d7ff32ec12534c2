/**
 * The CLI run in this process as an auditor (PLAN_REVIEW_USER): every command that acts on a round,
 * taken from the CLI's own command table, is refused in Chinese and English with exit code 1 before
 * the CLI connects to Temporal, and the round on the real dev server is unchanged; the commands that
 * read still answer the auditor.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CLI_COMMANDS, runCli, USAGE, type CliIo } from '../../cli/run.js';
import { LocalContentStore } from '../../infra/store.js';
import { connectClient } from '../../infra/temporal.js';
import { approvalUsers } from '../support/approvalApp.js';
import { smallRoundInput } from '../support/rounds.js';
import { devServerWorker } from '../support/testWorker.js';
import { roundCalls } from '../../bench/support/roundCalls.js';

const TASK_QUEUE = `test-auditor-cli-${process.pid}`;
const SHA = 'a'.repeat(64);
let client: Client;
let stop: () => Promise<void>;
let dir: string;
let roundId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-auditor-cli-'));
  // zhou is an auditor only; li a coordinator, wang an approver.
  await writeFile(path.join(dir, 'users.yaml'), stringify(await approvalUsers()));
  const store = new LocalContentStore(path.join(dir, 'store'));
  ({ client, stop } = await devServerWorker({ taskQueue: TASK_QUEUE, store }));
  roundId = await roundCalls(client, store, TASK_QUEUE).start(await smallRoundInput(store));
});

afterAll(async () => {
  await stop?.();
  await rm(dir, { recursive: true, force: true });
});

/** One in-process run of the CLI as `user`: its exit code, what it wrote, and how often it connected. */
async function cli(user: string, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let connects = 0;
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    write: (t) => out.push(t),
    env: {
      PLAN_REVIEW_DATA_DIR: dir,
      PLAN_REVIEW_USERS_FILE: path.join(dir, 'users.yaml'),
      PLAN_REVIEW_USER: user,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    },
    connect: (config) => {
      connects++;
      return connectClient(config);
    },
  };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n'), connects };
}

/** Arguments each action command would act on (a round that exists, well-formed values). */
function actionCases(): Record<string, string[]> {
  const file = (name: string) => path.join(dir, name);
  const at = ['--at', 'plan:ch1'];
  return {
    'round start': [file('round.yaml')],
    'round extend': [roundId, 'finance', '2030-03-01T18:00', '--reason', '对方申请延期'],
    'round waive': [roundId, 'finance', '--reason', '该单位不在本次范围'],
    'round contact': [roundId, 'finance', '--email', 'new@finance.example.org', '--reason', '联系人调整'],
    'round resend': [roundId, 'finance'],
    'round add-bureau': [roundId, file('bureau.yaml')],
    'round close': [roundId, '--reason', '各单位均已答复'],
    'round cancel': [roundId, '--reason', '规划撤回'],
    'round paper': [roundId, 'finance', file('reply.yaml'), file('scan.pdf')],
    'round dispose': [roundId, 'finance-1-1', '--decision', 'adopted', ...at],
    'round adopt-all': [roundId, 'finance'],
    'round publish': [roundId],
    'round schedule-meeting': [
      roundId,
      ...['--date', '2030-03-01', '--start', '09:00', '--end', '12:00', '--place', '区政府三楼会议室'],
      ...['--organiser', '区发改委', '--expert', '张三 | 教授 | 某大学 | zhang@example.org'],
    ],
    'round reschedule-meeting': [
      roundId,
      ...['--date', '2030-03-02', '--start', '09:00', '--end', '12:00', '--place', '区政府三楼会议室'],
      ...['--organiser', '区发改委', '--reason', '专家时间冲突'],
    ],
    'round cancel-meeting': [roundId, '--reason', '会议取消'],
    'round record-opinions': [roundId, file('opinions.yaml')],
    'round revision-note': [roundId, '1', '--text', '已补充', ...at],
    'round add-version': [roundId, 'plan', file('plan-v2.md')],
    'round reanchor': [roundId, 'finance-1-1', ...at],
    'round resolve-objection': [roundId, 'finance', '--note', '已电话沟通'],
    'round approve': [roundId, SHA],
    'round reject': [roundId, SHA, '--reason', '请补充修改说明'],
  };
}

describe('the CLI, as an auditor', () => {
  it('has a case here for every command of its table that acts, and its table names every command of its usage', () => {
    const acting = Object.entries(CLI_COMMANDS)
      .filter(([, kind]) => typeof kind === 'object')
      .map(([name]) => name);
    expect(acting.length).toBeGreaterThanOrEqual(22);
    expect(Object.keys(actionCases()).sort()).toEqual(acting.sort());
    const usageCommands = [...USAGE.matchAll(/^\s*plan-review ([a-z-]+)(?: ([a-z-]+))?/gm)].map(([, a, b]) =>
      b !== undefined && `${a} ${b}` in CLI_COMMANDS ? `${a} ${b}` : a!,
    );
    expect(new Set(usageCommands)).toEqual(new Set(Object.keys(CLI_COMMANDS)));
  });

  it('is refused by every action, in Chinese and English, before anything reaches Temporal, and the round is unchanged', async () => {
    const events = async () => (await client.workflow.getHandle(roundId).fetchHistory()).events!.length;
    const workflows = async () => {
      const ids: string[] = [];
      for await (const w of client.workflow.list({ query: `TaskQueue = '${TASK_QUEUE}'` })) ids.push(w.workflowId);
      return ids;
    };
    await expect.poll(workflows, { timeout: 15_000 }).toEqual([roundId]);
    // Let the worker finish the round's first steps (the invitations), so the count below is the round's own.
    await expect
      .poll(async () => (await client.workflow.getHandle(roundId).describe()).historyLength)
      .toBeGreaterThan(5);
    const quiet = async () => {
      const n = await events();
      await new Promise((r) => setTimeout(r, 1500));
      return (await events()) === n;
    };
    await expect.poll(quiet, { timeout: 30_000 }).toBe(true);
    const before = await events();

    for (const [command, args] of Object.entries(actionCases())) {
      const run = await cli('zhou', [...command.split(' '), ...args]);
      const role = (CLI_COMMANDS[command] as { acts: string }).acts;
      expect(run.code, command).toBe(1);
      expect(run.connects, command).toBe(0);
      expect(run.out, command).toBe('');
      expect(run.err, command).toContain(`PLAN_REVIEW_USER=zhou 没有`);
      expect(run.err, command).toContain(`（${role}）角色（现有角色：审计人（auditor））`);
      expect(run.err, command).toContain('审计人只能查阅');
      expect(run.err, command).toContain(
        `PLAN_REVIEW_USER=zhou: this user does not have the role ${role} (has: auditor), so the CLI does not act as them`,
      );
      expect(run.err, command).toContain('An auditor only reads');
      expect(run.err.split('\n'), command).toHaveLength(1);
    }

    expect(await events()).toBe(before);
    expect(await workflows()).toEqual([roundId]);
  });

  it('still reads the round: its status and its audit trail, from Temporal', async () => {
    const status = await cli('zhou', ['round', 'status', roundId, '--json']);
    expect(status.err).toBe('');
    expect(status.code).toBe(0);
    expect(status.connects).toBe(1);
    expect(JSON.parse(status.out)).toMatchObject({ id: roundId });

    const audit = await cli('zhou', ['audit', roundId, '--json']);
    expect(audit.err).toBe('');
    expect(audit.code).toBe(0);
    expect(audit.connects).toBe(1);
    expect(audit.out).toContain(roundId);
  });

  it('acts for a coordinator through the same entry point (the refusal is the auditor’s, not the command’s)', async () => {
    const run = await cli('li', ['round', 'resend', roundId, 'finance']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.connects).toBe(1);
  });
});
