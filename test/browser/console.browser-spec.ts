import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { consentGrantedBody } from '@ledger/domain/testing';
import { eventually } from '../support/eventually';
import {
  horizontalOverflow,
  LAPTOP,
  launchChromium,
  openPage,
  PHONE,
  seriousAxeViolations,
  type WatchedPage,
} from './browser';
import { KEYS, startService, type RunningService } from './service';

interface Amount {
  credits: string;
}
interface ClaimsAnswer {
  claims: {
    claimId: string;
    tag: string;
    submissions: { submissionId: string; status: string; reason: string | null }[];
  }[];
}
interface CreditsAnswer {
  activities: Record<string, Record<'earned' | 'claimed' | 'unclaimed' | 'expired', Amount>>;
}

const PROFILE = (first: string, last: string, learnerBoardId: string) => ({
  clinicalRole: 'physician',
  firstName: first,
  lastName: last,
  birthMonth: 3,
  birthDay: 14,
  country: 'US',
  boards: [{ boardId: 'ABIM', learnerBoardId }],
  licenses: [],
});
const nowSeconds = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The body rows of a table (by its test id), as the cells' text. */
const tableRows = (page: Page, testId: string): Promise<string[][]> =>
  page
    .getByTestId(testId)
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) =>
        Array.from(
          (
            row as unknown as { querySelectorAll(s: string): ArrayLike<{ innerText: string }> }
          ).querySelectorAll('td'),
          (cell) => cell.innerText.trim(),
        ),
      ),
    );

describe('the web console in a real browser (chromium), against the service as npm start runs it', () => {
  let service: RunningService;
  let browser: Browser;
  let shots: string;
  const opened: WatchedPage[] = [];

  beforeAll(async () => {
    shots =
      process.env.LEDGER_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'cme-console-screenshots-'));
    mkdirSync(shots, { recursive: true });
    process.stdout.write(`console screenshots: ${shots}\n`);
    service = await startService();
    browser = await launchChromium();

    // Ada: known to ABIM. Bo: an ABIM id the board does not know (the simulator refuses 000…).
    await service.call(
      'service',
      'PUT',
      '/v1/learners/ada-quinn/profile',
      PROFILE('Ada', 'Quinn', '123456'),
    );
    // R7: consent to share completion data with the board, so that the claim reaches it.
    await service.call('service', 'PUT', '/v1/learners/ada-quinn/consent', consentGrantedBody());
    for (const researchId of ['r1', 'r2', 'r3'])
      await service.call(
        'service',
        'POST',
        '/v1/learners/ada-quinn/questions-researched',
        { researchId, occurredAt: nowSeconds() },
        201,
      );
    for (const questionId of ['q1', 'q2', 'q3', 'q4', 'q5'])
      await service.call(
        'service',
        'POST',
        '/v1/learners/ada-quinn/answers',
        { questionId, correct: true, occurredAt: nowSeconds() },
        201,
      );
    await service.call(
      'service',
      'POST',
      '/v1/learners/ada-quinn/claims',
      { activity: 'ipoc', occurredAt: nowSeconds() },
      201,
    );

    await service.call(
      'service',
      'PUT',
      '/v1/learners/bo-reyes/profile',
      PROFILE('Bo', 'Reyes', '000999'),
    );
    // R7: consent to share completion data with the board, so that the claim reaches it.
    await service.call('service', 'PUT', '/v1/learners/bo-reyes/consent', consentGrantedBody());
    await service.call(
      'service',
      'POST',
      '/v1/learners/bo-reyes/questions-researched',
      { researchId: 'b1', occurredAt: nowSeconds() },
      201,
    );
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await service.call(
      'service',
      'POST',
      '/v1/learners/bo-reyes/claims',
      { activity: 'ipoc', occurredAt: nowSeconds() },
      201,
    );

    // The board process has answered both: Ada's claim submitted, Bo's rejected.
    await eventually(
      async () => {
        const ada = await service.call<ClaimsAnswer>(
          'compliance',
          'GET',
          '/v1/learners/ada-quinn/claims',
        );
        const bo = await service.call<ClaimsAnswer>(
          'compliance',
          'GET',
          '/v1/learners/bo-reyes/claims',
        );
        expect(ada.claims[0]?.tag).toBe('Submitted');
        expect(bo.claims[0]?.tag).toBe('Rejected');
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  async function signIn(
    role: keyof typeof KEYS,
  ): Promise<{ context: BrowserContext; watched: WatchedPage }> {
    const context = await browser.newContext({ viewport: LAPTOP, acceptDownloads: true });
    const watched = await openPage(context, `${service.url}/console`);
    opened.push(watched);
    const { page } = watched;
    await page.getByLabel('API key').fill(KEYS[role]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return { context, watched };
  }

  const views = (page: Page) =>
    page.getByRole('navigation', { name: 'Views' }).getByRole('button').allInnerTexts();

  const shoot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };

  async function download(
    page: Page,
    click: () => Promise<void>,
  ): Promise<{ name: string; text: string }> {
    const [file] = await Promise.all([page.waitForEvent('download'), click()]);
    const path = await file.path();
    return { name: file.suggestedFilename(), text: readFileSync(path, 'latin1') };
  }

  it('a compliance officer finds a learner, sees a rejection with its reason, downloads a certificate and a CSV report', async () => {
    const { context, watched } = await signIn('compliance');
    const { page } = watched;
    expect(await page.getByTestId('role').innerText()).toBe('Compliance officer');
    expect(await views(page)).toEqual(['Learner', 'Reports']);

    await page.getByLabel('Learner id').fill('ada-quinn');
    await page.getByRole('button', { name: 'Find' }).click();
    const credits = await service.call<CreditsAnswer>(
      'compliance',
      'GET',
      '/v1/learners/ada-quinn/credits',
    );
    const balances = await eventually(async () => {
      const rows = await tableRows(page, 'balances');
      expect(rows).toHaveLength(2);
      return rows;
    });
    // Exactly the API's figures (its strings), per activity: earned, claimed, unclaimed, expired.
    expect(balances).toEqual([
      [
        'Internet Point of Care',
        ...['earned', 'claimed', 'unclaimed', 'expired'].map(
          (k) => credits.activities.ipoc![k as 'earned']!.credits,
        ),
      ],
      [
        'NEJM board review',
        ...['earned', 'claimed', 'unclaimed', 'expired'].map(
          (k) => credits.activities['nejm-board-review']![k as 'earned']!.credits,
        ),
      ],
    ]);
    expect(balances[1]?.[1]).toBe('0.75'); // 10 twelfths earned: the API's figure, not 10/12 re-rounded
    const claims = await tableRows(page, 'claims');
    expect(claims[0]?.[3]).toBe('Submitted');

    const certificate = await download(page, () =>
      page.getByRole('button', { name: 'Download PDF' }).click(),
    );
    expect(certificate.text.startsWith('%PDF-')).toBe(true);
    expect(certificate.name).toMatch(/^certificate-[0-9a-f-]+\.pdf$/);
    await shoot(page, '1-compliance-learner');

    const bo = await service.call<ClaimsAnswer>(
      'compliance',
      'GET',
      '/v1/learners/bo-reyes/claims',
    );
    const reason = bo.claims[0]?.submissions[0]?.reason ?? '';
    expect(reason).toMatch(/has no learner with that ABIM ID/);
    await page.getByLabel('Learner id').fill('bo-reyes');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByText(reason).waitFor();
    expect((await tableRows(page, 'claims'))[0]?.[3]).toBe('Rejected');
    await shoot(page, '2-compliance-rejected');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Reports', exact: true }).click();
    await page.getByRole('button', { name: 'Show submissions' }).click();
    await page.getByTestId('claims').waitFor();
    const report = await service.call<{ items: { claimId: string; tag: string }[] }>(
      'compliance',
      'GET',
      '/v1/reports/submissions?limit=500',
    );
    const csv = await download(page, () =>
      page.getByRole('button', { name: 'Download CSV (all pages)' }).click(),
    );
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      '"learnerId","claimId","activity","claimedAt","credits","tag","board","status","attempt","reason","atRisk"',
    );
    expect(lines).toHaveLength(report.items.length + 1); // one board each
    for (const item of report.items) expect(csv.text).toContain(`"${item.claimId}"`);
    expect(csv.text).toContain(`"Rejected","ABIM","failed","1","${reason}",`);
    await shoot(page, '3-compliance-reports');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: /^Expiring credit/ }).click();
    await page.getByRole('button', { name: '3 years' }).click();
    await page.getByRole('button', { name: 'Show expiring credit' }).click();
    await eventually(async () =>
      expect(await tableRows(page, 'expiring')).toContainEqual([
        'ada-quinn',
        'NEJM board review',
        String(new Date().getUTCFullYear()),
        '0.75',
        expect.stringMatching(/^\d{4}-12-31$/),
      ]),
    );

    await page.setViewportSize(PHONE);
    await shoot(page, '4-compliance-expiring-phone');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    await context.close();
  });

  it('an admin sees projections and their lag, and retries the rejected submission once the profile is corrected (R16)', async () => {
    // The learning platform corrects Bo's ABIM id (the board's reason said what it could not match).
    await service.call(
      'service',
      'PUT',
      '/v1/learners/bo-reyes/profile',
      PROFILE('Bo', 'Reyes', '445566'),
    );
    const { context, watched } = await signIn('admin');
    const { page } = watched;
    expect(await views(page)).toEqual(['Operations', 'Learner', 'Reports']);

    const status = await service.call<{ projections: { name: string }[] }>(
      'admin',
      'GET',
      '/v1/admin/projections',
    );
    const projections = await eventually(async () => {
      const rows = await tableRows(page, 'projections');
      expect(rows).toHaveLength(status.projections.length);
      return rows;
    });
    expect(projections.map((r) => r[0])).toEqual(status.projections.map((p) => p.name));
    for (const row of projections) expect(row[2]).toMatch(/^(Caught up|\d+\+? events behind)$/);

    const failed = await eventually(async () => {
      const rows = await tableRows(page, 'failed');
      expect(rows[0]?.[0]).toBe('bo-reyes');
      return rows;
    });
    expect(failed[0]?.[5]).toMatch(/has no learner with that ABIM ID/);
    await page.getByRole('button', { name: /^Retry submission/ }).click();
    await page.getByText(/Attempt 2 requested/).waitFor();
    await shoot(page, '5-admin-operations');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await eventually(
      async () => {
        const bo = await service.call<ClaimsAnswer>('admin', 'GET', '/v1/learners/bo-reyes/claims');
        expect(bo.claims[0]?.tag).toBe('Submitted');
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await page.getByRole('button', { name: 'Learner', exact: true }).click();
    await page.getByLabel('Learner id').fill('bo-reyes');
    await page.getByRole('button', { name: 'Find' }).click();
    await eventually(async () =>
      expect((await tableRows(page, 'claims'))[0]?.[3]).toBe('Submitted'),
    );
    expect((await tableRows(page, 'claims'))[0]?.[4]).toMatch(/ABIM: accepted \(attempt 2\)/);
    await context.close();
  });

  it("an auditor checks integrity (OK), reads a learner's hash-linked timeline and replays balances as of an instant", async () => {
    const { context, watched } = await signIn('auditor');
    const { page } = watched;
    expect(await views(page)).toEqual(['Audit', 'Learner', 'Reports']);

    await page.getByRole('button', { name: 'Check integrity' }).click();
    await page.getByTestId('integrity').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('integrity').innerText()).toMatch(/^Integrity OK/);

    const stream = await service.call<{
      events: { type: string; hash: string; recordedAt: string }[];
    }>('auditor', 'GET', '/v1/audit/streams/learner-bo-reyes');
    await page
      .getByRole('region', { name: /timeline/i })
      .getByLabel('Learner id')
      .fill('bo-reyes');
    await page.getByRole('button', { name: 'Show timeline' }).click();
    const timeline = await eventually(async () => {
      const rows = await tableRows(page, 'timeline');
      expect(rows).toHaveLength(stream.events.length);
      return rows;
    });
    expect(timeline.map((r) => r[2])).toEqual(stream.events.map((e) => e.type));
    // Each event shows its hash and, linked, the hash of the one before it.
    expect(timeline[1]?.[5]).toContain(`${stream.events[0]!.hash.slice(0, 12)}…`);
    expect(timeline[0]?.[5]).toContain('start of stream');

    // As of the whole second after Bo's research was recorded: earned, nothing claimed yet (the
    // claim was sent 2.5 s after the research was answered).
    const research = stream.events.find((e) => e.type === 'QuestionResearched')!;
    const asOf = new Date(Math.floor(Date.parse(research.recordedAt) / 1000) * 1000 + 1000)
      .toISOString()
      .slice(0, 19);
    const replayed = await service.call<CreditsAnswer>(
      'auditor',
      'GET',
      `/v1/audit/learners/bo-reyes/credits?asOf=${asOf}Z`,
    );
    const asOfSection = page.getByRole('region', { name: /as of an instant/i });
    await asOfSection.getByLabel('Learner id').fill('bo-reyes');
    await asOfSection.getByLabel('As of (UTC)').fill(asOf);
    await asOfSection.getByRole('button', { name: 'Replay' }).click();
    await page.getByTestId('as-of').waitFor();
    const rows = await page
      .getByTestId('as-of')
      .locator('tbody tr')
      .first()
      .locator('td')
      .allInnerTexts();
    expect(rows).toEqual([
      'Internet Point of Care',
      replayed.activities.ipoc!.earned.credits,
      replayed.activities.ipoc!.claimed.credits,
      replayed.activities.ipoc!.unclaimed.credits,
      replayed.activities.ipoc!.expired.credits,
    ]);
    expect(rows.slice(1, 3)).toEqual(['0.50', '0.00']);
    await shoot(page, '6-auditor');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.setViewportSize(PHONE);
    await shoot(page, '7-auditor-phone');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await context.close();
  });

  it('keeps the API keys out of every URL and of the service log, and the CSP refused nothing', () => {
    const keys = Object.values(KEYS);
    const urls = opened.flatMap((w) => w.urls);
    expect(urls.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(urls.filter((url) => url.includes(key))).toEqual([]);
      expect(service.process.output()).not.toContain(key);
    }
    expect(opened.flatMap((w) => w.cspViolations)).toEqual([]);
  });
});
