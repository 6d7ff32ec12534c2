/**
 * Named users: the users file (YAML, a list of { username, name, email?, roles, passwordHash }),
 * scrypt password hashes, and the Actor a signed-in user acts as. The file is the default identity
 * source; an external identity provider can stand behind the same UserDirectory later.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, parseDocument, stringify, type Document, type YAMLSeq } from 'yaml';
import { z } from 'zod';
import { line, type Actor } from '../domain/records.js';

export const UserRole = z.enum(['coordinator', 'approver', 'auditor']);
export type UserRole = z.infer<typeof UserRole>;

export const Username = z
  .string()
  .regex(
    /^[a-z][a-z0-9._-]{0,63}$/,
    'must be lowercase letters, digits, dots, dashes or underscores (max 64), starting with a letter',
  );

const PASSWORD_HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export const PasswordHash = z
  .string()
  .regex(PASSWORD_HASH, 'must be scrypt$N$r$p$saltBase64$hashBase64 (use `plan-review user add`)');

export const User = z
  .object({
    username: Username,
    name: line(200),
    email: z.email().optional(),
    roles: z
      .array(UserRole)
      .min(1, 'a user has at least one role (coordinator, approver, auditor)')
      .refine((rs) => new Set(rs).size === rs.length, 'roles must not repeat'),
    passwordHash: PasswordHash,
    /**
     * Sessions signed in at an older generation are over: signing out and a new password bump it
     * (web/auth.ts), on every web server at once, since they all read this file.
     */
    sessionGeneration: z.number().int().nonnegative().optional(),
  })
  .strict();
export type User = z.infer<typeof User>;

/** The generation a session of this user must carry to be valid. */
export const sessionGenerationOf = (user: Pick<User, 'sessionGeneration'>): number => user.sessionGeneration ?? 0;

export const UsersFile = z.array(User).superRefine((users, ctx) => {
  const seen = new Set<string>();
  users.forEach((u, i) => {
    if (seen.has(u.username))
      ctx.addIssue({ code: 'custom', path: [i, 'username'], message: `duplicate username ${u.username}` });
    seen.add(u.username);
  });
});

export const Password = z
  .string()
  .min(8, 'a password has at least 8 characters')
  .max(1024, 'a password has at most 1024 characters');

export class UsersFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`users file ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'UsersFileError';
  }
}

// ---------------------------------------------------------------------------------------------
// Password hashes

/** scrypt cost: N=2^15, r=8, p=1 (32 MiB, tens of milliseconds): OWASP's recommended minimum. */
export const SCRYPT_DEFAULTS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const MAX_N = 2 ** 20;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFC'), salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function scryptOptions(N: number, r: number, p: number): ScryptOptions {
  return { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
}

export async function hashPassword(
  password: string,
  params: { N: number; r: number; p: number } = SCRYPT_DEFAULTS,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, scryptOptions(params.N, params.r, params.p));
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when the password matches the hash (constant-time comparison); false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = PASSWORD_HASH.exec(hash);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Refuse parameters that would let an edited file exhaust memory or CPU.
  if (!(N >= 2 && N <= MAX_N && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16)) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  if (expected.length < 16) return false;
  const actual = await scrypt(password, Buffer.from(m[4]!, 'base64'), expected.length, scryptOptions(N, r, p));
  return timingSafeEqual(actual, expected);
}

// A hash to verify against when the username is unknown, so that timing does not tell which names exist.
let dummyHash: Promise<string> | undefined;

/** The user when the username exists and the password matches; else undefined (same cost either way). */
export async function authenticate(
  users: readonly User[],
  username: string,
  password: string,
): Promise<User | undefined> {
  const user = users.find((u) => u.username === username);
  if (!user) {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verifyPassword(password, await dummyHash);
    return undefined;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
}

/** The Actor recorded when this user acts in this role (the user must hold the role). */
export function actorOf(user: User, role: UserRole): Actor & { role: UserRole } {
  if (!user.roles.includes(role)) throw new Error(`user ${user.username} does not have the role ${role}`);
  return { name: user.name, role, username: user.username, ...(user.email ? { email: user.email } : {}) };
}

// ---------------------------------------------------------------------------------------------
// The file

function issues(err: z.ZodError, users: unknown): string[] {
  return err.issues.map((i) => {
    const [index, ...rest] = i.path;
    if (typeof index !== 'number') return `${i.path.join('.') || '(file)'}: ${i.message}`;
    const entry = Array.isArray(users) ? (users[index] as { username?: unknown } | undefined) : undefined;
    const who = typeof entry?.username === 'string' ? ` (${entry.username})` : '';
    return `entry ${index + 1}${who}${rest.length ? `, ${rest.join('.')}` : ''}: ${i.message}`;
  });
}

/** Reads and validates the users file; errors name the file and the entry. */
export async function loadUsers(file: string): Promise<User[]> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsersFileError(file, [
        'does not exist: create users with `plan-review user add`, or start `plan-review up` once to create the initial users',
      ]);
    }
    throw new UsersFileError(file, [`cannot read: ${(err as Error).message}`]);
  }
  return parseUsers(file, raw);
}

export function parseUsers(file: string, raw: string): User[] {
  const doc = parseDocument(raw);
  if (doc.errors.length > 0)
    throw new UsersFileError(
      file,
      doc.errors.map((e) => `not valid YAML: ${e.message}`),
    );
  let data: unknown;
  try {
    data = doc.toJS() ?? [];
  } catch (err) {
    // The yaml library refuses aliases that would expand without bound (and the like) here, after parsing.
    throw new UsersFileError(file, [`not valid YAML: ${(err as Error).message}`]);
  }
  if (!Array.isArray(data))
    throw new UsersFileError(file, [
      'must be a YAML list of users (- username: ..., name: ..., roles: [...], passwordHash: ...)',
    ]);
  const parsed = UsersFile.safeParse(data);
  if (!parsed.success) throw new UsersFileError(file, issues(parsed.error, data));
  return parsed.data;
}

const FILE_HEADER = `# plan-review users: who may sign in, and in which roles (coordinator, approver, auditor).
# Passwords are scrypt hashes; add users with \`plan-review user add <username> --name N --role R\`.
`;

async function writeAtomically(file: string, content: string, exclusive: boolean): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  if (exclusive) {
    await writeFile(file, content, { mode: 0o600, flag: 'wx' });
  } else {
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, content, { mode: 0o600, flag: 'wx' });
    await rename(tmp, file);
  }
  await chmod(file, 0o600);
}

export interface NewUser {
  username: string;
  name: string;
  email?: string;
  roles: UserRole[];
}

/**
 * Adds a user to the file (creating it, mode 0600), or, for a username that exists, replaces its
 * name, roles, email and password and ends its sessions (a password change). Keeps the file's comments.
 */
export async function addUser(
  file: string,
  user: NewUser,
  password: string,
): Promise<{ user: User; replaced: boolean }> {
  const pw = Password.safeParse(password);
  if (!pw.success) throw new UsersFileError(file, [`password: ${pw.error.issues[0]!.message}`]);
  const candidate = User.safeParse({ ...user, passwordHash: 'scrypt$2$1$1$AAAA$AAAA' });
  if (!candidate.success)
    throw new UsersFileError(
      file,
      candidate.error.issues.map((i) => `${i.path.join('.') || 'user'}: ${i.message}`),
    );

  const raw = await readUsersFile(file);
  const existing = raw === undefined ? [] : parseUsers(file, raw);
  const before = existing.find((u) => u.username === user.username);
  const record: User = User.parse({
    ...candidate.data,
    passwordHash: await hashPassword(password),
    ...(before && { sessionGeneration: sessionGenerationOf(before) + 1 }),
  });
  if (raw === undefined || raw.trim() === '' || existing.length === 0) {
    await writeAtomically(file, FILE_HEADER + stringify([record]), raw === undefined);
  } else {
    await editUsers(file, raw, (users, doc) => {
      const at = users.items.findIndex((item) => isMap(item) && item.get('username') === user.username);
      if (at >= 0) users.items[at] = doc.createNode(record);
      else users.add(doc.createNode(record));
    });
  }
  return { user: record, replaced: before !== undefined };
}

/**
 * Ends every session of a user (signing out, on any web server): bumps its session generation in
 * the file. Unknown users are ignored (a removed user has no sessions left).
 */
export async function endUserSessions(file: string, username: string): Promise<void> {
  const raw = await readUsersFile(file);
  if (raw === undefined) return;
  const user = parseUsers(file, raw).find((u) => u.username === username);
  if (!user) return;
  await editUsers(file, raw, (users) => {
    const item = users.items.find((i) => isMap(i) && i.get('username') === username);
    if (isMap(item)) item.set('sessionGeneration', sessionGenerationOf(user) + 1);
  });
}

async function readUsersFile(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new UsersFileError(file, [`cannot read: ${(err as Error).message}`]);
    return undefined;
  }
}

/** Changes the file's list of users in place (comments kept) and writes it atomically. */
async function editUsers(file: string, raw: string, edit: (users: YAMLSeq, doc: Document) => void): Promise<void> {
  const doc = parseDocument(raw);
  if (!isSeq(doc.contents)) throw new UsersFileError(file, ['must be a YAML list of users']);
  edit(doc.contents, doc);
  await writeAtomically(file, doc.toString(), false);
}

export interface InitialCredentials {
  username: string;
  password: string;
  roles: UserRole[];
}

const INITIAL_USERS: { username: string; name: string; role: UserRole }[] = [
  { username: 'coordinator', name: '协调人', role: 'coordinator' },
  { username: 'approver', name: '审批人', role: 'approver' },
  { username: 'auditor', name: '审计员', role: 'auditor' },
];

/**
 * When the users file does not exist, creates it with the users coordinator, approver and auditor,
 * each with a random password, and returns their credentials (to show once). Returns [] when the
 * file exists (another process may have created it first: its users stand).
 */
export async function ensureInitialUsers(file: string): Promise<InitialCredentials[]> {
  try {
    await stat(file);
    return [];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const credentials: InitialCredentials[] = [];
  const users: User[] = [];
  for (const u of INITIAL_USERS) {
    const password = randomBytes(15).toString('base64url');
    users.push({ username: u.username, name: u.name, roles: [u.role], passwordHash: await hashPassword(password) });
    credentials.push({ username: u.username, password, roles: [u.role] });
  }
  try {
    await writeAtomically(file, FILE_HEADER + stringify(users), true);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return [];
    throw err;
  }
  return credentials;
}

// ---------------------------------------------------------------------------------------------
// Looking users up at request time

/**
 * Where the web server looks users up on every request (so a removed user or role, or sessions
 * ended elsewhere, take effect at once).
 */
export interface UserDirectory {
  list(): Promise<readonly User[]>;
  /** Ends every session of the user: its session generation goes up (web/auth.ts checks it). */
  endSessions(username: string): Promise<void>;
}

/** A list kept in memory (tests, or users from elsewhere); ended sessions are counted there too. */
export function staticUserDirectory(users: readonly User[]): UserDirectory {
  let current = users;
  return {
    list: async () => current,
    async endSessions(username) {
      current = current.map((u) =>
        u.username === username ? { ...u, sessionGeneration: sessionGenerationOf(u) + 1 } : u,
      );
    },
  };
}

/** The users file, re-read when it changes (by modification time and size); a broken file lets nobody in (and is logged). */
export function fileUserDirectory(file: string): UserDirectory {
  let cached: { key: string; users: User[] } | undefined;
  return {
    async list() {
      let key: string;
      try {
        const s = await stat(file);
        key = `${s.mtimeMs}:${s.size}`;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      if (cached?.key !== key) {
        try {
          cached = { key, users: await loadUsers(file) };
        } catch (err) {
          // Fail closed: nobody signs in until the file is fixed, and the log says what is wrong.
          console.error(`users: ${(err as Error).message}`);
          cached = { key, users: [] };
        }
      }
      return cached.users;
    },
    async endSessions(username) {
      await endUserSessions(file, username);
      cached = undefined;
    },
  };
}
