/**
 * The embedded stack: Temporal dev server (unless TEMPORAL_ADDRESS points elsewhere), the mail
 * sink (unless SMTP_URL is set), the worker and the web server, in one process. Ctrl-C stops all.
 */
import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import path from 'node:path';
import type { Config } from '../infra/config.js';
import { startDevServer, type DevServer } from '../infra/devServer.js';
import { openStore } from '../infra/stores.js';
import { startSmtpSink, type SmtpSink } from '../infra/smtpSink.js';
import { connectClient, connectWorker } from '../infra/temporal.js';
import { Templates } from '../infra/templates.js';
import { temporalCli } from '../infra/tools.js';
import { createApp } from '../web/app.js';
import { postgresLimiters } from '../web/throttle.js';
import { createWorker } from '../worker/createWorker.js';
import { workflowStackTraces } from '../worker/launchSettings.js';
import { changePages, draftPdfAttachments } from '../activities/pdf.js';
import { createMailTransport } from '../infra/mailer.js';
import { loadOrCreateSecret } from '../infra/linkTokens.js';
import { fileUserDirectory } from '../infra/users.js';
import { PATIENT_TIMEOUTS, RoundGateway } from '../infra/roundGateway.js';
import { parseAge } from '../infra/uploads.js';
import { ensureUploadSweepSchedule, uploadSweepScheduleId } from '../infra/uploadSweepSchedule.js';

export interface Stack {
  client: Client;
  webUrl: string;
  uiUrl?: string;
  outboxDir?: string;
  stop(): Promise<void>;
}

export async function startStack(config: Config, log: (line: string) => void): Promise<Stack> {
  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) {
      try {
        await stop();
      } catch (err) {
        log(`while stopping: ${String(err)}`);
      }
    }
  };
  try {
    let dev: DevServer | undefined;
    if (!config.TEMPORAL_ADDRESS) {
      log(`starting the Temporal dev server (${config.paths.temporalDb})`);
      dev = await startDevServer({
        cli: temporalCli(config.TEMPORAL_CLI_PATH),
        dbFile: config.paths.temporalDb,
        port: config.TEMPORAL_DEV_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        namespace: config.TEMPORAL_NAMESPACE,
        retention: config.TEMPORAL_RETENTION,
        logFile: path.join(config.paths.data, 'temporal.log'),
      });
      stoppers.push(() => dev!.stop());
    }

    let sink: SmtpSink | undefined;
    if (!config.SMTP_URL) {
      sink = await startSmtpSink({ dir: config.paths.outbox, port: config.SMTP_SINK_PORT });
      stoppers.push(() => sink!.stop());
      log(`mail sink listening on 127.0.0.1:${sink.port}, keeping messages in ${sink.dir}`);
    }

    stoppers.push(await runWorker(config, log));

    // A Web UI the developer turned on (TEMPORAL_UI_PORT) is where the audit pages link each event, unless one is configured.
    const web = await runWeb({ ...config, TEMPORAL_UI_URL: config.TEMPORAL_UI_URL ?? dev?.uiUrl }, sink?.dir);
    stoppers.push(web.stop);

    return {
      client: web.client,
      webUrl: config.PUBLIC_URL,
      uiUrl: dev?.uiUrl,
      outboxDir: sink?.dir,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The worker: runs until the returned stop function is called. */
export async function runWorker(config: Config, log: (line: string) => void): Promise<() => Promise<void>> {
  const { store, close: closeStore } = openStore(config, { cached: true });
  const connection = await connectWorker(config);
  // The upload sweep reads every round through a client of its own (queries, listing).
  const client = await connectClient(config);
  const transport = createMailTransport(config);
  const worker: Worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    deps: {
      store,
      transport,
      templates: new Templates(),
      secret: await loadOrCreateSecret(config.LINK_SECRET, config.paths.data),
      publicUrl: config.PUBLIC_URL,
      from: config.MAIL_FROM,
      renderAttachment: draftPdfAttachments({ store }),
      pageOf: changePages(),
      uploadSweep: {
        ledger: store,
        rounds: new RoundGateway(client, store, config.TEMPORAL_TASK_QUEUE, PATIENT_TIMEOUTS),
      },
    },
  });
  const running = worker.run();
  running.catch((err) => log(`worker stopped: ${String(err)}`));
  log(
    workflowStackTraces(config.WORKFLOW_STACK_TRACES) === 'off'
      ? 'workflow stack traces off (WORKFLOW_STACK_TRACES=on shows where a round waits, for debugging)'
      : 'workflow stack traces on',
  );
  await scheduleUploadSweep(client, config, log);
  return async () => {
    // The SDK also stops the worker on SIGINT/SIGTERM by itself; shut down only if it has not.
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
    await client.connection.close();
    transport.close();
    await closeStore();
  };
}

/**
 * Creates or updates the task queue's upload-sweep schedule. A worker that cannot (a namespace that
 * refuses schedules) still runs its rounds: the sweep is housekeeping, and `plan-review store sweep`
 * does the same by hand.
 */
async function scheduleUploadSweep(client: Client, config: Config, log: (line: string) => void): Promise<void> {
  const plan = {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    everyMs: config.UPLOAD_SWEEP_EVERY === 'off' ? undefined : parseAge(config.UPLOAD_SWEEP_EVERY),
    olderThanMs: parseAge(config.UPLOAD_SWEEP_OLDER_THAN)!,
  };
  try {
    const done = await ensureUploadSweepSchedule(client, plan);
    if (done !== 'off')
      log(
        `upload sweep ${done}: ${uploadSweepScheduleId(plan.taskQueue)}` +
          (plan.everyMs
            ? `, every ${config.UPLOAD_SWEEP_EVERY}, uploads unused for ${config.UPLOAD_SWEEP_OLDER_THAN}`
            : ''),
      );
  } catch (err) {
    log(
      `the upload sweep could not be scheduled (${err instanceof Error ? err.message : String(err)}); plan-review store sweep does it by hand`,
    );
  }
}

/** The web server with its Temporal client. */
export async function runWeb(
  config: Config,
  outboxDir: string | undefined,
): Promise<{ client: Client; stop: () => Promise<void> }> {
  const client = await connectClient(config);
  const opened = openStore(config, { cached: true });
  const app = createApp({
    client,
    config,
    templates: new Templates(),
    secret: await loadOrCreateSecret(config.LINK_SECRET, config.paths.data),
    store: opened.store,
    uploadLedger: opened.store,
    users: fileUserDirectory(config.paths.users),
    outboxDir,
    // Several web servers on one store count sign-ins and uploads together.
    limiters: opened.pool ? await postgresLimiters(opened.pool) : undefined,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.WEB_HOST, port: config.WEB_PORT }, () => resolve(s));
    s.once('error', reject);
  });
  return {
    client,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.connection.close();
      await opened.close();
    },
  };
}
