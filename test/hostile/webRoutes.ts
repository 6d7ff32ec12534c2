/**
 * Generated hostile requests for every route of the web app, and the run that sends them. The
 * routes come from the app itself (`app.routes`): a route without a case here fails the run, so a
 * new route cannot be left out. Each case starts from what the route's page offers (its forms, as
 * rendered for the round in the right stage) and mutates it with test/hostile/generators.ts.
 *
 * Invariants, for every request: no 5xx; a refused request leaves every round's status and the
 * document store as they were (but for the scan it uploaded, which the store keeps so that a form
 * shown again keeps it); what a request put in a round has no direction controls, no control
 * characters and no line breaks in one-line fields; a signed-in staff member asking for a round
 * that is not there gets the bilingual page.
 */
import fc from 'fast-check';
import { Bureau } from '../../domain/records.js';
import { badText } from './badText.js';
import { sha256Hex } from '../../infra/store.js';
import { signLink } from '../../infra/linkTokens.js';
import {
  ABSENT,
  encodeForm,
  formFields,
  fromZod,
  pathSegment,
  plainText,
  queryString,
  requestFault,
  type RequestFault,
} from './generators.js';
import {
  formOn,
  hostileWorld,
  OPINIONS,
  ORIGIN,
  PNG,
  OUTBOX_MESSAGE,
  ROUNDS,
  SIGN_OUT_USER,
  type PageForm,
  type Who,
  type World,
} from './webWorld.js';

export interface HostileRequest {
  who: Who;
  method: 'GET' | 'POST';
  path: string;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  /** The hashes of the files the request uploads (the store may keep them even when the form is refused). */
  uploads: string[];
  /** A round id the route was asked about that no round has (a signed-in user gets the bilingual page). */
  missingRound?: boolean;
}

export interface RouteCount {
  route: string;
  runs: number;
  accepted: number;
  refused: number;
}

const uuid = fc.uuid().map((u) => u.toLowerCase());
const staff = fc.constantFrom<Who>('coordinator', 'approver', 'auditor', 'anon');

/** A round id: one the world holds, or one it does not (well-formed, or hostile). */
function roundIds(valid: string[]): fc.Arbitrary<{ id: string; missing: boolean }> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...valid).map((id) => ({ id, missing: false })) },
    { weight: 1, arbitrary: fc.constant({ id: 'round:nowhere-plan:9', missing: true }) },
    { weight: 2, arbitrary: pathSegment(fc.constant('x')).map((id) => ({ id, missing: true })) },
  );
}

// ---------------------------------------------------------------------------------------------
// Files a form may carry

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const MARKDOWN = Buffer.from('# 第一章 区域概况\n\n## 1.1 自然概况\n\n修订后的文字。\n');

const fileBytes = (good: Buffer[]): fc.Arbitrary<Buffer | undefined> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(...good).chain((g) => fc.nat().map((n) => Buffer.concat([g, Buffer.from(`\n%${n}`)]))),
    },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 200 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: fc.constant(Buffer.concat([PNG, Buffer.alloc(300 * 1024)])) },
    { weight: 1, arbitrary: fc.constant(Buffer.from([0xff, 0xfe, 0x00, 0xc0, 0xaf])) },
  );

// ---------------------------------------------------------------------------------------------
// A page's form as a generated post

interface FormPost {
  who: Who;
  path: string;
  form: PageForm;
  /** Valid values of a field besides the page's own (dates, texts the page leaves empty). */
  valid: (name: string, form: PageForm) => fc.Arbitrary<string> | undefined;
  /** The file fields and the files they take when valid. */
  files?: Record<string, Buffer[]>;
  csrfField?: string;
}

/** A valid value for a field by what it is: the page's choices, a fresh request id, or text. */
function fieldValue(name: string, form: PageForm, own: FormPost['valid']): fc.Arbitrary<string> {
  const given = own(name, form);
  if (given) return given;
  const base = form.fields[name] ?? '';
  if (name === 'requestId') return base.includes(':') ? uuid.map((u) => `${base.split(':')[0]}:${u}`) : uuid;
  const choices = form.choices[name];
  if (form.types[name] === 'checkbox') return fc.constantFrom(...(choices ?? []), ABSENT);
  if (choices && choices.length > 0) return fc.constantFrom(...choices);
  if (form.types[name] === 'hidden' || base !== '') return fc.constant(base);
  if (form.types[name] === 'textarea') return fc.oneof(fc.constant(''), plainText(60));
  return fc.oneof(fc.constant(''), plainText(20));
}

function formPost(
  p: FormPost,
  extra: fc.Arbitrary<Partial<HostileRequest>> = fc.constant({}),
): fc.Arbitrary<HostileRequest> {
  const valid = Object.fromEntries(Object.keys(p.form.fields).map((n) => [n, fieldValue(n, p.form, p.valid)]));
  const files = p.files ?? {};
  const fileArb = fc.record(Object.fromEntries(Object.entries(files).map(([n, good]) => [n, fileBytes(good)])));
  return fc
    .tuple(formFields(valid), fileArb, requestFault, fc.boolean(), extra)
    .map(([fields, chosen, fault, multipart, more]) => {
      const uploads: string[] = [];
      const headers: Record<string, string> = { ...faultHeaders(fault) };
      let body: RequestInit['body'];
      const withFiles = Object.entries(chosen).filter((e): e is [string, Buffer] => e[1] !== undefined);
      if (withFiles.length > 0 || (multipart && Object.keys(files).length > 0)) {
        const form = new FormData();
        const encoded = encodeForm(
          fields,
          fault === 'invalidUtf8' || fault === 'oversize' ? 'none' : fault,
          p.csrfField ?? 'csrf',
        );
        for (const [k, v] of new URLSearchParams(encoded as URLSearchParams)) form.append(k, v);
        for (const [k, bytes] of withFiles) {
          uploads.push(sha256Hex(bytes));
          form.append(k, new File([new Uint8Array(bytes)], fault === 'extraField' ? '../../x.exe' : 'scan.pdf'));
        }
        if (fault === 'oversize') form.append('pad', new File([new Uint8Array(12 * 1024 * 1024)], 'pad.bin'));
        body = form;
      } else {
        const encoded = encodeForm(fields, fault, p.csrfField ?? 'csrf');
        body = typeof encoded === 'string' || encoded instanceof Uint8Array ? encoded : encoded.toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
      }
      return { who: p.who, method: 'POST' as const, path: p.path, body, headers, uploads, ...more };
    });
}

function faultHeaders(fault: RequestFault): Record<string, string> {
  if (fault === 'foreignOrigin') return { origin: 'https://evil.example' };
  if (fault === 'noOrigin') return { origin: 'null' };
  return {};
}

// ---------------------------------------------------------------------------------------------
// Each route's case

const dateIn = (from: number, days: number) =>
  fc.integer({ min: 0, max: days }).map((d) => new Date(from + d * 86_400_000).toISOString().slice(0, 10));

/** Valid values of the coordinator's fields the page leaves empty. */
function coordinatorValue(name: string): fc.Arbitrary<string> | undefined {
  const future = Date.parse('2022-02-20T00:00:00Z');
  if (name === 'deadline') return dateIn(future, 90).map((d) => `${d}T18:00`);
  if (name === 'receivedAt') return fc.constant('2022-02-03T10:00');
  if (name === 'date') return dateIn(Date.parse('2030-02-01T00:00:00Z'), 60);
  if (name === 'start') return fc.constant('09:00');
  if (name === 'end') return fc.constant('12:00');
  if (name === 'timeZone') return fc.constant('Asia/Shanghai');
  if (name === 'emails') return fc.constantFrom('office@bureau.example.org', 'a@b.example.org\nc@d.example.org');
  if (name === 'url') return fc.constantFrom('', 'https://meet.example.org/1');
  if (name === 'experts') return fc.constant('李华 | 教授 | 山西大学 | lihua@expert.example.org');
  if (name === 'anchors') return fc.constantFrom('plan#1.1', 'plan#3.7 | 规划目标');
  if (name === 'id') return fromZod(Bureau.shape.id) as fc.Arbitrary<string>;
  if (name === 'signedOn') return fc.constant('2022-01-21');
  if (name === 'opinions') return fc.constantFrom(OPINIONS.opinions, '1. 补充分析。');
  if (/^(reason|note|rationale|objection|assessment|reportIntro)$/.test(name)) return plainText(60);
  if (/(name|Name|Zh|En|Person|Position|place|organiser|title|Title|By)$/.test(name)) return plainText(20);
  if (/\.page$/.test(name)) return fc.constantFrom('', '3', '12');
  return undefined;
}

/** How each route is exercised, keyed by method and path as `app.routes` lists them. */
type Case = (w: World) => Promise<fc.Arbitrary<HostileRequest>>;

async function coordinatorAction(w: World, action: string, roundId: string): Promise<fc.Arbitrary<HostileRequest>> {
  const path = `/rounds/${roundId}/actions/${action}`;
  const form = await formOn(w.browsers.coordinator, `/rounds/${roundId}/manage`, path);
  const files: Record<string, Buffer[]> = {};
  for (const f of form.files) files[f] = action === 'add-version' ? [MARKDOWN] : [PNG, PDF];
  const other = fc.constantFrom(...Object.values(ROUNDS).filter((r) => r !== roundId));
  return fc.oneof(
    { weight: 8, arbitrary: formPost({ who: 'coordinator', path, form, valid: coordinatorValue, files }) },
    // The same form posted by someone else, or to another round (its token and request id are this one's).
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom<Who>('anon', 'approver', 'auditor'), other).chain(([who, r]) =>
        formPost({ who, path, form, valid: coordinatorValue, files }).map((req) => ({
          ...req,
          path: who === 'anon' ? path : `/rounds/${r}/actions/${action}`,
        })),
      ),
    },
  );
}

const replyValue = (name: string): fc.Arbitrary<string> | undefined => {
  if (name === 'responder.name' || name === 'responder.position') return plainText(20);
  if (name === 'action') return fc.constantFrom('submit', 'submit', 'submit', 'add:protection', 'add:eco-plan');
  if (/\.c\.\d+\.text$/.test(name)) return plainText(80);
  if (/\.c\.\d+\.(quote|change)$/.test(name)) return fc.oneof(fc.constant(''), plainText(40));
  if (/\.c\.\d+\.page$/.test(name)) return fc.constantFrom('', '5', '33');
  return undefined;
};

/** A token for a reply link: the bureau's own, another bureau's, a revoked or forged one, or a broken spelling. */
function tokens(w: World, roundId: string, bureauId: string): fc.Arbitrary<string> {
  const own = w.link(roundId, bureauId);
  const [body, mac] = own.split('.') as [string, string];
  // The last base64url character of a 32-byte MAC carries two unused bits: flipping them spells the same bytes.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(mac.at(-1)!);
  const nonCanonical = `${body}.${mac.slice(0, -1)}${alphabet[(last & ~3) | ((last + 1) & 3)]}`;
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(own) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        ...w.bureaus.filter((b) => b !== bureauId).map((b) => w.link(roundId, b)),
        w.link(roundId, bureauId, `${bureauId}-link-1`),
        w.link(roundId, bureauId, 'someone-elses-link'),
        signLink(Buffer.alloc(32, 1), { roundId, bureauId, linkId: `${bureauId}-link-2` }),
        nonCanonical,
        own.slice(0, -1),
        `${own}=`,
        own.toUpperCase(),
        'x'.repeat(5000),
      ),
    },
    { weight: 1, arbitrary: pathSegment(fc.constant(own)) },
  );
}

async function replyPost(w: World): Promise<fc.Arbitrary<HostileRequest>> {
  const bureau = w.bureaus[0]!;
  const own = w.link(ROUNDS.consultation, bureau);
  const form = await formOn(w.browsers.anon, `/r/${own}`, `/r/${own}`);
  // The page offers one row per document; a full reply fills them.
  return tokens(w, ROUNDS.consultation, bureau).chain((token) =>
    formPost({
      who: 'anon',
      path: `/r/${token}`,
      form,
      valid: replyValue,
      files: { attachment: [PNG, PDF] },
    }),
  );
}

async function outcomePost(w: World): Promise<fc.Arbitrary<HostileRequest>> {
  const bureau = w.bureaus[0]!;
  const own = w.link(ROUNDS.notices, bureau);
  const form = await formOn(w.browsers.anon, `/r/${own}`, `/r/${own}/outcome`);
  return tokens(w, ROUNDS.notices, bureau).chain((token) =>
    formPost({
      who: 'anon',
      path: `/r/${token}/outcome`,
      form,
      valid: (n) => (n === 'objection' ? fc.oneof(fc.constant(''), plainText(60)) : undefined),
    }),
  );
}

async function approvalPost(w: World, decided: 'approve' | 'reject'): Promise<fc.Arbitrary<HostileRequest>> {
  const path = `/rounds/${ROUNDS.approval}/approval/${decided}`;
  const form = await formOn(w.browsers.approver, `/rounds/${ROUNDS.approval}/approval`, path);
  return fc.tuple(staff, fc.constantFrom(...Object.values(ROUNDS)), fc.nat(9)).chain(([who, other, pick]) =>
    formPost({
      who: pick < 7 ? 'approver' : who,
      path: pick < 8 ? path : `/rounds/${other}/approval/${decided}`,
      form,
      valid: (n) =>
        n === 'reason'
          ? plainText(60)
          : n === 'pdfSha256' && pick === 9
            ? fc.stringMatching(/^[0-9a-f]{0,70}$/)
            : undefined,
    }),
  );
}

const get = (
  who: fc.Arbitrary<Who>,
  path: fc.Arbitrary<{ path: string; missing?: boolean }>,
): fc.Arbitrary<HostileRequest> =>
  fc.tuple(who, path, queryString).map(([w, p, q]) => ({
    who: w,
    method: 'GET' as const,
    path: `${p.path}${q}`,
    uploads: [],
    ...(p.missing && { missingRound: true }),
  }));

/** A staff page of a round: `/rounds/<id><rest>`. */
const roundPage =
  (rest: fc.Arbitrary<string> | string, valid: string[] = Object.values(ROUNDS)): Case =>
  async () =>
    get(
      staff,
      fc
        .tuple(roundIds(valid), typeof rest === 'string' ? fc.constant(rest) : rest)
        .map(([r, tail]) => ({ path: `/rounds/${r.id}${tail}`, missing: r.missing })),
    );

export const ROUTE_CASES: Record<string, Case> = {
  'GET /r/-/reply.js': async () => get(fc.constant<Who>('anon'), fc.constant({ path: '/r/-/reply.js' })),
  'GET /r/:token': async (w) =>
    get(
      fc.constant<Who>('anon'),
      tokens(w, ROUNDS.consultation, w.bureaus[0]!).map((t) => ({ path: `/r/${t}` })),
    ),
  'POST /r/:token/outcome': outcomePost,
  'POST /r/:token': replyPost,
  'GET /r/:token/receipt/:n': async (w) =>
    get(
      fc.constant<Who>('anon'),
      fc
        .tuple(
          tokens(w, ROUNDS.consultation, w.bureaus[1]!),
          pathSegment(fc.constantFrom('1', '1', '2', '0', '-1', '01')),
        )
        .map(([t, n]) => ({ path: `/r/${t}/receipt/${n}` })),
    ),
  'GET /r/:token/receipt/:n/record.json': async (w) =>
    get(
      fc.constant<Who>('anon'),
      fc
        .tuple(tokens(w, ROUNDS.consultation, w.bureaus[1]!), pathSegment(fc.constantFrom('1', '1', '2', '0', '1e0')))
        .map(([t, n]) => ({ path: `/r/${t}/receipt/${n}/record.json` })),
    ),
  'GET /healthz': async () => get(staff, fc.constant({ path: '/healthz' })),
  'GET /static/style.css': async () => get(staff, fc.constant({ path: '/static/style.css' })),
  'GET /login': async () => get(fc.constant<Who>('anon'), fc.constant({ path: '/login' })),
  'POST /login': async (w) => {
    const form = await formOn(w.browsers.anon, '/login', '/login');
    const accounts: Record<string, string> = { li: 'coordinator-pw', wang: 'approver-pw', zhou: 'auditor-pw' };
    return fc.constantFrom(...Object.keys(accounts)).chain((user) =>
      formPost({
        who: 'anon',
        path: '/login',
        form,
        valid: (n) =>
          n === 'username'
            ? fc.constant(user)
            : n === 'password'
              ? fc.oneof(
                  { weight: 5, arbitrary: fc.constant(accounts[user]!) },
                  { weight: 1, arbitrary: plainText(12) },
                )
              : n === 'next'
                ? fc.constantFrom(
                    '/',
                    `/rounds/${ROUNDS.consultation}`,
                    '//evil.example/',
                    'https://evil.example/',
                    '/\\evil.example',
                  )
                : undefined,
      }),
    );
  },
  'POST /logout': async (w) => {
    // Signing out ends the session: a fresh browser each time, so the other routes keep theirs.
    const form = await formOn(w.browsers.auditor, `/rounds/${ROUNDS.approval}/approval`, '/logout');
    return formPost({ who: 'anon', path: '/logout', form, valid: () => undefined });
  },
  'GET /rounds/:id/manage': roundPage('/manage'),
  'GET /rounds/:id/files/:sha256': async (w) =>
    get(
      fc.constantFrom<Who>('coordinator', 'coordinator', 'approver', 'anon'),
      fc
        .tuple(
          roundIds([ROUNDS.consultation]),
          pathSegment(
            fc.constantFrom(
              w.scanSha256,
              w.scanSha256,
              w.scanSha256,
              ...w.fake.round(ROUNDS.consultation).documents.map((d) => d.versions[0]!.sha256),
              sha256Hex('nothing'),
            ),
          ),
        )
        .map(([r, sha]) => ({ path: `/rounds/${r.id}/files/${sha}`, missing: r.missing })),
    ),
  'GET /rounds/:id/approval': roundPage('/approval'),
  'GET /rounds/:id/candidate/:file': async (w) =>
    roundPage(
      pathSegment(
        fc.constantFrom(
          `${w.fake.round(ROUNDS.approval).approval.candidate?.pdfSha256 ?? sha256Hex('none')}.pdf`,
          `${sha256Hex('none')}.pdf`,
        ),
      ).map((f) => `/candidate/${f}`),
      [ROUNDS.approval],
    )(w),
  'GET /rounds/:id/audit': roundPage('/audit', [ROUNDS.audited]),
  'GET /rounds/:id/audit/trail.json': roundPage('/audit/trail.json', [ROUNDS.audited]),
  'GET /rounds/:id/audit/trail.csv': roundPage('/audit/trail.csv', [ROUNDS.audited]),
  'GET /rounds/:id/audit/history.json': roundPage('/audit/history.json', [ROUNDS.audited]),
  'GET /': async () => get(staff, fc.constant({ path: '/' })),
  'GET /rounds/:id': roundPage(''),
  'GET /outbox': async () => get(staff, fc.constant({ path: '/outbox' })),
  'GET /outbox/:name': async () =>
    get(
      staff,
      pathSegment(fc.constantFrom(OUTBOX_MESSAGE, 'missing.eml', '..%2f..%2fetc%2fpasswd.eml')).map((n) => ({
        path: `/outbox/${n}`,
      })),
    ),
  'GET /outbox/:name/html': async () =>
    get(
      staff,
      pathSegment(fc.constantFrom(OUTBOX_MESSAGE, 'missing.eml', '..%2f..%2fetc%2fpasswd.eml')).map((n) => ({
        path: `/outbox/${n}/html`,
      })),
    ),
  'GET /outbox/:name/source': async () =>
    get(
      staff,
      pathSegment(fc.constantFrom(OUTBOX_MESSAGE, 'missing.eml', '..%2f..%2fetc%2fpasswd.eml')).map((n) => ({
        path: `/outbox/${n}/source`,
      })),
    ),
  'GET /rounds/:id/audit/certificate.pdf': roundPage('/audit/certificate.pdf', [ROUNDS.audited]),
  'GET /new-round': async () => get(staff, fc.constant({ path: '/new-round' })),
  // Round files that are not YAML, not a round, or name files not sent: refused with the fields named.
  'POST /new-round': async (w) => {
    const form = await formOn(w.browsers.coordinator, '/new-round', '/new-round');
    return fc.tuple(staff, fc.nat(9)).chain(([who, pick]) =>
      formPost({
        who: pick < 8 ? 'coordinator' : who,
        path: '/new-round',
        form,
        valid: () => undefined,
        files: { roundFile: [Buffer.from('title: 测试\n'), Buffer.from('{"documents": []}')] },
      }),
    );
  },
  'POST /rounds/:id/approval/approve': (w) => approvalPost(w, 'approve'),
  'POST /rounds/:id/approval/reject': (w) => approvalPost(w, 'reject'),
};

/** Routes that read nothing from the request (a fixed file, a health check, the sign-in page): nothing to refuse. */
export const INPUTLESS_ROUTES = ['GET /r/-/reply.js', 'GET /healthz', 'GET /static/style.css', 'GET /login'];

/** The round each coordinator action acts on (the stage it is taken in). */
const ACTION_ROUND: Record<string, string> = {
  extend: ROUNDS.consultation,
  paper: ROUNDS.consultation,
  waive: ROUNDS.consultation,
  contact: ROUNDS.consultation,
  resend: ROUNDS.consultation,
  'add-bureau': ROUNDS.consultation,
  close: ROUNDS.consultation,
  cancel: ROUNDS.consultation,
  dispose: ROUNDS.disposition,
  'adopt-all': ROUNDS.disposition,
  publish: ROUNDS.disposed,
  'schedule-meeting': ROUNDS.expertReview,
  'reschedule-meeting': ROUNDS.meetingAhead,
  'cancel-meeting': ROUNDS.meetingAhead,
  'record-opinions': ROUNDS.meetingHeld,
  'revision-note': ROUNDS.opinions,
  'add-version': ROUNDS.disposition,
  reanchor: ROUNDS.published,
  'resolve-objection': ROUNDS.published,
};

/** The case of a route as `app.routes` lists it; a route without one is a test failure, not a skip. */
export function caseOf(route: string): Case {
  const found = ROUTE_CASES[route];
  if (found) return found;
  const action = /^POST \/rounds\/:id\/actions\/([a-z-]+)$/.exec(route)?.[1];
  if (action && ACTION_ROUND[action]) return (w) => coordinatorAction(w, action, ACTION_ROUND[action]!);
  throw new Error(`no hostile-input case for the route ${route}: add one to test/hostile/webRoutes.ts`);
}

/** The app's routes, as it registers them (middleware-only entries left out). */
export function appRoutes(w: World): string[] {
  return [...new Set(w.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))];
}

// ---------------------------------------------------------------------------------------------
// The run

/** Taken: the page or file it asked for, or an action done (303) or a form shown again to go on (add a row). */
const accepted = (req: HostileRequest, status: number) =>
  req.method === 'GET' ? status === 200 : status === 303 || status === 200;

export async function runRoute(w: World, route: string, numRuns: number, seed: number): Promise<RouteCount> {
  const count: RouteCount = { route, runs: 0, accepted: 0, refused: 0 };
  const arb = await caseOf(route)(w);
  await fc.assert(
    fc.asyncProperty(arb, async (req) => {
      const before = w.snapshot();
      let res: Response;
      if (route === 'POST /logout' || route === 'POST /login') {
        // A browser of its own with its own form token: signing in or out changes the session it holds.
        const { TestBrowser } = await import('../support/testBrowser.js');
        const b = new TestBrowser(w.app, ORIGIN);
        const page = route === 'POST /login' ? '/login' : `/rounds/${ROUNDS.approval}/approval`;
        if (route === 'POST /logout') await b.login(SIGN_OUT_USER.username, SIGN_OUT_USER.password);
        const form = await formOn(b, page, req.path);
        const body = new URLSearchParams(req.body as string);
        if (body.has('csrf')) body.set('csrf', form.fields.csrf!);
        res = await b.fetch(req.path, { method: 'POST', body, headers: req.headers ?? {} });
      } else {
        res = await w.browsers[req.who].fetch(req.path, {
          method: req.method,
          ...(req.body !== undefined && { body: req.body }),
          headers: req.headers ?? {},
        });
      }
      const text = await res.text();
      count.runs++;
      if (res.status >= 500)
        throw new Error(`${req.method} ${req.path.slice(0, 200)} answered ${res.status}: ${text.slice(0, 500)}`);
      const after = w.snapshot();
      if (accepted(req, res.status)) {
        count.accepted++;
        const bad = badText(JSON.parse(after.rounds));
        if (bad) throw new Error(`${route} took text it should have refused: ${bad}`);
      } else {
        count.refused++;
        if (after.rounds !== before.rounds) throw new Error(`${route} refused (${res.status}) but changed a round`);
        const added = [...after.blobs].filter((b) => !before.blobs.has(b) && !req.uploads.includes(b));
        if (added.length > 0) throw new Error(`${route} refused (${res.status}) but stored ${added.join(', ')}`);
        if (req.missingRound && req.who !== 'anon' && (res.status === 404 || res.status === 400)) {
          const page =
            /text\/html/.test(res.headers.get('content-type') ?? '') &&
            /[\u4e00-\u9fff]/.test(text) &&
            /[A-Za-z]{4}/.test(text);
          if (!page)
            throw new Error(
              `${req.path.slice(0, 200)}: a missing round answered without the bilingual page: ${text.slice(0, 200)}`,
            );
        }
      }
      w.restore(before);
    }),
    { numRuns, seed, endOnFailure: true },
  );
  return count;
}

/** Every route of the app, each with `numRuns` generated requests from a fixed seed. */
export async function runAllRoutes(numRuns: number, seed: number, world?: World): Promise<RouteCount[]> {
  const w = world ?? (await hostileWorld());
  const counts: RouteCount[] = [];
  for (const route of appRoutes(w)) counts.push(await runRoute(w, route, numRuns, seed));
  return counts;
}
