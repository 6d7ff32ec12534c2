/** A round's uploads through its reply links: recorded for the sweep, and held to the round's byte quota. */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../infra/store.js';
import { ROUND_ID, replyFixture, type ReplyFixture } from '../support/replyFixture.js';
import { scan } from '../support/uploadScenarios.js';

async function attach(fx: ReplyFixture, bureauId: string, bytes: Buffer): Promise<{ status: number; html: string }> {
  const token = fx.tokenFor(bureauId);
  const page = await (await fx.app.request(`/r/${token}`)).text();
  const form = new FormData();
  for (const name of ['requestId', 'csrf'])
    form.append(name, new RegExp(`name="${name}" value="([^"]+)"`).exec(page)![1]!);
  form.append('action', 'add:protection');
  form.append('attachment', new File([new Uint8Array(bytes)], 'scan.png'));
  const res = await fx.app.request(`/r/${token}`, {
    method: 'POST',
    body: form,
    headers: { origin: 'http://localhost' },
  });
  return { status: res.status, html: await res.text() };
}

describe("a round's upload quota", () => {
  it('keeps uploads until the round has used its bytes, then refuses with a message in Chinese and English, keeping nothing', async () => {
    const first = scan('first');
    const fx = await replyFixture({ roundUploadQuotaBytes: first.byteLength + 20 });
    expect((await attach(fx, 'finance', first)).status).toBe(200);
    expect(await fx.store.uploadedBytes(ROUND_ID)).toBe(first.byteLength);
    expect(fx.store.uploads.get(sha256Hex(first))?.roundId).toBe(ROUND_ID);

    // Another bureau's link, same round: the round's bytes are counted together.
    const second = scan('second');
    const refused = await attach(fx, 'science', second);
    // Shown again (adding a row) with the message beside the file field.
    expect(refused.status).toBe(200);
    expect(refused.html).toContain('本轮次上传的文件已达上限');
    expect(refused.html).toContain('This round&#x27;s uploads have reached their limit');
    expect(await fx.store.has(sha256Hex(second))).toBe(false);
  });
});
