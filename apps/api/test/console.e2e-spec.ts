import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';

/** The console's side of the API: its files under the API's headers, and the role of a key. */
describe('the web console served at /console', () => {
  let t: TestApp;
  let built: string;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    // A stand-in build (the real one is Vite's, tested in a browser by test/browser).
    built = mkdtempSync(join(tmpdir(), 'console-build-'));
    mkdirSync(join(built, 'assets'));
    writeFileSync(
      join(built, 'index.html'),
      '<!doctype html><script type="module" src="/console/assets/app.js"></script>',
    );
    writeFileSync(join(built, 'assets', 'app.js'), 'export {};');
    process.env.LEDGER_CONSOLE_DIR = built;
    t = await startTestApp('console');
  });
  afterAll(async () => {
    delete process.env.LEDGER_CONSOLE_DIR;
    await t?.close();
    rmSync(built, { recursive: true, force: true });
  });

  it('serves its page and scripts under the API security headers: no inline script allowed', async () => {
    const page = await http().get('/console/').expect(200);
    expect(page.text).toContain('/console/assets/app.js');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const script = await http().get('/console/assets/app.js').expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.headers['cache-control']).toMatch(/immutable/);
  });

  it('names the role of the key presented, and refuses a missing or unknown key (401)', async () => {
    for (const role of ['compliance', 'auditor', 'admin', 'service'] as const) {
      const answer = await http().get('/console/session').set(bearer(role)).expect(200);
      expect(answer.body).toEqual({ role });
      expect(answer.headers['cache-control']).toBe('no-store');
    }
    const missing = await http().get('/console/session').expect(401);
    expect(missing.body.code).toBe('unauthenticated');
    await http()
      .get('/console/session')
      .set({ Authorization: 'Bearer not-a-known-key-at-all' })
      .expect(401);
  });
});
