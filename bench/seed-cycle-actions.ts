/**
 * Billable Temporal actions of the seed's whole review cycle, as the full demo runs it (cli/seedDemo.ts:
 * expert meeting scheduled and moved once, opinions and revision notes, seven replies through the
 * emailed links, revised version, table 10-1's seven dispositions, five outcome notices acknowledged,
 * the candidate approved). Runs the embedded stack in a fresh data folder (the real dev server, worker,
 * web server and mail sink; about five minutes, two of them waiting for the meeting to end) and
 * counts from the round's history by the Temporal Cloud rules.
 *
 *   npx tsx bench/seed-cycle-actions.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { runSeedDemo } from '../cli/seedDemo.js';
import { startStack } from '../cli/stack.js';
import { loadConfig } from '../infra/config.js';
import { messageIdDomain } from '../infra/mailer.js';
import { PATIENT_TIMEOUTS, RoundGateway } from '../infra/roundGateway.js';
import { readOutbox } from '../cli/linkReplies.js';
import { LocalContentStore } from '../infra/store.js';
import { actorOf, ensureInitialUsers, loadUsers } from '../infra/users.js';
import { freePort } from '../infra/ports.js';
import { countBillableActions } from './support/seedRound.js';

Runtime.install({ logger: new DefaultLogger('WARN') });
const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-bench-cycle-'));
const webPort = await freePort();
const config = loadConfig({
  PLAN_REVIEW_DATA_DIR: dir,
  WEB_PORT: String(webPort),
  TEMPORAL_DEV_PORT: String(await freePort()),
  TEMPORAL_UI_PORT: String(await freePort()),
  SMTP_SINK_PORT: String(await freePort()),
});
await ensureInitialUsers(config.paths.users);
const stack = await startStack(config, () => undefined);
try {
  const store = new LocalContentStore(config.paths.store);
  const users = await loadUsers(config.paths.users);
  const userOf = (role: 'coordinator' | 'approver') =>
    actorOf(
      users.find((u) => u.username === role)!,
      role,
    );
  const started = Date.now();
  const demo = await runSeedDemo({
    rounds: new RoundGateway(stack.client, store, config.TEMPORAL_TASK_QUEUE, PATIENT_TIMEOUTS),
    store,
    outboxDir: stack.outboxDir!,
    outDir: path.join(dir, 'approved'),
    coordinator: userOf('coordinator'),
    approver: userOf('approver'),
    messageIdDomain: messageIdDomain(config),
    log: (l) => console.error(`[demo] ${l}`),
  });
  const history = await stack.client.workflow.getHandle(demo.roundId).fetchHistory();
  const byName = (pick: (e: NonNullable<typeof history.events>[number]) => string | null | undefined) => {
    const out: Record<string, number> = {};
    for (const e of history.events ?? []) {
      const name = pick(e);
      if (name) out[name] = (out[name] ?? 0) + 1;
    }
    return out;
  };
  const emails: Record<string, number> = {};
  for (const m of await readOutbox(stack.outboxDir!))
    if (m.round === demo.roundId) emails[m.kind] = (emails[m.kind] ?? 0) + 1;
  console.log(
    JSON.stringify(
      {
        round: demo.roundId,
        seconds: Math.round((Date.now() - started) / 1000),
        billable: countBillableActions(history),
        activities: byName((e) => e.activityTaskScheduledEventAttributes?.activityType?.name),
        updates: byName((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name),
        timersStarted: byName((e) => (e.timerStartedEventAttributes ? 'timer' : null)),
        emails,
        historyEvents: history.events?.length,
        pdfSha256: demo.pdfSha256,
      },
      null,
      2,
    ),
  );
} finally {
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}
