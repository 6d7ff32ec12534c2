/**
 * A worker process for the benchmarks: the round's real workflows and activities, with two
 * stand-ins that keep the measure on orchestration rather than on rendering (the PDF renderer has
 * its own benchmark, bench/pdf/): invitations attach the draft as a line of HTML, and the approval
 * candidate is the round's review record itself (assembled and stored by hash as the real activity
 * does) instead of the PDF rendered from it. Beside it, on its own task queue, the reference
 * workflow (bareWorkflows.ts). Configured like `plan-review worker` (infra/config.ts, with
 * WORKER_MAX_CACHED_WORKFLOWS), plus BENCH_BARE_TASK_QUEUE.
 * Prints "ready" once both workers poll.
 */
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { assembleReviewRecord } from '../../infra/reviewRecord.js';
import { canonicalJson } from '../../domain/replyHash.js';
import type { RoundStatus } from '../../domain/round.js';
import { loadConfig } from '../../infra/config.js';
import { loadOrCreateSecret } from '../../infra/linkTokens.js';
import { createMailTransport } from '../../infra/mailer.js';
import { openStore } from '../../infra/stores.js';
import { connectWorker } from '../../infra/temporal.js';
import { Templates } from '../../infra/templates.js';
import { createWorker } from '../../worker/createWorker.js';
import { bareActivities } from './bareActivities.js';

const BenchEnv = z.object({ BENCH_BARE_TASK_QUEUE: z.string().min(1).optional() });

Runtime.install({ logger: new DefaultLogger('WARN') });
const config = loadConfig();
const env = BenchEnv.parse(process.env);
const { store, close } = openStore(config, { cached: true });
const connection = await connectWorker(config);
// The deployed worker's own construction (bundle, cache), with the two stand-ins.
const rounds = await createWorker({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  deps: {
    store,
    transport: createMailTransport(config),
    templates: new Templates(),
    secret: await loadOrCreateSecret(config.LINK_SECRET, config.paths.data),
    publicUrl: config.PUBLIC_URL,
    from: config.MAIL_FROM,
    renderAttachment: async (d) => ({
      filename: `${d.title}.html`,
      content: `<h1>${d.title}</h1>`,
      contentType: 'text/html; charset=utf-8',
    }),
  },
  activityOverrides: {
    async renderRoundPdf(req: { status: RoundStatus; docKey: string }) {
      const record = Buffer.from(canonicalJson(await assembleReviewRecord(req.status, store)));
      const { sha256 } = await store.put(record);
      return { pdfSha256: sha256, recordSha256: sha256, pages: 1, fontSha256: {}, warnings: [] };
    },
  },
});
const bare =
  env.BENCH_BARE_TASK_QUEUE &&
  (await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: env.BENCH_BARE_TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('./bareWorkflows.ts', import.meta.url)),
    activities: bareActivities,
  }));
const running = Promise.all([rounds.run(), bare && bare.run()]);
console.log('ready');
try {
  await running;
} finally {
  await connection.close();
  await close();
}
