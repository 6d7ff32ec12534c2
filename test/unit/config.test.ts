import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config.js';

describe('loadConfig', () => {
  it('gives the embedded defaults on an empty environment', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.TEMPORAL_ADDRESS).toBeUndefined();
    expect(c.TEMPORAL_DEV_PORT).toBe(7233);
    // The embedded dev server runs without its Web UI unless a port is given for it.
    expect(c.TEMPORAL_UI_PORT).toBeUndefined();
    expect(c.TEMPORAL_UI_URL).toBeUndefined();
    expect(c.TEMPORAL_RETENTION).toBe('3650d');
    expect(c.paths.temporalDb).toBe('/srv/app/data/temporal.sqlite');
    expect(c.paths.outbox).toBe('/srv/app/data/outbox');
  });

  it.each([
    ['WEB_PORT', 'eighty', /WEB_PORT="eighty": must be a port number/],
    ['TEMPORAL_UI_PORT', '70000', /TEMPORAL_UI_PORT="70000": must be a port number/],
    ['TEMPORAL_TLS', 'maybe', /TEMPORAL_TLS="maybe": must be true or false/],
    ['PUBLIC_URL', 'not a url', /PUBLIC_URL="not a url": must be a URL/],
    ['SMTP_URL', 'nowhere', /SMTP_URL="nowhere": must be a URL/],
    ['TEMPORAL_UI_URL', 'ui', /TEMPORAL_UI_URL="ui": must be a URL/],
    ['TEMPORAL_RETENTION', '1y', /TEMPORAL_RETENTION="1y": must be a whole number of days or hours/],
  ])('names the variable when %s is bad', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('lists every bad variable at once', () => {
    try {
      loadConfig({ WEB_PORT: 'x', SMTP_SINK_PORT: '-1' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toHaveLength(2);
    }
  });

  it('refuses half an mTLS pair', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: '/c.pem' })).toThrow(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/);
  });

  it('treats an empty TEMPORAL_ADDRESS as unset', () => {
    expect(loadConfig({ TEMPORAL_ADDRESS: '  ' }).TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('turns the embedded Web UI on only for a port, an empty one leaving it off', () => {
    expect(loadConfig({ TEMPORAL_UI_PORT: '8233' }).TEMPORAL_UI_PORT).toBe(8233);
    expect(loadConfig({ TEMPORAL_UI_PORT: ' ' }).TEMPORAL_UI_PORT).toBeUndefined();
  });

  it('sweeps unused uploads daily after a week unless told otherwise, and refuses an interval it cannot read', () => {
    expect(loadConfig({})).toMatchObject({ UPLOAD_SWEEP_EVERY: '1d', UPLOAD_SWEEP_OLDER_THAN: '7d' });
    expect(loadConfig({ UPLOAD_SWEEP_EVERY: ' ' }).UPLOAD_SWEEP_EVERY).toBe('1d');
    expect(loadConfig({ UPLOAD_SWEEP_EVERY: 'off', UPLOAD_SWEEP_OLDER_THAN: '12h' })).toMatchObject({
      UPLOAD_SWEEP_EVERY: 'off',
      UPLOAD_SWEEP_OLDER_THAN: '12h',
    });
    expect(() => loadConfig({ UPLOAD_SWEEP_EVERY: '0m' })).toThrow(
      'UPLOAD_SWEEP_EVERY="0m": must be off, or an interval such as 1d, 12h or 30m',
    );
    expect(() => loadConfig({ UPLOAD_SWEEP_OLDER_THAN: 'a week' })).toThrow(
      'UPLOAD_SWEEP_OLDER_THAN="a week": must be an age such as 7d, 12h or 30m',
    );
  });

  it("keeps the workers' workflow stack traces off unless set on, and refuses any other value", () => {
    expect(loadConfig({}).WORKFLOW_STACK_TRACES).toBe('off');
    expect(loadConfig({ WORKFLOW_STACK_TRACES: '' }).WORKFLOW_STACK_TRACES).toBe('off');
    expect(loadConfig({ WORKFLOW_STACK_TRACES: 'on' }).WORKFLOW_STACK_TRACES).toBe('on');
    // worker/workflowStackTraces.cjs reads the variable as it is: only `on` turns them on there.
    expect(() => loadConfig({ WORKFLOW_STACK_TRACES: 'yes' })).toThrow(
      'WORKFLOW_STACK_TRACES="yes": must be on or off',
    );
  });

  it("keeps 16 MB of the store's content in memory unless told another size or 0, and refuses what is not one", () => {
    expect(loadConfig({}).STORE_CACHE_MB).toBe(16);
    expect(loadConfig({ STORE_CACHE_MB: '' }).STORE_CACHE_MB).toBe(16);
    expect(loadConfig({ STORE_CACHE_MB: '0' }).STORE_CACHE_MB).toBe(0);
    expect(loadConfig({ STORE_CACHE_MB: '64' }).STORE_CACHE_MB).toBe(64);
    expect(() => loadConfig({ STORE_CACHE_MB: '-1' })).toThrow(
      'STORE_CACHE_MB="-1": must be a whole number of megabytes (0 for no cache)',
    );
    expect(() => loadConfig({ STORE_CACHE_MB: '1.5' })).toThrow(
      'STORE_CACHE_MB="1.5": must be a whole number of megabytes (0 for no cache)',
    );
    expect(() => loadConfig({ STORE_CACHE_MB: 'lots' })).toThrow(
      'STORE_CACHE_MB="lots": must be a whole number of megabytes (0 for no cache)',
    );
    expect(() => loadConfig({ STORE_CACHE_MB: '9000' })).toThrow(
      'STORE_CACHE_MB="9000": must be at most 4096 megabytes',
    );
  });

  it('keeps the document store in the local folder unless STORE_URL names a PostgreSQL database', () => {
    expect(loadConfig({}).STORE_URL).toBeUndefined();
    expect(loadConfig({ STORE_URL: '' }).STORE_URL).toBeUndefined();
    const url = 'postgres://plan_review:pw@127.0.0.1:55432/plan_review';
    expect(loadConfig({ STORE_URL: url }).STORE_URL).toBe(url);
    expect(() => loadConfig({ STORE_URL: 's3://bucket' })).toThrow(
      /STORE_URL="s3:\/\/bucket": must be a PostgreSQL URL/,
    );
  });
});
