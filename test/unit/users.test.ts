import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliActor, CliError, CliUsageError, describeCliError, userAddCommand } from '../../cli/users.js';
import {
  actorOf,
  addUser,
  authenticate,
  endUserSessions,
  ensureInitialUsers,
  fileUserDirectory,
  hashPassword,
  loadUsers,
  sessionGenerationOf,
  UsersFileError,
  verifyPassword,
} from '../../infra/users.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-users-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('password hashes', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterz', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
  });

  it('refuses malformed hashes and abusive parameters instead of throwing', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    const hash = await hashPassword('secret-pass', { N: 1024, r: 8, p: 1 });
    expect(await verifyPassword('secret-pass', hash)).toBe(true);
    expect(await verifyPassword('secret-pass', hash.replace(/^scrypt\$1024/, 'scrypt$1073741824'))).toBe(false);
  });
});

describe('the users file', () => {
  it('adds users (file 0600), loads them and authenticates', async () => {
    const file = path.join(dir, 'sub', 'users.yaml');
    await addUser(
      file,
      { username: 'li.na', name: '李娜', email: 'li.na@example.org', roles: ['coordinator'] },
      'password-one',
    );
    await addUser(file, { username: 'wang', name: '王伟', roles: ['approver', 'auditor'] }, 'password-two');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^# plan-review users/);

    const users = await loadUsers(file);
    expect(users.map((u) => u.username)).toEqual(['li.na', 'wang']);
    expect((await authenticate(users, 'li.na', 'password-one'))?.name).toBe('李娜');
    expect(await authenticate(users, 'li.na', 'password-two')).toBeUndefined();
    expect(await authenticate(users, 'nobody', 'password-one')).toBeUndefined();
    expect(actorOf(users[0]!, 'coordinator')).toEqual({
      name: '李娜',
      role: 'coordinator',
      username: 'li.na',
      email: 'li.na@example.org',
    });
    expect(() => actorOf(users[1]!, 'coordinator')).toThrow(/does not have the role coordinator/);
  });

  it('changes an existing user (a new password) and ends its sessions, keeping the file as it was', async () => {
    const file = path.join(dir, 'users.yaml');
    await addUser(file, { username: 'li', name: '李', roles: ['coordinator'] }, 'password-one');
    await addUser(file, { username: 'wang', name: '王', roles: ['auditor'] }, 'password-two');
    await writeFile(file, (await readFile(file, 'utf8')) + '# kept\n');
    const changed = await addUser(file, { username: 'li', name: '李二', roles: ['auditor'] }, 'password-new');
    expect(changed.replaced).toBe(true);
    const users = await loadUsers(file);
    expect(users.map((u) => [u.username, u.name, u.sessionGeneration])).toEqual([
      ['li', '李二', 1],
      ['wang', '王', undefined],
    ]);
    expect(await authenticate(users, 'li', 'password-one')).toBeUndefined();
    expect(await authenticate(users, 'li', 'password-new')).toBeDefined();
    expect(await readFile(file, 'utf8')).toContain('# kept');

    await endUserSessions(file, 'wang');
    await endUserSessions(file, 'wang');
    await endUserSessions(file, 'nobody');
    expect((await loadUsers(file)).map((u) => sessionGenerationOf(u))).toEqual([1, 2]);
    expect(await readFile(file, 'utf8')).toContain('# kept');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a short password and an unknown role', async () => {
    const file = path.join(dir, 'users.yaml');
    await addUser(file, { username: 'li', name: '李', roles: ['coordinator'] }, 'password-one');
    await expect(addUser(file, { username: 'zhao', name: '赵', roles: ['auditor'] }, 'short')).rejects.toThrow(
      /at least 8 characters/,
    );
    // @ts-expect-error: a role that does not exist
    await expect(addUser(file, { username: 'qian', name: '钱', roles: ['admin'] }, 'password-three')).rejects.toThrow(
      /roles\.0/,
    );
    expect((await loadUsers(file)).length).toBe(1);
  });

  it('names the file and the entry when the file is bad', async () => {
    const file = path.join(dir, 'users.yaml');
    await writeFile(
      file,
      '- username: ok\n  name: OK\n  roles: [coordinator]\n  passwordHash: "scrypt$2$1$1$AAAA$AAAA"\n- username: bad\n  name: Bad\n  roles: [root]\n  passwordHash: plain\n',
    );
    const err = await loadUsers(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsersFileError);
    expect(String(err)).toContain(file);
    expect(String(err)).toMatch(/entry 2 \(bad\), roles\.0/);
    expect(String(err)).toMatch(/entry 2 \(bad\), passwordHash: must be scrypt/);

    await writeFile(file, 'users: {a: 1}\n');
    await expect(loadUsers(file)).rejects.toThrow(/must be a YAML list of users/);
    await writeFile(file, '- [unclosed\n');
    await expect(loadUsers(file)).rejects.toThrow(/not valid YAML/);
    await expect(loadUsers(path.join(dir, 'missing.yaml'))).rejects.toThrow(/missing\.yaml:\n.*does not exist/);
  });

  it('creates the initial users once, with passwords that work', async () => {
    const file = path.join(dir, 'users.yaml');
    const created = await ensureInitialUsers(file);
    expect(created.map((c) => c.username)).toEqual(['coordinator', 'approver', 'auditor']);
    const users = await loadUsers(file);
    for (const c of created) {
      expect(c.password.length).toBeGreaterThanOrEqual(16);
      expect((await authenticate(users, c.username, c.password))?.roles).toEqual(c.roles);
    }
    expect(await ensureInitialUsers(file)).toEqual([]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('re-reads the file when it changes', async () => {
    const file = path.join(dir, 'users.yaml');
    const directory = fileUserDirectory(file);
    expect(await directory.list()).toEqual([]);
    await addUser(file, { username: 'li', name: '李', roles: ['coordinator'] }, 'password-one');
    expect((await directory.list()).map((u) => u.username)).toEqual(['li']);
    await addUser(file, { username: 'wang', name: '王', roles: ['auditor'] }, 'password-two');
    expect((await directory.list()).map((u) => u.username)).toEqual(['li', 'wang']);
  });
});

describe('the CLI', () => {
  it('adds a user with the password from PLAN_REVIEW_PASSWORD or one line on stdin', async () => {
    const file = path.join(dir, 'users.yaml');
    const out = await userAddCommand(
      ['li', '--name', '李娜', '--role', 'coordinator', '--role', 'auditor', '--email', 'li@example.org'],
      {
        usersFile: file,
        env: { PLAN_REVIEW_PASSWORD: 'password-from-env' },
      },
    );
    expect(out).toContain('added li (李娜) with roles coordinator, auditor');
    await userAddCommand(['wang', '--name', '王伟', '--role', 'approver'], {
      usersFile: file,
      env: {},
      stdin: Readable.from(['password-from-stdin\nignored\n']),
    });
    const users = await loadUsers(file);
    expect(await authenticate(users, 'li', 'password-from-env')).toBeDefined();
    expect(await authenticate(users, 'wang', 'password-from-stdin')).toBeDefined();

    const again = await userAddCommand(['wang', '--name', '王伟', '--role', 'approver'], {
      usersFile: file,
      env: { PLAN_REVIEW_PASSWORD: 'a-new-password' },
    });
    expect(again).toContain('updated wang (王伟)');
    expect(again).toContain('every session of wang has ended');
  });

  it('explains bad arguments', async () => {
    const file = path.join(dir, 'users.yaml');
    const env = { PLAN_REVIEW_PASSWORD: 'password-from-env' };
    await expect(userAddCommand(['li', '--role', 'coordinator'], { usersFile: file, env })).rejects.toThrow(/--name/);
    await expect(userAddCommand(['li', '--name', 'L', '--role', 'root'], { usersFile: file, env })).rejects.toThrow(
      /--role \(coordinator, approver or auditor\)/,
    );
    await expect(userAddCommand(['li', '--name', 'L'], { usersFile: file, env })).rejects.toThrow(
      /at least one --role/,
    );
    await expect(
      userAddCommand(['li', '--name', 'L', '--role', 'auditor', '--colour', 'red'], { usersFile: file, env }),
    ).rejects.toThrow(CliUsageError);
    await expect(
      userAddCommand(['li', '--name', 'L', '--role', 'auditor'], {
        usersFile: file,
        env: {},
        stdin: Readable.from([]),
      }),
    ).rejects.toThrow(/no password/);
    const err = await userAddCommand(['Li Na', '--name', 'L', '--role', 'auditor'], { usersFile: file, env }).catch(
      (e: unknown) => e,
    );
    expect(describeCliError(err)?.message).toMatch(/username: must be lowercase/);
  });

  it('acts as PLAN_REVIEW_USER, with a clear error when it is unset, unknown or lacks the role', async () => {
    const file = path.join(dir, 'users.yaml');
    await addUser(file, { username: 'li', name: '李娜', roles: ['coordinator'] }, 'password-one');
    await addUser(file, { username: 'zhou', name: '周', roles: ['auditor'] }, 'password-two');
    const config = (user?: string) =>
      ({ PLAN_REVIEW_USER: user, paths: { users: file } }) as Parameters<typeof cliActor>[0];
    expect(await cliActor(config('li'))).toEqual({ name: '李娜', role: 'coordinator', username: 'li' });
    await expect(cliActor(config(undefined))).rejects.toThrow(/PLAN_REVIEW_USER is not set/);
    await expect(cliActor(config('nobody'))).rejects.toThrow(/PLAN_REVIEW_USER=nobody: no such user in .*users\.yaml/);
    await expect(cliActor(config('zhou'))).rejects.toThrow(CliError);
    await expect(cliActor(config('zhou'))).rejects.toThrow(/does not have the role coordinator/);
  });
});
