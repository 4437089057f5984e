import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTemplateB, PARS_ACTIVITIES, type ParsCompletion } from '@ledger/boards';
import { eventually } from '../../../test/support/eventually';
import { ledgerCli } from '../../../test/support/ledger-cli';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { learnerApi } from '../../api/test/audit.fixtures';
import {
  startParsSimulator,
  type RunningParsSimulator,
} from '../../pars-simulator/src/pars-simulator';

const ABIM_LEARNER = {
  clinicalRole: 'physician',
  firstName: 'Ada',
  lastName: 'Quinn',
  birthMonth: 3,
  birthDay: 14,
  country: 'US',
  boards: [{ boardId: 'ABIM', learnerBoardId: '555111' }],
  licenses: [],
};
const STATE_LEARNER = {
  clinicalRole: 'nurse_practitioner',
  firstName: 'Bo',
  lastName: 'Reyes',
  birthMonth: 11,
  birthDay: 2,
  country: 'US',
  boards: [{ boardId: 'CA-MBC', learnerBoardId: 'A77777' }],
  licenses: [{ state: 'CA', licenseNumber: 'A77777' }],
  npi: '1234567893',
};

describe('PARS from the operator CLI: activities and the batch learner file (R8)', () => {
  let sim: RunningParsSimulator;
  let t: TestApp;
  let dir: string;
  const ledger = (...argv: string[]) =>
    ledgerCli(
      { NODE_ENV: 'test', DATABASE_URL: t.databaseUrl, BOARD_GATEWAY_URL: sim.serviceUrl },
      ...argv,
    );

  beforeAll(async () => {
    sim = await startParsSimulator({ port: 0, decideAfterMs: 300, registerActivities: false });
    t = await startTestApp('cli_pars', {
      boardGatewayUrl: sim.serviceUrl,
      boardSweepIntervalMs: 200,
    });
    dir = mkdtempSync(join(tmpdir(), 'ledger-pars-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
    await sim.close();
  });

  it('pars-activities verifies, fails while PARS lacks them, registers them with --register', async () => {
    const missing = await ledger('pars-activities');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('"status": "missing"');

    const registered = await ledger('pars-activities', '--register');
    expect(registered.code).toBe(0);
    const verified = await ledger('pars-activities');
    expect(verified.code).toBe(0);
    expect(verified.stdout.match(/"status": "registered"/g)).toHaveLength(2);
  });

  it('pars-batch writes the learner file; parsed back, every field matches the claims', async () => {
    const api = learnerApi(t.app);
    await api.profile('pars-a', ABIM_LEARNER).expect(200);
    await api.profile('pars-b', STATE_LEARNER).expect(200);
    for (const id of ['pars-a', 'pars-b']) await api.consent(id).expect(200);
    for (const r of ['r1', 'r2', 'r3']) await api.research('pars-a', r).expect(201);
    await api.research('pars-b', 'r1').expect(201);
    await api.claim('pars-a', 'ipoc').expect(201);
    await api.claim('pars-b', 'ipoc').expect(201);
    const claims = await eventually(async () => {
      const a = await api
        .http()
        .get('/v1/learners/pars-a/claims')
        .set(bearer('service'))
        .expect(200);
      const b = await api
        .http()
        .get('/v1/learners/pars-b/claims')
        .set(bearer('service'))
        .expect(200);
      if (a.body.claims[0]?.submissions.length !== 1 || b.body.claims[0]?.submissions.length !== 1)
        throw new Error('submissions not requested yet');
      return [a.body.claims[0], b.body.claims[0]] as {
        submissions: { submissionId: string }[];
      }[];
    });
    const out = join(dir, 'learners.txt');

    const run = await ledger(
      'pars-batch',
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-30',
      '--out',
      out,
    );

    expect(run.code).toBe(0);
    const records = parseTemplateB(readFileSync(out, 'utf8'));
    const byId = new Map(records.map((r) => [r.providerRecordId, r]));
    expect(byId.get(claims[0]!.submissions[0]!.submissionId)).toEqual<ParsCompletion>({
      providerRecordId: claims[0]!.submissions[0]!.submissionId,
      activityId: PARS_ACTIVITIES.ipoc.parsActivityId,
      boardId: 'ABIM',
      learnerBoardId: '555111',
      firstName: 'Ada',
      lastName: 'Quinn',
      birthMonth: 3,
      birthDay: 14,
      completionDate: '2026-11-01',
      creditType: 'AMA PRA Category 1 Credit',
      credits: '1.50',
      mocPoints: '1.50',
      mocType: 'MK',
    });
    expect(byId.get(claims[1]!.submissions[0]!.submissionId)).toEqual<ParsCompletion>({
      providerRecordId: claims[1]!.submissions[0]!.submissionId,
      activityId: PARS_ACTIVITIES.ipoc.parsActivityId,
      boardId: 'CA',
      firstName: 'Bo',
      lastName: 'Reyes',
      birthMonth: 11,
      birthDay: 2,
      licenseState: 'CA',
      licenseNumber: 'A77777',
      npi: '1234567893',
      completionDate: '2026-11-01',
      creditType: 'AMA PRA Category 1 Credit',
      credits: '0.50',
    });
    expect(JSON.parse(run.stdout)).toEqual({ file: out, records: records.length, omitted: 0 });

    const endpoint = await api
      .http()
      .get('/v1/reports/pars-learner-file?from=2026-11-01&to=2026-11-30')
      .set(bearer('compliance'))
      .expect(200);
    expect(endpoint.headers['content-type']).toContain('text/tab-separated-values');
    expect(endpoint.text).toBe(readFileSync(out, 'utf8'));
    await api
      .http()
      .get('/v1/reports/pars-learner-file?from=2026-11-01&to=2026-11-30')
      .set(bearer('service'))
      .expect(403);
    const bad = await api
      .http()
      .get('/v1/reports/pars-learner-file?from=2026-11-31&to=x')
      .set(bearer('compliance'))
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('to must be a date YYYY-MM-DD');

    const empty = await ledger(
      'pars-batch',
      '--from',
      '2026-12-01',
      '--to',
      '2026-12-31',
      '--out',
      out,
    );
    expect(empty.code).toBe(0);
    expect(parseTemplateB(readFileSync(out, 'utf8'))).toEqual([]);
  });

  it('pars-batch names a wrong option', async () => {
    const run = await ledger(
      'pars-batch',
      '--from',
      '2026-13-01',
      '--to',
      '2026-11-30',
      '--out',
      'x',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--from must be a date YYYY-MM-DD');
  });
});
