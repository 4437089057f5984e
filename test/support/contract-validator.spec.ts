import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { watchContract } from './contract-validator';

/** A server answering every request with the status, type and body of `answer`. */
async function serve(answer: { status: number; type: string; body: string }): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(answer.status, { 'Content-Type': answer.type });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function get(server: Server, path: string): Promise<void> {
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', resolve);
    })
      .on('error', reject)
      .end();
  });
}

async function violationsOf(
  answer: { status: number; type?: string; body: unknown },
  path = '/v1/learners/ada/deadlines',
): Promise<string[]> {
  const server = await serve({
    status: answer.status,
    type: answer.type ?? 'application/json; charset=utf-8',
    body: typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body),
  });
  const contract = watchContract(server);
  try {
    await get(server, path);
    // 'finish' fires before the client sees the end; give the check a turn to run.
    await new Promise((r) => setImmediate(r));
    return contract.violations().map((v) => v.problem);
  } finally {
    server.close();
  }
}

const DEADLINES = {
  learnerId: 'ada',
  position: '12',
  deadlines: [
    {
      activity: 'ipoc',
      earnedYear: 2026,
      claimDeadline: '2028-12-31',
      unclaimed: { credits: '0.50', twelfths: 6 },
      expired: false,
    },
  ],
};

describe('the contract check of the e2e answers (test/support/contract-validator.ts)', () => {
  it('passes an answer the document describes', async () => {
    expect(await violationsOf({ status: 200, body: DEADLINES })).toEqual([]);
  });

  it('flags a field of the wrong type, a missing one, and one the document does not name', async () => {
    const [deadline] = DEADLINES.deadlines;
    const problems = await violationsOf({
      status: 200,
      body: {
        ...DEADLINES,
        position: 12,
        deadlines: [{ ...deadline, expired: undefined, extra: 1 }],
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        '/position must be string',
        "/deadlines/0 must have required property 'expired'",
        '/deadlines/0 must NOT have additional properties: extra',
      ]),
    );
  });

  it('flags a status the operation does not document, and an error not in the error shape', async () => {
    expect(await violationsOf({ status: 418, body: {} })).toEqual([
      'status 418 is not documented for GET /v1/learners/{learnerId}/deadlines',
    ]);
    expect(await violationsOf({ status: 404, body: { error: 'nope' } }, '/no/such/route')).toEqual(
      expect.arrayContaining(["(body) must have required property 'code'"]),
    );
  });

  it('flags a content type the answer does not document', async () => {
    expect(await violationsOf({ status: 200, type: 'text/html', body: '<p>hi</p>' })).toEqual([
      'content type text/html is not documented for 200 (documented: application/json)',
    ]);
  });
});
