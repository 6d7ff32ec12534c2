/**
 * The web server: coordinator pages over the round status, and the mail sink's outbox.
 * Built from its dependencies so tests call it in-process (app.request) without a port.
 */
import { readFileSync } from 'node:fs';
import { zValidator } from '@hono/zod-validator';
import type { Client } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import { except } from 'hono/combine';
import { simpleParser } from 'mailparser';
import { z } from 'zod';
import type { Config } from '../infra/config.js';
import { listOutbox, readOutboxMessage } from '../infra/smtpSink.js';
import { RoundGateway, RoundGatewayError, type RoundService } from '../infra/roundGateway.js';
import type { Templates } from '../infra/templates.js';
import type { ContentStore } from '../infra/store.js';
import type { UploadLedger } from '../infra/uploads.js';
import { createReplyRoutes } from './replyRoutes.js';
import { createAuth } from './auth.js';
import { createCoordinatorRoutes } from './coordinatorRoutes.js';
import { recordsView } from './reviewView.js';
import { createApprovalRoutes } from './approvalRoutes.js';
import { createAuditRoutes } from './auditRoutes.js';
import { TemporalHistories, type RoundHistories } from '../infra/roundHistory.js';
import { actorOf, type User, type UserDirectory } from '../infra/users.js';
import { viewerNav } from './viewer.js';
import { problemsWithMailDelays } from '../domain/mail.js';
import { errorPage, KIB, limitBody, messagePage, noPage, noRoundPage, securityHeaders } from './guards.js';
import { roundParamValidator } from './roundRoute.js';
import type { LimiterFactory } from './throttle.js';

const STYLE = readFileSync(new URL('./static/style.css', import.meta.url));

interface CommonDeps {
  config: Config;
  templates: Templates;
  /** Signs reply links, form tokens and sessions. */
  secret: Buffer;
  store: ContentStore;
  /** Who may sign in (the users file). */
  users: UserDirectory;
  /** The mail sink's folder when the embedded sink is in use. */
  outboxDir?: string;
  /** Where sign-in throttling and upload quotas keep their counts (web/throttle.ts); default: this process's memory. */
  limiters?: LimiterFactory;
  /** Rounds' Temporal histories for the audit pages; default: fetched with `client` (tests give recorded ones). */
  histories?: RoundHistories;
  /** Records uploads for the per-round byte quota and the sweep (the opened store does); none: neither. */
  uploadLedger?: UploadLedger;
  /** The clock of the reply links' deadlines; default: the system clock (tests give the round's own). */
  now?: () => Date;
}

/** The rounds: the real gateway over a Temporal `client`, or a RoundService of the caller's (tests give a typed fake). */
export type AppDeps = CommonDeps &
  ({ client: Client; rounds?: undefined } | { rounds: RoundService; client?: undefined });

/** The signed-in user's navigation (set by the staff role check before these routes). */
const viewerOf = (c: Context) => viewerNav(c.get('user' as never) as User);

const MessageParam = z.object({ name: z.string().regex(/^[\w-]+\.eml$/, 'not a message name') });

const NO_MESSAGE = { zh: '发件箱中没有这封邮件', en: 'There is no such message in the outbox' };

/** The body limit of every route without one of its own. */
export const DEFAULT_BODY_LIMIT = 64 * KIB;
/**
 * Routes that set their own (larger) body limit: a bureau's reply (web/replyRoutes.ts: the scan
 * plus 1 MiB) and the coordinator's actions (web/coordinatorRoutes.ts: the paper reply carries a scan).
 */
const OWN_BODY_LIMIT = ['/r/:token', '/rounds/:id/actions/:action'];

/** Histories from Temporal through the client; without one (a fake round service), none to read. */
function historiesOf(client: Client | undefined): RoundHistories {
  if (client) return new TemporalHistories(client);
  return { history: async (roundId) => ({ kind: 'notFound', roundId }) };
}

export function createApp(deps: AppDeps) {
  const { config, templates, secret, store, outboxDir, users, limiters } = deps;
  const app = new Hono();
  const rounds =
    deps.rounds === undefined ? new RoundGateway(deps.client, store, config.TEMPORAL_TASK_QUEUE) : deps.rounds;
  const publicUrl = new URL(config.PUBLIC_URL);
  const trustedOrigins = [publicUrl.origin];
  const auth = createAuth({
    secret,
    users,
    templates,
    secureCookies: publicUrl.protocol === 'https:',
    trustedOrigins,
    limiters,
  });
  const staff = auth.requireRole('coordinator', 'approver', 'auditor');
  const coordinator = auth.requireRole('coordinator');

  // Every response: no framing, no sniffing, no caching (web/guards.ts).
  app.use('*', securityHeaders);
  // No request body is read beyond a small limit, except where a route sets its own.
  app.use('*', except(OWN_BODY_LIMIT, limitBody(DEFAULT_BODY_LIMIT, templates)));

  // Bureaus: personal links, no sign-in (the link is the credential; the round decides what it may do).
  app.route(
    '/r',
    createReplyRoutes({
      rounds,
      secret,
      store,
      templates,
      attachmentMaxBytes: config.ATTACHMENT_MAX_BYTES,
      trustedOrigins,
      limiters,
      ...(deps.now && { now: deps.now }),
      ...(deps.uploadLedger && { uploadLedger: deps.uploadLedger }),
      staff: async (c) => {
        const user = await auth.signedInUser(c);
        return user && actorOf(user, user.roles[0]!);
      },
    }),
  );

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/static/style.css', (c) =>
    c.body(STYLE, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  );

  // Staff: signed in as a named user, so that who acted is known.
  app.route('/', auth.routes);
  app.route(
    '/',
    createCoordinatorRoutes({
      rounds,
      store,
      templates,
      secret,
      users,
      auth,
      attachmentMaxBytes: config.ATTACHMENT_MAX_BYTES,
      ...(deps.uploadLedger && { uploadLedger: deps.uploadLedger }),
    }),
  );
  app.route('/', createApprovalRoutes({ rounds, store, templates, auth }));
  app.route(
    '/',
    createAuditRoutes({
      histories: deps.histories ?? historiesOf(deps.client),
      templates,
      auth,
      uiUrl: config.TEMPORAL_UI_URL,
      namespace: config.TEMPORAL_NAMESPACE,
    }),
  );
  app.use('/', staff);
  app.use('/rounds/:id', staff);
  // The outbox holds every bureau's live reply link: coordinators only.
  app.use('/outbox', coordinator);
  app.use('/outbox/*', coordinator);

  app.get('/', async (c) => {
    const listed = await rounds.list();
    if (listed.kind !== 'done') throw new RoundGatewayError(listed);
    return c.html(
      templates.render('pages/rounds', { rounds: listed.value, timeZone: 'Asia/Shanghai', ...viewerOf(c) }),
    );
  });

  app.get('/rounds/:id', roundParamValidator(templates), async (c) => {
    const { id } = c.req.valid('param');
    const round = await rounds.status(id);
    if (round.kind === 'notFound') return noRoundPage(c, templates, id);
    if (round.kind !== 'done') throw new RoundGatewayError(round);
    const problems = problemsWithMailDelays(round.value, Date.now());
    return c.html(
      templates.render('pages/round', {
        round: { ...round.value, problems },
        records: recordsView(round.value),
        ...viewerOf(c),
      }),
    );
  });

  app.get('/outbox', async (c) => {
    if (!outboxDir) return c.html(templates.render('pages/outbox', { sink: false }));
    const names = (await listOutbox(outboxDir)).reverse().slice(0, 500);
    const messages = await Promise.all(
      names.map(async (name) => {
        const mail = await simpleParser(await readOutboxMessage(outboxDir, name), {
          skipHtmlToText: true,
          skipTextToHtml: true,
        });
        const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
        return {
          name,
          to,
          subject: mail.subject ?? '',
          received: name.slice(0, 19).replace(/T(\d\d)-(\d\d)-(\d\d)/, ' $1:$2:$3'),
        };
      }),
    );
    return c.html(templates.render('pages/outbox', { sink: true, messages }));
  });

  app.get(
    '/outbox/:name',
    zValidator('param', MessageParam, (result, c) => {
      if (!result.success) return messagePage(c, templates, 404, NO_MESSAGE);
    }),
    async (c) => {
      if (!outboxDir) return messagePage(c, templates, 404, NO_MESSAGE);
      try {
        const raw = await readOutboxMessage(outboxDir, c.req.valid('param').name);
        return c.body(new Uint8Array(raw), 200, { 'content-type': 'text/plain; charset=utf-8' });
      } catch {
        return messagePage(c, templates, 404, NO_MESSAGE);
      }
    },
  );

  app.notFound((c) => noPage(c, templates));
  app.onError(errorPage(templates));
  return app;
}
