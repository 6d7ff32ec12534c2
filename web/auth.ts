/**
 * Signing in as a named user: the login page, sessions in signed cookies, a role check for pages
 * and actions, and CSRF protection for every form (an origin check plus a per-session form token).
 *
 * The session cookie holds { username, sid, exp, gen, seen } signed with a key derived from the
 * server secret; the user and their roles are looked up in the user directory on every request, so
 * removing a user or a role from the users file takes effect at once. Sessions end:
 * - after SESSION_LIMITS.idleMinutes without a request (`seen`, renewed as the user works), and at
 *   the latest SESSION_LIMITS.hours after signing in (`exp`);
 * - when the user's session generation in the users file moves past the cookie's `gen`: signing
 *   out and a new password (`plan-review user add` on an existing user) move it, so a copied cookie
 *   stops working on every web server at once. Signing out ends all of that user's sessions.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, getSignedCookie, setCookie, setSignedCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { every } from 'hono/combine';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import type { Templates } from '../infra/templates.js';
import { authenticate, sessionGenerationOf, type User, type UserDirectory, type UserRole } from '../infra/users.js';
import {
  firstString,
  KIB,
  limitBody,
  messagePage,
  originCheck as checkOrigin,
  readFormBody,
  unreadableFormMessage,
} from './guards.js';
import { Backoff, memoryLimiters, Throttle, type LimiterFactory } from './throttle.js';

export const SESSION_COOKIE = 'pr_session';
const LOGIN_COOKIE = 'pr_login';
export const CSRF_FIELD = 'csrf';

export interface AuthDeps {
  /** The server secret (infra/linkTokens.ts); the session and form keys are derived from it. */
  secret: Buffer;
  users: UserDirectory;
  templates: Templates;
  /** Set the Secure flag on cookies (when the site is served over https). */
  secureCookies?: boolean;
  /** Default SESSION_LIMITS. */
  sessionLimits?: { hours: number; idleMinutes: number };
  /** Origins other than the request's own that may post forms (e.g. PUBLIC_URL's behind a proxy). */
  trustedOrigins?: string[];
  /** The client's address, for login throttling; default: the socket's remote address (undefined in-process). */
  clientAddress?: (c: Context) => string | undefined;
  /** Where the sign-in throttles keep their counts; default: this process's memory. */
  limiters?: LimiterFactory;
  /** The clock of sessions. The throttles read the system clock (web/throttle.ts). */
  now?: () => number;
}

/** The largest body /login and /logout read. */
export const LOGIN_BODY_LIMIT = 16 * KIB;
/** How long a session lasts: at most `hours` after signing in, and `idleMinutes` after its last request. */
export const SESSION_LIMITS = { hours: 12, idleMinutes: 30 } as const;
/** A session's last request is written back to its cookie at most this often. */
const SEEN_EVERY_MS = 60_000;

/**
 * Sign-in throttling. A username at one client address has `free` failed attempts, then waits
 * before each next one (30 seconds, doubling up to 15 minutes; forgotten after a day or on success):
 * someone failing elsewhere never keeps a user out. A client address has `perAddress` failed
 * attempts within `addressWindowMs` across all usernames.
 */
export const LOGIN_LIMITS = {
  free: 5,
  firstWaitMs: 30_000,
  maxWaitMs: 15 * 60_000,
  forgetMs: 24 * 3600_000,
  perAddress: 20,
  addressWindowMs: 15 * 60_000,
} as const;

/** The socket's remote address under @hono/node-server; undefined elsewhere (app.request in tests). */
function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

export interface Session {
  username: string;
  sid: string;
  /** When the session ends at the latest (ms). */
  exp: number;
  /** The user's session generation when it signed in. */
  gen: number;
  /** Its last request (ms), as last written back. */
  seen: number;
}

export interface AuthEnv {
  Variables: { user: User; session: Session };
}

const SessionCookie = z
  .object({
    username: z.string().min(1).max(64),
    sid: z.string().min(16).max(64),
    exp: z.number().int(),
    gen: z.number().int().nonnegative(),
    seen: z.number().int(),
  })
  .strict();

const LoginForm = z.object({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .min(1, '请输入用户名 Enter your username')
    .max(64, '用户名过长 The username is too long'),
  password: z.string().min(1, '请输入密码 Enter your password').max(1024, '密码过长 The password is too long'),
  next: z.string().max(2000).optional(),
  [CSRF_FIELD]: z.string().max(200).optional(),
});

/** A local path to return to after signing in; anything else (another site, //host) becomes "/". */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}

function derive(secret: Buffer, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`plan-review ${purpose}`).digest();
}

function mac(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}

function equal(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Error handler for apps with auth middleware: an HTTPException (origin check) is its own response. */
export function httpErrors(err: Error, c: Context): Response {
  if (err instanceof HTTPException) return err.getResponse();
  console.error(`web: ${c.req.method} ${c.req.path}:`, err);
  return c.text('internal error', 500);
}

export interface Auth {
  /** GET/POST /login and POST /logout. */
  routes: Hono;
  /** Signed in with one of these roles, else a redirect to /login (or 403 for a user without the role). */
  requireRole(...roles: UserRole[]): MiddlewareHandler<AuthEnv>;
  /**
   * For actions open without sign-in (a bureau's link): a request other than GET from a signed-in user
   * who only audits is refused (403), since the auditor's role is read-only everywhere; anyone else goes on.
   */
  refuseReadOnly: MiddlewareHandler<AuthEnv>;
  /** For POSTs, after requireRole: the origin check and the session's form token (403 when either fails). */
  verifyForm: MiddlewareHandler<AuthEnv>;
  /** The form token of the signed-in session, for the hidden field of every form. */
  formToken(c: Context<AuthEnv>): string;
  /** The user signed in on this request, on any page (a bureau's link too), or undefined. */
  signedInUser(c: Context): Promise<User | undefined>;
}

export function createAuth(deps: AuthDeps): Auth {
  const sessionKey = derive(deps.secret, 'session');
  const formKey = derive(deps.secret, 'session-form');
  const loginKey = derive(deps.secret, 'login-form');
  const now = deps.now ?? Date.now;
  const limits = deps.sessionLimits ?? SESSION_LIMITS;
  const maxAgeSeconds = Math.round(limits.hours * 3600);
  const idleMs = limits.idleMinutes * 60_000;
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'Lax' as const, secure: deps.secureCookies ?? false };
  const originCheck = checkOrigin(deps.trustedOrigins);
  const loginBodyLimit = limitBody(LOGIN_BODY_LIMIT, deps.templates);
  const clientAddress = deps.clientAddress ?? socketAddress;
  // Failed sign-ins, counted per username at an address and per address; a throttled attempt runs no scrypt.
  const limiters = deps.limiters ?? memoryLimiters;
  const failedByPair = new Backoff(
    {
      name: 'login-user-address',
      free: LOGIN_LIMITS.free,
      firstWaitMs: LOGIN_LIMITS.firstWaitMs,
      maxWaitMs: LOGIN_LIMITS.maxWaitMs,
      forgetMs: LOGIN_LIMITS.forgetMs,
    },
    limiters,
  );
  const failedByAddress = new Throttle(
    { name: 'login-address', limit: LOGIN_LIMITS.perAddress, windowMs: LOGIN_LIMITS.addressWindowMs },
    limiters,
  );

  /**
   * Counts a sign-in attempt as failed up front, against the address and the username at that
   * address, or refuses it with how long until it may be made (an attempt refused by one counter is
   * not counted by the other). The address comes first so that a refused address creates no counter.
   */
  async function countAttempt(pair: string, address: string | undefined) {
    if (address) {
      const byAddress = await failedByAddress.take(address);
      if (!byAddress.ok) return byAddress;
    }
    const byPair = await failedByPair.attempt(pair);
    if (!byPair.ok && address) await failedByAddress.giveBack(address);
    return byPair;
  }

  async function currentSession(c: Context): Promise<{ session: Session; user: User } | undefined> {
    const raw = await getSignedCookie(c, sessionKey, SESSION_COOKIE);
    if (!raw) return undefined;
    let session: Session;
    try {
      session = SessionCookie.parse(JSON.parse(raw));
    } catch {
      return undefined;
    }
    const at = now();
    if (session.exp <= at || session.seen + idleMs <= at) return undefined;
    const user = (await deps.users.list()).find((u) => u.username === session.username);
    if (!user || sessionGenerationOf(user) !== session.gen) return undefined;
    return { session, user };
  }

  async function writeSession(c: Context, session: Session): Promise<void> {
    await setSignedCookie(c, SESSION_COOKIE, JSON.stringify(session), sessionKey, {
      ...cookieOptions,
      maxAge: Math.max(1, Math.round((session.exp - now()) / 1000)),
    });
  }

  function formToken(c: Context<AuthEnv>): string {
    return mac(formKey, c.get('session').sid);
  }

  function renderLogin(
    c: Context,
    status: 200 | 401 | 422 | 429,
    data: { username?: string; next?: string; error?: string; errors?: Record<string, string> },
  ) {
    let nonce = getCookie(c, LOGIN_COOKIE);
    if (!nonce || !/^[A-Za-z0-9_-]{22,64}$/.test(nonce)) {
      nonce = randomBytes(18).toString('base64url');
      setCookie(c, LOGIN_COOKIE, nonce, { ...cookieOptions, maxAge: 3600 });
    }
    c.header('cache-control', 'no-store');
    return c.html(
      deps.templates.render('pages/login', { ...data, next: safeNext(data.next), csrf: mac(loginKey, nonce) }),
      status,
    );
  }

  const routes = new Hono();
  routes.onError(httpErrors);

  routes.get('/login', async (c) => {
    const signedIn = await currentSession(c);
    return renderLogin(c, 200, { next: c.req.query('next'), username: signedIn?.user.username });
  });

  routes.post('/login', originCheck, loginBodyLimit, async (c) => {
    const body = await readFormBody(c, { all: false });
    if (!body) return messagePage(c, deps.templates, 400, unreadableFormMessage);
    const nonce = getCookie(c, LOGIN_COOKIE);
    if (!nonce || !equal(firstString(body, CSRF_FIELD), mac(loginKey, nonce))) {
      return renderLogin(c, 422, {
        next: firstString(body, 'next'),
        error: '登录表单已过期，请重试。The sign-in form expired; please try again.',
      });
    }
    const form = LoginForm.safeParse(body);
    if (!form.success) {
      const errors: Record<string, string> = {};
      for (const i of form.error.issues) errors[String(i.path[0])] ??= i.message;
      return renderLogin(c, 422, {
        username: firstString(body, 'username') ?? '',
        next: firstString(body, 'next'),
        errors,
      });
    }
    const { username } = form.data;
    const address = clientAddress(c);
    const pair = `${username}\n${address ?? ''}`;
    // Counted as failed before the check, so that attempts sent all at once cannot slip past the limit.
    const attempt = await countAttempt(pair, address);
    if (!attempt.ok) {
      const seconds = Math.max(1, Math.ceil(attempt.retryAfterMs / 1000));
      const minutes = Math.ceil(seconds / 60);
      const when =
        seconds < 60
          ? { zh: `${seconds} 秒`, en: `${seconds} second${seconds === 1 ? '' : 's'}` }
          : { zh: `${minutes} 分钟`, en: `${minutes} minute${minutes === 1 ? '' : 's'}` };
      c.header('retry-after', String(seconds));
      return renderLogin(c, 429, {
        username,
        next: form.data.next,
        error: `登录失败次数过多，请 ${when.zh}后再试。Too many failed sign-in attempts; try again in ${when.en}.`,
      });
    }
    const user = await authenticate(await deps.users.list(), username, form.data.password);
    if (!user) {
      await failedByPair.failed(pair, attempt.failures);
      return renderLogin(c, 401, {
        username,
        next: form.data.next,
        error: '用户名或密码不正确。Wrong username or password.',
      });
    }
    await failedByPair.succeeded(pair);
    if (address) await failedByAddress.giveBack(address);
    const at = now();
    await writeSession(c, {
      username: user.username,
      sid: randomBytes(18).toString('base64url'),
      exp: at + maxAgeSeconds * 1000,
      gen: sessionGenerationOf(user),
      seen: at,
    });
    deleteCookie(c, LOGIN_COOKIE, { path: '/' });
    return c.redirect(safeNext(form.data.next), 303);
  });

  routes.post('/logout', originCheck, loginBodyLimit, async (c) => {
    const current = await currentSession(c);
    if (current) {
      const body = await readFormBody(c, { all: false });
      if (!body) return messagePage(c, deps.templates, 400, unreadableFormMessage);
      if (!equal(firstString(body, CSRF_FIELD), mac(formKey, current.session.sid)))
        return c.text('Forbidden: the form token is missing or wrong; reload the page.', 403);
      // Every copy of the cookie stops working, on every web server (they read the same users file).
      await deps.users.endSessions(current.user.username);
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  function requireRole(...roles: UserRole[]): MiddlewareHandler<AuthEnv> {
    return async (c, next) => {
      const current = await currentSession(c);
      if (!current) {
        let back = c.req.method === 'GET' ? c.req.path + (new URL(c.req.url).search || '') : undefined;
        if (!back) {
          const referer = c.req.header('referer');
          try {
            if (referer && new URL(referer).origin === new URL(c.req.url).origin) back = new URL(referer).pathname;
          } catch {
            back = undefined;
          }
        }
        return c.redirect(`/login?next=${encodeURIComponent(safeNext(back))}`, c.req.method === 'GET' ? 302 : 303);
      }
      c.set('user', current.user);
      c.set('session', current.session);
      if (now() - current.session.seen >= SEEN_EVERY_MS) await writeSession(c, { ...current.session, seen: now() });
      if (!roles.some((r) => current.user.roles.includes(r))) {
        c.header('cache-control', 'no-store');
        return c.html(
          deps.templates.render('pages/coordinator-forbidden', {
            user: current.user,
            roles,
            csrf: formToken(c),
            hideOutbox: !current.user.roles.includes('coordinator'),
          }),
          403,
        );
      }
      await next();
    };
  }

  const refuseReadOnly: MiddlewareHandler<AuthEnv> = async (c, next) => {
    const current = c.req.method === 'GET' || c.req.method === 'HEAD' ? undefined : await currentSession(c);
    if (current && !current.user.roles.some((r) => r !== 'auditor')) {
      c.set('user', current.user);
      c.set('session', current.session);
      c.header('cache-control', 'no-store');
      return c.html(
        deps.templates.render('pages/coordinator-forbidden', {
          user: current.user,
          roles: ['coordinator', 'approver'],
          csrf: formToken(c),
          hideOutbox: true,
        }),
        403,
      );
    }
    await next();
  };

  const tokenCheck: MiddlewareHandler<AuthEnv> = async (c, next) => {
    const body = await readFormBody(c);
    if (!body) return messagePage(c, deps.templates, 400, unreadableFormMessage);
    const given = body[CSRF_FIELD];
    if (!equal(typeof given === 'string' ? given : undefined, formToken(c))) {
      return c.text(
        'Forbidden: the form token is missing or wrong; reload the page and try again. 表单已失效，请刷新页面后重试。',
        403,
      );
    }
    await next();
  };
  const verifyForm = every(originCheck, tokenCheck) as MiddlewareHandler<AuthEnv>;

  const signedInUser = async (c: Context) => (await currentSession(c))?.user;

  return { routes, requireRole, refuseReadOnly, verifyForm, formToken, signedInUser };
}
