/**
 * A worker process for the benchmarks: the round's real workflows and activities, with two
 * stand-ins that keep the measure on orchestration rather than on rendering (the PDF renderer has
 * its own benchmark, bench/pdf/): invitations attach the draft as a line of HTML, and the approval
 * candidate is the round's review record itself (assembled and stored by hash as the real activity
 * does) instead of the PDF rendered from it. Beside it, on its own task queue, the reference
 * workflow (bareWorkflows.ts). Configured like `plan-review worker` (infra/config.ts), plus
 * BENCH_BARE_TASK_QUEUE and BENCH_MAX_CACHED_WORKFLOWS (the workflow cache's size; unset: the SDK's).
 * Prints "ready" once both workers poll.
 */
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { createActivities } from '../../activities/index.js';
import { assembleReviewRecord } from '../../infra/reviewRecord.js';
import { canonicalJson } from '../../domain/replyHash.js';
import type { RoundStatus } from '../../domain/round.js';
import { loadConfig } from '../../infra/config.js';
import { loadOrCreateSecret } from '../../infra/linkTokens.js';
import { createMailTransport } from '../../infra/mailer.js';
import { openStore } from '../../infra/stores.js';
import { connectWorker } from '../../infra/temporal.js';
import { Templates } from '../../infra/templates.js';
import { WORKFLOWS_PATH } from '../../worker/createWorker.js';
import { bareActivities } from './bareActivities.js';

const BenchEnv = z.object({
  BENCH_BARE_TASK_QUEUE: z.string().min(1),
  BENCH_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
});

Runtime.install({ logger: new DefaultLogger('WARN') });
const config = loadConfig();
const env = BenchEnv.parse(process.env);
const { store, close } = openStore(config);
const connection = await connectWorker(config);
const activities = createActivities({
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
});
const cache =
  env.BENCH_MAX_CACHED_WORKFLOWS !== undefined ? { maxCachedWorkflows: env.BENCH_MAX_CACHED_WORKFLOWS } : {};
const rounds = await Worker.create({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  workflowsPath: WORKFLOWS_PATH,
  ...cache,
  activities: {
    ...activities,
    async renderRoundPdf(req: { status: RoundStatus; docKey: string }) {
      const record = Buffer.from(canonicalJson(await assembleReviewRecord(req.status, store)));
      const { sha256 } = await store.put(record);
      return { pdfSha256: sha256, recordSha256: sha256, pages: 1, fontSha256: {}, warnings: [] };
    },
  },
});
const bare = await Worker.create({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: env.BENCH_BARE_TASK_QUEUE,
  workflowsPath: fileURLToPath(new URL('./bareWorkflows.ts', import.meta.url)),
  ...cache,
  activities: bareActivities,
});
const running = Promise.all([rounds.run(), bare.run()]);
console.log('ready');
try {
  await running;
} finally {
  await connection.close();
  await close();
}
