/**
 * Billable Temporal actions of the seed round's consultation stage: 7 bureaus, 2 documents, every
 * bureau replying through its link before the first reminder, then the deadline and its summary.
 * Runs on the time-skipping server (the 14 days pass at once) and counts from the round's history.
 *
 *   npx tsx bench/consultation-actions.ts [--record test/histories/seed-consultation.json]
 */
import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { parseArgs } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { temporalTestServer } from '../infra/tools.js';
import { bundleRoundWorkflows } from '../worker/bundleOptions.js';
import nodemailer from 'nodemailer';
import { MemoryContentStore } from '../infra/store.js';
import { inProcessActivityDeps } from './support/activityDeps.js';
import { roundCalls } from './support/roundCalls.js';
import { countBillableActions, runSeedConsultation } from './support/seedRound.js';

const { values } = parseArgs({ options: { record: { type: 'string' } } });
Runtime.install({ logger: new DefaultLogger('WARN') });

const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: { executable: { type: 'existing-path', path: temporalTestServer(process.env.TEMPORAL_TEST_SERVER_PATH) } },
});
const store = new MemoryContentStore();
// nodemailer's own jsonTransport sends nowhere; the count by kind is read as each message is compiled.
const emails: Record<string, number> = {};
const mail = nodemailer.createTransport({ jsonTransport: true });
mail.use('compile', (message, done) => {
  const kind = String((message.data.headers as Record<string, string> | undefined)?.['X-Plan-Review-Kind'] ?? '');
  emails[kind] = (emails[kind] ?? 0) + 1;
  done();
});
const worker = await Worker.create({
  connection: env.nativeConnection,
  taskQueue: 'bench-actions',
  workflowBundle: await bundleRoundWorkflows(),
  activities: createActivities(inProcessActivityDeps(store, mail)),
});

await worker.runUntil(async () => {
  const run = await runSeedConsultation(env.client, 'bench-actions', store, 'xinrong-eco-plan');
  await env.sleep('14 days');
  const rounds = roundCalls(env.client, store, 'bench-actions');
  let status = await rounds.status(run.id);
  for (let i = 0; status.stage !== 'completed' && i < 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    status = await rounds.status(run.id);
    run.queries++;
  }
  const handle = env.client.workflow.getHandle(run.id);
  const history = await handle.fetchHistory();
  const counts = countBillableActions(history);
  console.log(
    JSON.stringify(
      {
        round: run.id,
        stage: status.stage,
        outcomes: status.bureaus.map((b) => `${b.bureau.id}:${b.outcome}`),
        billable: counts,
        emails,
        statusQueriesByThisDriver: run.queries,
      },
      null,
      2,
    ),
  );
  if (values.record) {
    await writeFile(values.record, historyToJSON(history) + '\n');
    console.log(`history written to ${values.record}`);
  }
});
await env.teardown();
